"""Journey 1 in a real browser (system Chromium): the leader cascades, the pelaksana drafts,
the penilai returns then approves, the pegawai downloads the PDF."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from skp import services
from tests.skp.factories import rhk

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
pytestmark = pytest.mark.e2e


def test_journey_cascade_draft_return_approve_pdf(e2e_org, login, shot, live_server):
    org = e2e_org
    # The kasubbid's own results and her matrix for the pelaksana (applied in the browser).
    own = services.skp_buat(pegawai=org.kasubbid, periode=org.periode_a, user=org.kasubbid.user)
    kolom = rhk(own, org.kasubbid.user, rencana="Layanan kenaikan pangkat tepat waktu")
    m = services.matriks_buat(pemimpin=org.kasubbid, periode=org.periode_a, user=org.kasubbid.user)
    services.peran_hasil_simpan(
        matriks=m,
        user=org.kasubbid.user,
        anggota=org.pegawai,
        kolom_kunci=kolom.kunci,
        peran_hasil="Usulan persetujuan teknis kenaikan pangkat disusun akurat",
    )
    page = login(org.kasubbid)
    page.goto(f"{live_server.url}/skp/matriks/{m.pk}/")
    page.click("text=Terapkan matriks")
    page.wait_for_selector("text=Matriks diterapkan")
    shot("skp_01_matriks_diterapkan")

    # The pelaksana finds the row, adds indikator, a Tambahan row (an error first), submits.
    page = login(org.pegawai)
    page.click("#tugas-skp a.button")
    page.wait_for_selector("text=Mengintervensi RHK pimpinan")
    page.locator("#grup-utama >> text=Ubah").first.click()
    form = page.locator("#grup-utama form.rhk-form")
    form.locator("input[name='indikator-0-indikator']").fill("Persentase usulan tidak BTL")
    form.locator("input[name='indikator-0-target']").fill("90 – 95 %")
    form.locator("button.primary").click()
    page.wait_for_selector("#grup-utama >> text=90 – 95 %")
    page.click("text=+ Tambah hasil kerja tambahan")
    baru = page.locator("#rhk-baru-tambahan")
    baru.locator("textarea[name=rencana]").fill("Dokumentasi SOP layanan")
    baru.locator("input[name='indikator-0-indikator']").fill("Jumlah SOP")
    baru.locator("button.primary").click()
    page.wait_for_selector("#rhk-baru-tambahan >> text=Isi target")
    assert baru.locator("textarea[name=rencana]").input_value() == "Dokumentasi SOP layanan"
    assert baru.locator("input[name='indikator-0-indikator']").input_value() == "Jumlah SOP"
    baru.locator("input[name='indikator-0-target']").fill("2 SOP")
    baru.locator("button.primary").click()
    page.wait_for_selector("#grup-tambahan >> text=2 SOP")
    page.fill("#id_dukungan_sumber_daya", "Akses SIASN")
    page.click("text=Simpan lampiran")
    page.wait_for_selector("text=Lampiran SKP disimpan")
    shot("skp_02_draft_pegawai")
    page.click("text=Ajukan kepada pejabat penilai")
    page.wait_for_selector("text=SKP diajukan kepada pejabat penilai")

    # The penilai returns it with a note; she fixes and resubmits; he approves.
    page = login(org.kasubbid)
    page.goto(f"{live_server.url}/skp/persetujuan/")
    shot("skp_03_antrian")
    page.click("text=Periksa")
    page.fill("#catatan", "Target SOP sebaiknya 3")
    page.click("text=Kembalikan dengan catatan")
    page.wait_for_selector("text=SKP dikembalikan")
    page = login(org.pegawai)
    page.click("#tugas-skp a.button")
    page.wait_for_selector("text=Target SOP sebaiknya 3")
    page.locator("#grup-tambahan >> text=Ubah").first.click()
    page.locator("#grup-tambahan input[name='indikator-0-target']").fill("3 SOP")
    page.locator("#grup-tambahan button.primary").click()
    page.wait_for_selector("#grup-tambahan >> text=3 SOP")
    page.click("text=Ajukan kepada pejabat penilai")
    page.wait_for_selector("text=SKP diajukan")
    page = login(org.kasubbid)
    page.goto(f"{live_server.url}/skp/persetujuan/")
    page.click("text=Periksa")
    page.click("text=Setujui SKP")
    page.wait_for_selector("text=SKP disetujui")

    # She asks for the PDF, watches the progress bar, downloads it.
    page = login(org.pegawai)
    page.click("#tugas-skp a.button")
    page.click("text=Buat PDF SKP")
    link = page.locator("#pdf-progres a:has-text('Unduh')")
    link.wait_for(timeout=30000)
    shot("skp_04_pdf_siap")
    with page.expect_download() as dl:
        link.click()
    path = dl.value.path()
    assert Path(path).read_bytes().startswith(b"%PDF")


def test_typing_in_one_row_survives_adding_another(e2e_org, login, live_server):
    org = e2e_org
    skp = services.skp_buat(pegawai=org.pegawai, periode=org.periode_a, user=org.pegawai.user)
    rhk(skp, org.pegawai.user, rencana="Baris pertama")
    rhk(skp, org.pegawai.user, rencana="Baris lain")
    page = login(org.pegawai)
    page.goto(f"{live_server.url}/skp/{skp.pk}/")
    page.locator("#grup-utama >> text=Ubah").first.click()
    edit = page.locator("#grup-utama form.rhk-form").first
    edit.locator("textarea[name=rencana]").fill("Baris pertama, setengah diketik")
    # While a row is open, the group's move/remove buttons rest.
    naik = page.locator("#grup-utama button[title=Naikkan]").first
    assert naik.evaluate("b => getComputedStyle(b).pointerEvents") == "none"
    page.click("text=+ Tambah hasil kerja utama")
    baru = page.locator("#rhk-baru-utama")
    baru.locator("textarea[name=rencana]").fill("Baris kedua")
    baru.locator("input[name='indikator-0-indikator']").fill("IKI")
    baru.locator("input[name='indikator-0-target']").fill("1 dokumen")
    baru.locator("button.primary").click()
    page.wait_for_selector("#daftar-utama >> text=1 dokumen")
    assert page.locator("#daftar-utama article.rhk").count() == 2  # the other and the new one
    assert edit.locator("textarea[name=rencana]").input_value() == "Baris pertama, setengah diketik"
    assert page.locator("#rhk-baru-utama").count() == 0
