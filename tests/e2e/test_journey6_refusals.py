"""Journey 6 in a real browser: what must not happen, any day.

- a pegawai changing the id in the URL gets 404 (SKP and evaluation);
- an admin of another kabupaten searching for this province's staff finds nothing;
- an official cannot assign work straight to someone else's staff (it waits for the penilai);
- a final evaluation edit is refused, unless an admin reopens it with a reason that is kept;
- Redis is down while she submits her SKP: the submission succeeds; the PDF and the
  notification email follow once it is back.
"""

from __future__ import annotations

import re
import socket
import time
from pathlib import Path

import pytest
from django.core import mail
from playwright.sync_api import expect

from tests.e2e.bantu import klik_menu

pytestmark = pytest.mark.e2e

TIDAK_DITEMUKAN = "Halaman tidak ditemukan"


def _csrf(page) -> str:
    return next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")


def _post(page, url: str, data: dict):
    """A forged form POST from the logged-in browser (session cookie and CSRF token)."""
    return page.request.post(url, form=data, headers={"X-CSRFToken": _csrf(page)}, max_redirects=0)


def test_changing_the_id_in_the_url_is_404(e2e_org, login, shot, live_server):
    from tests.evaluasi.conftest import final, ko
    from tests.skp.factories import skp_disetujui

    org = e2e_org
    url = live_server.url
    ko(org, org.unit_bidang, "baik")
    milik = skp_disetujui(org, "pegawai")
    ev_rekan = final(org, "rekan")  # the colleague's approved SKP and final evaluation
    skp_rekan = ev_rekan.pegawai.skp_set.get(terkini=True)

    page = login(org.pegawai.user)
    page.goto(f"{url}/skp/{milik.pk}/")
    expect(page.locator("h1")).to_contain_text("Sasaran Kinerja Pegawai")
    for path in (
        f"/skp/{skp_rekan.pk}/",
        f"/skp/{skp_rekan.pk}/versi/",
        f"/evaluasi/{ev_rekan.pk}/",
        f"/evaluasi/{ev_rekan.pk}/pdf/",
        f"/dialog/pegawai/{org.rekan.pk}/tahun/{org.periode_a.tahun}/",
    ):
        r = page.goto(f"{url}{path}")
        assert r.status == 404, path
        expect(page.locator("main h1")).to_have_text(TIDAK_DITEMUKAN)
        expect(page.locator("main")).not_to_contain_text(org.rekan.nama)
    shot("j6_01_404")
    # An id that exists nowhere looks the same: ids reveal nothing.
    assert page.goto(f"{url}/skp/{skp_rekan.pk + 1000}/").status == 404
    expect(page.locator("main h1")).to_have_text(TIDAK_DITEMUKAN)


def test_other_kabupaten_admin_finds_none_of_the_province(e2e_org, login, shot, live_server):
    org = e2e_org
    page = login(org.admin_b)
    klik_menu(page, "Organisasi")  # not "Kinerja organisasi"
    for q in (org.pegawai.nama, org.pegawai.nip, org.pegawai.nip[:8], "Mbete"):
        page.fill("input[name=q]", q)
        page.click("button:has-text('Cari')")
        # The organisation page (kinerja/views_org.py) names what was searched for.
        expect(page.locator("main table").first).to_contain_text("Tidak ada pegawai yang cocok")
    shot("j6_02_cari_lintas_instansi")
    page.fill("input[name=q]", "")
    page.click("button:has-text('Cari')")
    daftar = page.locator("main table").first
    expect(daftar).to_contain_text(org.pegawai_b.nama)  # her own staff are there
    for p in (org.pegawai, org.kasubbid, org.kadis, org.staf_dinas):
        expect(daftar).not_to_contain_text(p.nama)
    expect(page.locator("main")).not_to_contain_text("Badan Kepegawaian Daerah")
    # The API answers the same through the browser session.
    body = page.request.get(f"{live_server.url}/api/v1/pegawai/?page_size=200").json()
    assert {p["nip"] for p in body["results"]} <= {org.pegawai_b.nip, org.kepala_b.nip, None}
    assert org.pegawai.nip not in {p["nip"] for p in body["results"]}


def test_an_official_cannot_assign_straight_to_someone_elses_staff(
    e2e_org, login, shot, live_server
):
    from dialog.models import Penugasan
    from skp.models import SKP, RencanaHasilKerja
    from tests.skp.factories import skp_disetujui

    org = e2e_org
    url = live_server.url
    skp_disetujui(org)
    rows_before = RencanaHasilKerja.objects.count()

    page = login(org.kadis.user)
    page.goto(f"{url}/dialog/penugasan/usulkan/")
    # His own staff can be picked directly; she is not among them.
    options = page.locator("#id_penerima option").all_inner_texts()
    assert any(org.staf_dinas.nama in o for o in options)
    assert not any(org.pegawai.nama in o for o in options)
    page.fill("#id_nip", org.pegawai.nip)
    expect(page.locator("#nip-hasil")).to_contain_text("dikirim kepada pejabat penilai")
    page.fill("#id_uraian", "Langsung kerjakan integrasi data OPD minggu ini")
    page.fill("#id_hasil_diharapkan", "Integrasi data OPD")
    page.check("input[name=jenis_rhk][value=utama]")
    page.fill("#id_ekspektasi", "Selesai minggu ini")  # only for a direct assignment
    page.click("button:has-text('Kirim')")
    expect(page.locator("h1")).to_contain_text("Diusulkan")
    p = Penugasan.objects.get()
    assert p.status == "diusulkan" and p.rencana_hasil_kerja is None
    expect(page.locator("#keputusan")).to_have_count(0)
    expect(page.locator("main")).to_contain_text(
        f"Menunggu keputusan pejabat penilai {org.pegawai.nama}"
    )
    shot("j6_03_menunggu_penilai")

    # Forcing the decision from his browser: refused, and nothing changes.
    r = _post(page, f"{url}/dialog/penugasan/{p.pk}/setujui/", {"jenis_rhk": "utama",
              "ekspektasi": "x", "waktu": "2026-03-10T09:00", "row_version": p.row_version})  # fmt: skip
    assert r.status == 403 and "Tidak berwenang" in r.text()
    r = page.request.post(
        f"{url}/api/v1/penugasan/{p.pk}/setujui/", headers={"X-CSRFToken": _csrf(page)}
    )
    assert r.status == 403
    # ...nor can she approve it for herself: she cannot even see it yet.
    page = login(org.pegawai.user)
    assert page.goto(f"{url}/dialog/penugasan/{p.pk}/").status == 404
    r = _post(page, f"{url}/dialog/penugasan/{p.pk}/setujui/", {"row_version": p.row_version})
    assert r.status == 404
    p.refresh_from_db()
    assert p.status == "diusulkan" and p.diputuskan_oleh is None
    assert RencanaHasilKerja.objects.count() == rows_before
    assert SKP.objects.filter(pegawai=org.pegawai).count() == 1


def test_final_evaluation_is_locked_until_an_admin_reopens_it_with_a_reason(
    e2e_org, login, shot, live_server
):
    from evaluasi.models import Evaluasi
    from tests.evaluasi.conftest import final, ko

    org = e2e_org
    url = live_server.url
    ko(org, org.unit_bidang, "baik")
    ev = final(org, "pegawai", "sesuai_ekspektasi", "sesuai_ekspektasi")
    nilai = f"{url}/evaluasi/nilai/{org.pegawai.pk}/akhir/?tahun={org.periode_a.tahun}"

    page = login(org.kasubbid.user)
    page.goto(nilai)  # the rating form of a final evaluation leads to its read-only page
    page.wait_for_url(re.compile(rf"/evaluasi/{ev.pk}/$"))
    expect(page.locator("main")).to_contain_text("Final")
    expect(page.locator("text=Ubah penilaian")).to_have_count(0)
    expect(page.locator("#buka-kembali")).to_have_count(0)
    # A forged save of the form is not applied.
    r = _post(page, nilai, {"rating_hasil_kerja": "diatas_ekspektasi",
              "rating_perilaku_kerja": "diatas_ekspektasi", "row_version": ev.row_version})  # fmt: skip
    assert r.status == 302 and r.headers["location"] == f"/evaluasi/{ev.pk}/"
    r = page.request.patch(
        f"{url}/api/v1/evaluasi/{ev.pk}/",
        data={"rating_hasil_kerja": "diatas_ekspektasi", "row_version": ev.row_version},
        headers={"X-CSRFToken": _csrf(page)},
    )
    assert r.status == 403 and "tidak berwenang" in r.json()["detail"], r.text()
    ev.refresh_from_db()
    assert (ev.status, ev.rating_hasil_kerja, ev.predikat) == (
        "final",
        "sesuai_ekspektasi",
        "baik",
    )

    # The instansi admin reopens it; the reason is required and kept.
    page = login(org.admin_a)
    page.on("dialog", lambda d: d.accept())
    page.goto(f"{url}/evaluasi/{ev.pk}/")
    r = _post(page, f"{url}/evaluasi/{ev.pk}/buka-kembali/", {"alasan": "  "})
    ev.refresh_from_db()
    assert ev.status == "final"  # no reason, no reopening
    alasan = "Salah input rating hasil kerja; nota dinas Kepala BKD 800/123/BKD"
    page.fill("#buka-kembali textarea[name=alasan]", alasan)
    page.click("#buka-kembali button:has-text('Buka kembali')")
    expect(page.locator(".messages")).to_contain_text("Evaluasi dibuka kembali; alasan dicatat.")
    expect(page.locator("main")).to_contain_text("Riwayat pembukaan kembali")
    expect(page.locator("main")).to_contain_text(alasan)
    shot("j6_04_dibuka_kembali")
    ev.refresh_from_db()
    assert ev.status == "draft"
    assert list(ev.pembukaan_kembali_set.values_list("alasan", "oleh")) == [
        (alasan, org.admin_a.pk)
    ]

    # Now her penilai may change it again.
    page = login(org.kasubbid.user)
    page.goto(f"{url}/evaluasi/{ev.pk}/")
    page.click("text=Ubah penilaian")
    page.wait_for_url(re.compile(r"/evaluasi/nilai/"))
    assert Evaluasi.objects.get(pk=ev.pk).status == "draft"


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_redis_down_while_submitting_the_skp(e2e_org, login, shot, live_server, settings):
    """Redis down, in the browser. A real stopped broker would need a worker to drain it once
    it is back (tests/kinerja/test_worker.py does exactly that without a browser); here the
    app's Celery is pointed at a closed port (what a stopped Redis looks like to a client), and
    "back" is the project's eager mode again with the outbox sweep (`sapu_outbox`, which beat
    runs every minute) flushing what waited."""
    from django.utils import timezone

    from kinerja.models import Job, Notifikasi
    from kinerja.tasks import sapu_outbox
    from skp.models import SKP
    from tests.skp.factories import skp_draft
    from tests.worker_fixtures import celery_di

    org = e2e_org
    url = live_server.url
    skp = skp_draft(org, n_rhk=1)
    mail.outbox.clear()

    page = login(org.pegawai.user)
    page.goto(f"{url}/skp/{skp.pk}/")
    with celery_di(f"redis://127.0.0.1:{_closed_port()}/0"):
        started = time.monotonic()
        page.click("text=Ajukan kepada pejabat penilai")
        expect(page.locator(".messages")).to_contain_text("SKP diajukan kepada pejabat penilai")
        assert time.monotonic() - started < 10
        skp.refresh_from_db()
        assert skp.status == SKP.Status.DIAJUKAN
        # The in-app notification is a row of the same transaction: there at once.
        n = Notifikasi.objects.get(penerima=org.kasubbid.user, jenis="skp_diajukan")
        # Its email waits in the outbox.
        email = Job.objects.get(kunci=f"email:{n.pk}")
        assert email.status == "pending" and email.dikirim is None
        assert mail.outbox == []

        # She asks for the PDF: the request returns, the job waits.
        page.click("text=Buat PDF SKP")
        expect(page.locator("#pdf-progres")).to_contain_text("Menunggu")
        pdf = Job.objects.get(task="skp.pdf")
        assert pdf.status == "pending" and pdf.dikirim is None
        shot("j6_05_redis_mati")

    # Redis is back; the next sweep sends what waited (backdated past the sweep's grace period
    # for rows a request's on_commit is still sending).
    Job.objects.filter(pk__in=[email.pk, pdf.pk]).update(
        dibuat=timezone.now() - timezone.timedelta(minutes=1)
    )
    assert sapu_outbox.delay().get() == 2
    link = page.locator("#pdf-progres a:has-text('Unduh')")
    link.wait_for(timeout=20_000)  # the page's poll picks the finished job up
    shot("j6_06_redis_kembali")
    with page.expect_download() as dl:
        link.click()
    assert Path(dl.value.path()).read_bytes().startswith(b"%PDF")
    assert Job.objects.get(pk=pdf.pk).status == "sukses"
    assert Job.objects.get(pk=email.pk).status == "sukses"
    [m] = mail.outbox
    assert m.to == [org.kasubbid.user.email] and "SKP" in m.subject
    assert org.pegawai.nama in m.body
