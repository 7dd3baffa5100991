"""Journey 4 in a real browser (headless Chromium from Debian through Playwright): the penilai
rates, the predikat appears from the quadrant, the distribution asks for a justification, the
pegawai sees the final result and downloads the document."""

from __future__ import annotations

import os

import pytest
from playwright.sync_api import expect

from tests.conftest import SHOTS

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = pytest.mark.e2e


def test_penilai_rates_finalises_with_justification_and_pegawai_downloads(
    e2e_org, login, live_server
):
    from evaluasi.models import Evaluasi, JustifikasiDistribusi
    from kinerja.services import penilai_refresh
    from tests.evaluasi.conftest import ko, skp_disetujui
    from tests.factories import PegawaiFactory

    org = e2e_org
    ko(org, org.unit_bidang, "baik")
    skp_disetujui(org.pegawai, org.periode_a, n_rhk=2)
    for _ in range(3):
        PegawaiFactory(instansi=org.instansi_a, jabatan=org.pegawai.jabatan)
    penilai_refresh(instansi=org.instansi_a)
    for p in org.kasubbid.dinilai_set.exclude(pk=org.pegawai.pk):
        Evaluasi.objects.create(
            pegawai=p,
            periode=org.periode_a,
            jenis="tahunan",
            status="final",
            pejabat_penilai=org.kasubbid,
            rating_hasil_kerja="sesuai_ekspektasi",
            rating_perilaku_kerja="sesuai_ekspektasi",
            predikat="baik",
        )
    SHOTS.mkdir(parents=True, exist_ok=True)

    page = login(org.kasubbid.user)
    page.on("dialog", lambda d: d.accept())
    page.goto(f"{live_server.url}/evaluasi/tim/?jendela=akhir")
    page.click(f"#tabel-tim tr:has-text('{org.pegawai.nama}') a.button")
    page.click("button:has-text('Mulai evaluasi')")
    for sel in page.locator("select[name^='rhk-']").all():
        sel.select_option("sesuai_ekspektasi")
    page.select_option("#id_rating_hasil_kerja", "sesuai_ekspektasi")
    page.select_option("#id_rating_perilaku_kerja", "sesuai_ekspektasi")
    expect(page.locator("#predikat-hasil")).to_contain_text("Baik")
    page.fill("#perilaku-kolaboratif", "Aktif di tim lintas unit")
    page.screenshot(path=str(SHOTS / "evaluasi-nilai.png"), full_page=True)
    page.click("button[value=finalisasi]")
    # five of five Baik in a Baik unit: outside the guidance, a justification is asked for
    page.wait_for_selector("#justifikasi")
    assert "Baik 5 dari 5 = 100% > 70%" in page.inner_text("main")
    page.fill(
        "#justifikasi", "Seluruh anggota tim memenuhi ekspektasi; tidak ada kinerja di bawah."
    )
    page.click("button[value=finalisasi]")
    page.wait_for_selector("text=Evaluasi difinalisasi.")
    ev = Evaluasi.objects.get(pegawai=org.pegawai, jenis="tahunan")
    assert ev.status == "final" and ev.predikat == "baik"
    assert JustifikasiDistribusi.objects.filter(pejabat_penilai=org.kasubbid).exists()
    page.screenshot(path=str(SHOTS / "evaluasi-final.png"), full_page=True)

    page = login(org.pegawai.user)
    page.goto(f"{live_server.url}/evaluasi/saya/")
    assert "Baik" in page.inner_text("main")
    with page.expect_download() as dl:
        page.click("a:has-text('PDF')")
    path = dl.value.path()
    from pypdf import PdfReader

    text = PdfReader(str(path)).pages[0].extract_text()
    assert "DOKUMEN EVALUASI KINERJA PEGAWAI" in text and org.pegawai.nama in text
