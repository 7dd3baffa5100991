"""Journey 5 in a real browser: January again, the BKD closes the year.

The BKD admin opens the completeness report and chases a gap (a unit without kinerja
organisasi), starts the year-end close and watches its progress bar complete (Celery runs
eagerly in-process in tests: REDIS_URL is unset, so the jobs run inside the live server's
request and the bar is complete on the next poll), downloads a unit's zip of evaluation PDFs and
the recap spreadsheet, opens the follow-up lists (talent pool, development, nine-box), opens a
sanction case for the pegawai rated Sangat Kurang and records a step with its deadline. Then an
e-Kinerja integration pulls the year's predikat over the API with its token."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path

import pytest
import requests
from django.utils import timezone
from playwright.sync_api import expect

from tests.e2e.bantu import klik_menu

pytestmark = pytest.mark.e2e

A, S, B = "diatas_ekspektasi", "sesuai_ekspektasi", "dibawah_ekspektasi"


def _tahun_lalu(org, predikat: dict) -> None:
    """Last year's final annual results (for "two years running")."""
    from evaluasi.models import Evaluasi
    from kinerja.models import Periode

    year = org.periode_a.tahun - 1
    lalu = Periode.objects.create(
        instansi=org.instansi_a,
        tahun=year,
        frekuensi="triwulanan",
        status="ditutup",
        batas_perencanaan=dt.date(year, 1, 31),
    )
    for p, pred in predikat.items():
        Evaluasi.objects.create(
            pegawai=p,
            periode=lalu,
            jenis="tahunan",
            status="final",
            pejabat_penilai=p.pejabat_penilai,
            rating_hasil_kerja=S,
            rating_perilaku_kerja=S,
            predikat=pred,
        )


def _unduh(page, link) -> bytes:
    with page.expect_download() as dl:
        link.click()
    return Path(dl.value.path()).read_bytes()


def test_bkd_closes_the_year_and_follows_up(e2e_org, login, shot, live_server):
    from openpyxl import load_workbook
    from pypdf import PdfReader

    from evaluasi.models import Evaluasi, KasusSanksi, KinerjaOrganisasi, PenutupanTahun
    from tests.evaluasi.conftest import final, ko

    org = e2e_org
    url = live_server.url
    tahun = org.periode_a.tahun
    _tahun_lalu(org, {org.pegawai: "sangat_baik", org.rekan: "baik"})
    ko(org, org.unit_bidang, "baik")
    ko(org, org.unit_dinas, "baik")
    final(org, "pegawai", A, A)  # Sangat Baik, as last year: talent pool
    final(org, "rekan", S, S)  # Baik, as last year: development
    final(org, "staf_dinas", B, B)  # Sangat Kurang: a sanction case
    final(org, "kadis", S, S)
    predikat = dict(
        Evaluasi.objects.filter(periode=org.periode_a, jenis="tahunan").values_list(
            "pegawai__nama", "predikat"
        )
    )
    assert predikat[org.staf_dinas.nama] == "sangat_kurang"
    assert predikat[org.pegawai.nama] == "sangat_baik"

    # 1. The completeness report: who lacks an approved SKP or a final evaluation, which units
    # lack kinerja organisasi.
    page = login(org.admin_a)
    page.on("dialog", lambda d: d.accept())
    klik_menu(page, "Tutup tahun")
    lengkap = page.locator("#kelengkapan")
    expect(lengkap).to_contain_text("Belum memiliki SKP disetujui")
    expect(lengkap).to_contain_text(org.fungsional.nama)
    expect(lengkap.locator("ul").nth(2)).to_contain_text("Badan Kepegawaian Daerah")
    assert org.staf_dinas.nama not in lengkap.locator("ul").nth(1).inner_text()
    shot("j5_01_kelengkapan")

    # ...and chases a gap: the BKD's own kinerja organisasi for the year.
    page.click("text=Tetapkan kinerja organisasi")
    row = page.locator("#tabel-ko tr", has_text="Badan Kepegawaian Daerah").first
    row.locator("summary", has_text="Tetapkan").click()  # the form opens in place
    row.locator("select[name=predikat]").select_option("baik")
    row.locator("textarea[name=capaian]").fill("Capaian perjanjian kinerja BKD 96%")
    row.locator("button:has-text('Simpan')").click()
    expect(page.locator(".messages")).to_contain_text(
        "Kinerja organisasi Badan Kepegawaian Daerah ditetapkan."
    )
    assert KinerjaOrganisasi.objects.filter(unit_kerja=org.unit_bkd, jenis="tahunan").exists()
    page.goto(f"{url}/evaluasi/tutup-tahun/")
    expect(page.locator("#kelengkapan ul").nth(2)).not_to_contain_text("Badan Kepegawaian Daerah")

    # 2. The close, with its progress bar.
    page.click("button:has-text('Mulai penutupan tahun')")
    expect(page.locator(".messages")).to_contain_text("Penutupan tahun dimulai.")
    bar = page.locator("#penutupan progress")
    expect(bar).to_have_attribute("value", "100", timeout=45_000)
    expect(page.locator("#penutupan .job-progres")).to_contain_text("Selesai")
    page.reload()  # the downloads appear once the close has completed
    expect(page.locator("#penutupan")).to_contain_text("Unduhan")
    shot("j5_02_penutupan_selesai")
    pen = PenutupanTahun.objects.get(periode=org.periode_a)
    org.periode_a.refresh_from_db()
    assert pen.status == "selesai" and org.periode_a.status == "ditutup"

    # ...the zip of evaluation PDFs of one dinas,
    unduhan = page.locator("#penutupan ul")
    data = _unduh(page, unduhan.locator("a", has_text="Dinas Komunikasi dan Informatika"))
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        names = z.namelist()
        pdfs = [n for n in names if n.endswith(".pdf")]
        assert len(pdfs) == 2, names  # the kadis and his staff
        isi = " ".join(
            PdfReader(io.BytesIO(z.read(n))).pages[0].extract_text() for n in pdfs
        ).replace("\n", " ")
    assert all(z_name.endswith(".pdf") for z_name in pdfs)
    assert "DOKUMEN EVALUASI KINERJA PEGAWAI" in isi
    assert org.staf_dinas.nama in isi and org.kadis.nama in isi
    assert org.pegawai.nama not in isi  # another unit's people are in another zip
    # ...and the recap spreadsheet.
    data = _unduh(page, unduhan.locator("a", has_text="Rekap evaluasi"))
    wb = load_workbook(io.BytesIO(data), read_only=True)
    cells = [str(c) for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for c in row]
    for nama in (org.pegawai.nama, org.rekan.nama, org.staf_dinas.nama, org.kadis.nama):
        assert nama in cells, nama
    assert any("Sangat Kurang" in c for c in cells)

    # 3. Follow-up lists: talent pool, development, nine-box.
    klik_menu(page, "Tindak lanjut")
    daftar = page.locator("#daftar-tindak-lanjut")
    expect(daftar.locator("tr", has_text=org.pegawai.nama)).to_contain_text("Talent pool")
    expect(daftar.locator("tr", has_text=org.rekan.nama)).to_contain_text("Pengembangan")
    page.locator("#talent-pool").click()  # the number opens the list filtered to it
    expect(daftar).to_contain_text(org.pegawai.nama)
    expect(daftar).not_to_contain_text(org.rekan.nama)
    klik_menu(page, "Tindak lanjut")
    nine = page.locator("#nine-box")
    expect(nine.locator("td.kotak")).to_have_count(9)
    nine.locator("summary", has_text="Potensi belum diisi").click()
    baris = nine.locator("tr", has_text=org.pegawai.nama)
    baris.locator("select[name=potensi]").select_option("tinggi")
    baris.locator("input[name=sumber]").fill("Asesmen kompetensi UPT Penilaian 2025")
    baris.locator("button:has-text('Simpan')").click()
    expect(page.locator(".messages")).to_contain_text("Tersimpan.")
    # Sangat Baik (above expectation) with high potential: the top-right box holds her.
    kanan_atas = page.locator("#nine-box tbody tr").first.locator("td.kotak").last
    expect(kanan_atas).to_contain_text("1 pegawai")
    kanan_atas.locator("a", has_text="1 pegawai").click()
    expect(page.locator("#daftar-tindak-lanjut tbody tr")).to_have_count(1)
    expect(page.locator("#daftar-tindak-lanjut")).to_contain_text(org.pegawai.nama)
    shot("j5_03_tindak_lanjut")

    # 4. A sanction case for the pegawai rated Sangat Kurang, and a step with its deadline.
    sanksi = page.locator("#sanksi")
    sanksi.locator("summary", has_text="Predikat Kurang / Sangat Kurang").click()
    kandidat = sanksi.locator("tr", has_text=org.staf_dinas.nama)
    expect(kandidat).to_contain_text("Sangat Kurang")
    kandidat.locator("input[name=alasan]").fill(f"Predikat Sangat Kurang tahun {tahun}")
    kandidat.locator("button:has-text('Buka kasus')").click()
    expect(page.locator(".messages")).to_contain_text("Kasus sanksi dibuka.")
    expect(page.locator("h1")).to_contain_text(org.staf_dinas.nama)
    kasus = KasusSanksi.objects.get(pegawai=org.staf_dinas)
    [perbaikan] = kasus.langkah_set.all()
    assert perbaikan.langkah == "perbaikan" and perbaikan.batas is not None
    # After the six months to improve: a competence test, with its own deadline.
    mulai, batas = perbaikan.batas, perbaikan.batas + dt.timedelta(days=30)
    page.select_option("#id_langkah", "uji_kompetensi")
    page.fill("#id_mulai", mulai.isoformat())
    page.fill("#id_batas", batas.isoformat())
    page.fill("#id_catatan", "Uji kompetensi di UPT Penilaian Kompetensi BKD")
    page.click("button:has-text('Catat')")
    expect(page.locator(".messages")).to_contain_text("Langkah dicatat.")
    langkah = page.locator("table tbody tr")
    expect(langkah).to_have_count(2)
    expect(langkah.nth(1)).to_contain_text("Uji kompetensi kembali")
    expect(langkah.nth(1)).to_contain_text(str(batas.year))
    shot("j5_04_kasus_sanksi")
    uji = kasus.langkah_set.get(langkah="uji_kompetensi")
    assert (uji.mulai, uji.batas, uji.diputuskan_oleh) == (mulai, batas, org.admin_a)
    klik_menu(page, "Tindak lanjut")
    expect(page.locator("#sanksi tbody tr", has_text=org.staf_dinas.nama)).to_contain_text(
        "Uji kompetensi"
    )

    # 5. e-Kinerja pulls the year's predikat with its token.
    from tests.personas import PASSWORD

    started = timezone.now()
    r = requests.post(
        f"{url}/api/v1/auth/token/",
        json={"username": org.admin_a.username, "password": PASSWORD},
        timeout=10,
    )
    assert r.status_code == 200, r.text
    token = r.json()["token"]
    params = {"periode": org.periode_a.pk, "jenis": "tahunan", "page_size": 200}
    assert requests.get(f"{url}/api/v1/evaluasi/", params=params, timeout=10).status_code == 401
    r = requests.get(
        f"{url}/api/v1/evaluasi/",
        params=params,
        headers={"Authorization": f"Token {token}"},
        timeout=10,
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["count"] == 4 and body["next"] is None
    ids = {p.pk: p.nama for p in (org.pegawai, org.rekan, org.staf_dinas, org.kadis)}
    got = {ids[e["pegawai"]]: (e["predikat"], e["status"]) for e in body["results"]}
    assert got == {n: (predikat[n], "final") for n in ids.values()}
    assert (timezone.now() - started).total_seconds() < 10
