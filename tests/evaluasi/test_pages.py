"""Pages: they render, they keep what was typed, and they cost the same for 5 or 500 pegawai."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from evaluasi import services
from evaluasi.models import Evaluasi, KasusSanksi
from kinerja.models import Pegawai
from kinerja.services import penilai_refresh
from tests.evaluasi.conftest import evaluasi_draft, final, ko, nilai, skp_disetujui

A, S, B = "diatas_ekspektasi", "sesuai_ekspektasi", "dibawah_ekspektasi"
PRED = ["sangat_baik", "baik", "butuh_perbaikan", "kurang", "sangat_kurang"]


def _tambah_tim(org, n):
    from tests.factories import PegawaiFactory

    for _ in range(n):
        PegawaiFactory(instansi=org.instansi_a, jabatan=org.pegawai.jabatan)
    penilai_refresh(instansi=org.instansi_a)
    team = list(Pegawai.objects.filter(pejabat_penilai=org.kasubbid))
    for i, p in enumerate(team):
        Evaluasi.objects.create(
            pegawai=p,
            periode=org.periode_a,
            jenis="tahunan",
            predikat=PRED[i % 5],
            pejabat_penilai=org.kasubbid,
            rating_hasil_kerja=S,
            rating_perilaku_kerja=S,
        )
        if not p.skp_set.exists():
            skp_disetujui(p, org.periode_a, n_rhk=1)
    return team


def _queries(client, url):
    # Steady state: the per-user menu facts are cached after a user's first page.
    client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        r = client.get(url)
    assert r.status_code == 200, r.content[:500]
    return len(ctx.captured_queries), r


_seq = [50_000]


def _tambah_tim_massal(org, n):
    """n more direct reports of the kasubbid, each with an approved SKP and an annual
    evaluation, written in bulk (the page is measured, not the workflow)."""
    from django.contrib.auth import get_user_model

    from skp.models import SKP
    from tests.factories import _nip

    User = get_user_model()
    nips = []
    for _ in range(n):
        _seq[0] += 1
        nips.append(_nip(_seq[0]))
    users = User.objects.bulk_create([User(username=nip) for nip in nips])
    peg = Pegawai.objects.bulk_create(
        [
            Pegawai(
                user=u,
                instansi=org.instansi_a,
                nip=nip,
                nama=f"Pegawai Massal {nip[-4:]}",
                jenis_asn=Pegawai.JenisASN.PNS,
                golongan="III/a",
                jabatan=org.pegawai.jabatan,
                unit_kerja=org.pegawai.unit_kerja,
            )
            for u, nip in zip(users, nips, strict=True)
        ]
    )
    penilai_refresh(instansi=org.instansi_a)
    SKP.objects.bulk_create(
        [
            SKP(
                pegawai=p,
                periode=org.periode_a,
                status=SKP.Status.DISETUJUI,
                versi=1,
                pejabat_penilai=org.kasubbid,
            )
            for p in peg
        ]
    )
    Evaluasi.objects.bulk_create(
        [
            Evaluasi(
                pegawai=p,
                periode=org.periode_a,
                jenis="tahunan",
                predikat=PRED[i % 5],
                pejabat_penilai=org.kasubbid,
                rating_hasil_kerja=S,
                rating_perilaku_kerja=S,
            )
            for i, p in enumerate(peg)
        ]
    )


@pytest.mark.parametrize(
    "url",
    [
        "/evaluasi/tim/?jendela=akhir",
        "/evaluasi/distribusi/?cakupan=tim&jendela=akhir",
    ],
)
def test_team_pages_cost_the_same_for_5_and_500(org, client_as, url):
    """As the evaluasi issue asks: the same number of queries for 5 or 500 pegawai."""
    ko(org, org.unit_bidang, "baik")
    c = client_as(org.kasubbid.user)
    _tambah_tim_massal(org, 3)
    small, _ = _queries(c, url)
    _tambah_tim_massal(org, 495)
    assert Pegawai.objects.filter(pejabat_penilai=org.kasubbid).count() >= 500
    large, r = _queries(c, url)
    assert small == large
    assert "<svg" in r.content.decode()


def test_instansi_distribution_page_costs_the_same(org, client_as):
    ko(org, org.unit_bidang, "baik")
    c = client_as(org.admin_a)
    _tambah_tim(org, 3)
    small, _ = _queries(c, "/evaluasi/distribusi/?cakupan=instansi")
    Evaluasi.objects.all().delete()
    _tambah_tim(org, 45)
    large, r = _queries(c, "/evaluasi/distribusi/?cakupan=instansi")
    assert small == large
    html = r.content.decode()
    assert "Per unit kerja" in html and "Bidang Penilaian Kinerja" in html


def test_team_page_warns_and_asks_for_justification(org, client_as):
    ko(org, org.unit_bidang, "baik")
    team = _tambah_tim(org, 8)  # 10 people, predikat cycling through all five
    Evaluasi.objects.filter(pegawai__in=team).update(predikat="baik")
    html = client_as(org.kasubbid.user).get("/evaluasi/tim/?jendela=akhir").content.decode()
    assert "Baik 10 dari 10 = 100% &gt; 70%" in html
    assert "Catat justifikasi" in html


def test_team_of_one_shows_comparison_without_warning(org, client_as):
    ko(org, org.unit_bidang, "baik")
    Evaluasi.objects.create(
        pegawai=org.staf_dinas,
        periode=org.periode_a,
        jenis="tahunan",
        predikat="sangat_baik",
        pejabat_penilai=org.kadis,
    )
    ko(org, org.unit_dinas, "sangat_kurang")
    html = client_as(org.kadis.user).get("/evaluasi/tim/?jendela=akhir").content.decode()
    assert "tanpa peringatan" in html and "Di luar pedoman distribusi" not in html


def test_rating_form_shows_everything_the_penilai_weighs(org, client_as):
    from django.utils import timezone

    from dialog.models import BuktiDukung, Realisasi, UmpanBalik

    ev = evaluasi_draft(org)
    rhk = ev.skp.rencana_set.first()
    re = Realisasi.objects.create(
        pegawai=org.pegawai,
        periode=org.periode_a,
        urutan=1,
        rencana_hasil_kerja=rhk,
        rhk_kunci=rhk.kunci,
        uraian="Usulan tuntas 93%",
    )
    BuktiDukung.objects.create(
        realisasi=re, judul="Laporan triwulan", tautan="https://contoh.go.id/l"
    )
    UmpanBalik.objects.create(
        penerima=org.pegawai,
        pemberi=org.kadis,
        hubungan="pemberi_tugas",
        jenis="apresiasi",
        isi="Data lintas dinas rapi",
        periode=org.periode_a,
        urutan=2,
        dibuat=timezone.now(),
        rencana_hasil_kerja=rhk,
    )
    ev.skp.perilaku_set.filter(nilai="kolaboratif").update(
        ekspektasi_khusus="Aktif berbagi data dengan bidang lain"
    )
    final(org, jenis="periodik", urutan=1, hasil=B, perilaku=S, skp=False)
    html = (
        client_as(org.kasubbid.user)
        .get(f"/evaluasi/nilai/{org.pegawai.pk}/akhir/")
        .content.decode()
    )
    periodik = html[html.index("Hasil periodik") :]
    assert "Butuh Perbaikan" in periodik[:1500] and "Belum ada evaluasi periodik" not in periodik
    for text in (
        "Aktif berbagi data dengan bidang lain",
        "Usulan tuntas 93%",
        "Laporan triwulan",
        "Data lintas dinas rapi",
        "pemberi tugas",
        "Berorientasi Pelayanan",
        "Kolaboratif",
        "90 – 95 %",
        "Hasil periodik",
    ):
        assert text in html, text


def test_rating_form_post_then_error_keeps_what_was_typed(org, client_as):
    ev = evaluasi_draft(org)
    kunci = [str(k) for k in ev.skp.rencana_set.values_list("kunci", flat=True)]
    c = client_as(org.kasubbid.user)
    url = f"/evaluasi/nilai/{org.pegawai.pk}/akhir/"
    data = {
        "row_version": ev.row_version,
        "rating_hasil_kerja": S,
        "rating_perilaku_kerja": A,
        "aksi": "simpan",
        "perilaku-kolaboratif": "Aktif di tim lintas unit",
        **{f"rhk-{k}-rating": A for k in kunci},
        **{f"rhk-{k}-catatan": "Tuntas" for k in kunci},
    }
    # all rows above expectation but no praise -> suggestion sesuai, so sesuai needs no reason
    r = c.post(url, data)
    assert r.status_code == 302
    ev.refresh_from_db()
    assert ev.predikat == "baik" and ev.row_version == 2
    # a stale save is refused, the typed notes come back, the stored values are kept
    data["rating_hasil_kerja"] = B
    data["perilaku-kolaboratif"] = "Catatan baru yang tidak boleh hilang"
    r = c.post(url, data)
    html = r.content.decode()
    assert r.status_code == 200
    assert "diubah oleh pengguna lain" in html
    assert "Catatan baru yang tidak boleh hilang" in html
    ev.refresh_from_db()
    assert ev.rating_hasil_kerja == S


def test_rating_form_finalise_with_justification(org, client_as):
    ko(org, org.unit_bidang, "baik")
    team = _tambah_tim(org, 3)
    Evaluasi.objects.exclude(pegawai=org.pegawai).update(predikat="baik")
    Evaluasi.objects.filter(pegawai=org.pegawai).delete()
    ev = evaluasi_draft(org, skp=False)
    c = client_as(org.kasubbid.user)
    url = f"/evaluasi/nilai/{org.pegawai.pk}/akhir/"
    data = {
        "row_version": ev.row_version,
        "rating_hasil_kerja": S,
        "rating_perilaku_kerja": S,
        "aksi": "finalisasi",
    }
    r = c.post(url, data)
    html = r.content.decode()
    assert r.status_code == 200 and "Tuliskan justifikasi" in html
    ev.refresh_from_db()
    data.update(row_version=ev.row_version, justifikasi="Seluruh tim memenuhi target")
    r = c.post(url, data)
    assert r.status_code == 302
    ev.refresh_from_db()
    assert ev.is_final and len(team) == 5


def test_quadrant_partial_for_htmx(org, client_as):
    c = client_as(org.kasubbid.user)
    r = c.get(
        "/evaluasi/kuadran/",
        {"rating_hasil_kerja": A, "rating_perilaku_kerja": A},
        HTTP_HX_REQUEST="true",
    )
    assert "Sangat Baik" in r.content.decode() and "<html" not in r.content.decode()
    r = c.get("/evaluasi/kuadran/", {"rating_hasil_kerja": A})
    assert "Pilih kedua rating" in r.content.decode()


def test_admin_pages_render(org, client_as):
    final(org, hasil=B, perilaku=B)
    c = client_as(org.admin_a)
    for url in (
        "/evaluasi/kinerja-organisasi/?jendela=1",
        "/evaluasi/kinerja-organisasi/",
        "/evaluasi/distribusi/?cakupan=unit",
        f"/evaluasi/distribusi/?cakupan=unit&unit={org.unit_bidang.pk}",
        "/evaluasi/tutup-tahun/",
        "/evaluasi/tindak-lanjut/",
    ):
        r = c.get(url)
        assert r.status_code == 200, url
    html = c.get("/evaluasi/tindak-lanjut/").content.decode()
    assert "belum diatur" in html and "Kotak 9" in html and org.pegawai.nama in html
    r = c.post("/evaluasi/tindak-lanjut/", {"aksi": "sanksi", "pegawai": org.pegawai.pk})
    kasus = KasusSanksi.objects.get()
    assert r.url == f"/evaluasi/sanksi/{kasus.pk}/"
    assert "Kesempatan perbaikan" in c.get(r.url).content.decode()
    assert client_as(org.kasubbid.user).get(r.url).status_code == 200  # penilai reads
    assert client_as(org.kasubbid.user).post(r.url, {}).status_code == 403
    assert client_as(org.admin_b).get(r.url).status_code == 404


def test_kinerja_organisasi_page_sets_and_keeps_input_on_error(org, client_as):
    c = client_as(org.kepala_bkd.user)
    r = c.post(
        "/evaluasi/kinerja-organisasi/?jendela=akhir",
        {"unit": org.unit_bidang.pk, "predikat": "baik", "capaian": "IKU 91%"},
    )
    assert r.status_code == 302
    r = c.post(
        "/evaluasi/kinerja-organisasi/?jendela=akhir",
        {"unit": org.unit_bidang.pk, "predikat": "kurang", "capaian": "Tetap", "row_version": 7},
    )
    html = r.content.decode()
    assert r.status_code == 200 and "diubah oleh pengguna lain" in html and "Tetap" in html
    r = client_as(org.kabid.user).post(
        "/evaluasi/kinerja-organisasi/?jendela=akhir",
        {"unit": org.unit_bidang.pk, "predikat": "baik"},
    )
    assert r.status_code == 403


def test_pegawai_downloads_final_document(org, client_as, django_capture_on_commit_callbacks):
    from pypdf import PdfReader

    ev = evaluasi_draft(org)
    ev = nilai(ev, A, A)
    with django_capture_on_commit_callbacks(execute=True):
        ev = services.evaluasi_finalisasi(user=org.kasubbid.user, evaluasi=ev)
    c = client_as(org.pegawai.user)
    r = c.get(f"/evaluasi/{ev.pk}/pdf/")
    assert r.status_code == 302, r.content[:300]
    r = c.get(r.url)
    data = b"".join(r.streaming_content)
    import io

    text = PdfReader(io.BytesIO(data)).pages[0].extract_text()
    assert "DOKUMEN EVALUASI KINERJA PEGAWAI" in text and "SANGAT BAIK" in text
    assert "PERIODE: TRIWULAN IV-AKHIR" in text
    assert client_as(org.rekan.user).get(r.wsgi_request.path).status_code == 404


def test_rating_form_costs_the_same_for_3_and_13_rows(org, client_as):
    from django.utils import timezone

    from dialog.models import BuktiDukung, Realisasi, UmpanBalik
    from skp.models import Indikator, RencanaHasilKerja

    ev = evaluasi_draft(org)
    c = client_as(org.kasubbid.user)
    url = f"/evaluasi/nilai/{org.pegawai.pk}/akhir/"

    def isi(n):
        for i in range(n):
            r = RencanaHasilKerja.objects.create(
                skp=ev.skp, jenis="tambahan", urutan=10 + i, rencana=f"Tambahan {i}"
            )
            Indikator.objects.create(
                rencana=r, aspek="waktu", indikator="Tepat waktu", target="Juni"
            )
            re = Realisasi.objects.create(
                pegawai=org.pegawai,
                periode=org.periode_a,
                urutan=1,
                rencana_hasil_kerja=r,
                rhk_kunci=r.kunci,
                uraian="Selesai",
            )
            BuktiDukung.objects.create(realisasi=re, judul="Bukti", tautan="https://contoh.go.id/b")
            UmpanBalik.objects.create(
                penerima=org.pegawai,
                pemberi=org.rekan,
                hubungan="rekan",
                jenis="apresiasi",
                isi="Baik",
                periode=org.periode_a,
                urutan=1,
                dibuat=timezone.now(),
                rencana_hasil_kerja=r,
            )

    isi(1)  # (an empty list makes Django skip a prefetch query: compare like with like)
    small, _ = _queries(c, url)
    isi(10)
    large, r = _queries(c, url)
    assert small == large
    assert r.content.decode().count('class="ev-rhk"') == 13


def test_atasan_sees_evaluations_made_by_their_penilai(org, client_as):
    ev = final(org)
    html = client_as(org.kabid.user).get("/evaluasi/tim/?jendela=akhir").content.decode()
    assert "Sebagai atasan pejabat penilai" in html and f"/evaluasi/{ev.pk}/" in html


def test_unit_page_lists_its_evaluations_for_the_admin(org, client_as):
    ev = final(org)
    r = client_as(org.admin_a).get(
        f"/evaluasi/distribusi/?cakupan=unit&unit={org.unit_bidang.pk}&jendela=akhir"
    )
    assert f"/evaluasi/{ev.pk}/" in r.content.decode()


def test_pdf_page_never_writes_on_get(org, client_as):
    from kinerja.models import Job

    ev = evaluasi_draft(org)
    c = client_as(org.kasubbid.user)
    r = c.get(f"/evaluasi/{ev.pk}/pdf/")
    assert r.status_code == 200 and "Buat dokumen PDF" in r.content.decode()
    assert not Job.objects.exists()
    r = c.post(f"/evaluasi/{ev.pk}/pdf/")
    assert r.status_code == 302 and Job.objects.filter(task="evaluasi.pdf").count() == 1


def test_nilai_without_an_evaluation_is_the_penilais_start_page_only(org, client_as):
    skp_disetujui(org.pegawai, org.periode_a)
    url = f"/evaluasi/nilai/{org.pegawai.pk}/akhir/"
    assert client_as(org.kabid.user).get(url).status_code == 404
    r = client_as(org.kasubbid.user).post(url, {})
    assert r.status_code == 200 and "Mulai evaluasi" in r.content.decode()
    assert not Evaluasi.objects.exists()
    r = client_as(org.kabid.user).post(f"/evaluasi/nilai/{org.pegawai.pk}/akhir/mulai/")
    assert r.status_code == 403 and not Evaluasi.objects.exists()


def test_detail_page_title_is_text_and_its_history_uses_labels(org, client_as):
    import re

    ev = final(org)
    html = client_as(org.pegawai.user).get(f"/evaluasi/{ev.pk}/").content.decode()
    title = re.search(r"<title>(.*?)</title>", html, re.S).group(1)
    assert "<" not in title and org.pegawai.nama in title
    assert html.count("js/hitung-mundur.js") == 1
    riwayat = html[html.index("Riwayat perubahan") :]
    assert ">Final<" in riwayat and ">final<" not in riwayat
    assert "Ekspektasi khusus pimpinan" in html


def test_the_per_unit_table_is_paged_and_each_page_costs_the_same(org, client_as):
    """A province has hundreds of units: 50 per page, the same queries on every page, and the
    links keep the scope, window and year."""
    import re

    from evaluasi.views import UNIT_PER_HALAMAN
    from kinerja.models import UnitKerja

    ko(org, org.unit_bidang, "baik")
    _tambah_tim(org, 3)
    n_awal = UnitKerja.objects.filter(instansi=org.instansi_a).count()
    UnitKerja.objects.bulk_create(
        UnitKerja(instansi=org.instansi_a, nama=f"Zona Uji {i:03d}", induk=org.unit_bidang)
        for i in range(2 * UNIT_PER_HALAMAN + 5 - n_awal)
    )
    total = 2 * UNIT_PER_HALAMAN + 5
    c = client_as(org.admin_a)
    base = "/evaluasi/distribusi/?cakupan=instansi"
    q1, r1 = _queries(c, base)
    q3, r3 = _queries(c, base + "&page=3")
    assert q1 == q3
    rows = lambda html: re.findall(r'<a href="\?cakupan=unit&unit=(\d+)', html)  # noqa: E731
    first, last = rows(r1.content.decode()), rows(r3.content.decode())
    assert len(first) == UNIT_PER_HALAMAN and len(last) == 5
    assert "Bidang Penilaian Kinerja" in r1.content.decode()  # by name: B before Z
    assert f"Unit 1–{UNIT_PER_HALAMAN} dari {total}" in r1.content.decode()
    html3 = r3.content.decode()
    assert f"Unit {2 * UNIT_PER_HALAMAN + 1}–{total} dari {total}" in html3
    assert "page=2#per-unit" in html3 and "Berikutnya" not in html3
    assert f"tahun={org.periode_a.tahun}" in html3
    # every unit is on exactly one page
    _q2, r2 = _queries(c, base + "&page=2")
    semua = first + rows(r2.content.decode()) + last
    assert len(semua) == len(set(semua)) == total


def test_follow_up_page_costs_the_same_queries_and_caps_inline_forms(org, client_as, monkeypatch):
    # bench/temuan.md: an instansi of 7,000 got a 5 MB page (one potensi form per pegawai) and
    # five objects per row. The queries do not grow with the rows; forms are capped and the
    # rest are one link away in the list, filtered the same way.
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from evaluasi import views

    c = client_as(org.admin_a)
    final(org, hasil=B, perilaku=B)
    with CaptureQueriesContext(connection) as satu:
        html = c.get("/evaluasi/tindak-lanjut/").content.decode()
    assert org.pegawai.nama in html and 'value="potensi"' in html
    final(org, "rekan", hasil=B, perilaku=B)
    with CaptureQueriesContext(connection) as dua:
        html = c.get("/evaluasi/tindak-lanjut/").content.decode()
    assert org.rekan.nama in html
    assert len(dua.captured_queries) == len(satu.captured_queries)
    monkeypatch.setattr(views, "BATAS_LANGSUNG", 1)
    html = c.get("/evaluasi/tindak-lanjut/").content.decode()
    assert html.count('name="aksi" value="potensi"') == 1
    assert "lihat semua 2 di daftar" in html and "jalur=tanpa_potensi" in html
