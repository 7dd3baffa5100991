"""The keberatan journey in a real browser (headless Chromium from Debian through Playwright):
the pegawai files within the window (a refused empty form keeps the attachment prompt and the
countdown), the atasan asks both parties, each answers in the thread, the atasan changes the
result (the predikat preview follows the quadrant), and the pegawai sees the final decision and
the new predikat. Another instansi's admin finds nothing."""

from __future__ import annotations

import os

import pytest
from playwright.sync_api import expect

from tests.conftest import SHOTS
from tests.e2e.bantu import klik_menu

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = pytest.mark.e2e


def test_keberatan_from_filing_to_a_changed_result(e2e_org, login, shot, live_server, tmp_path):
    from evaluasi.models import Evaluasi, Keberatan
    from tests.dialog.conftest import pdf_bytes
    from tests.evaluasi.conftest import final

    org = e2e_org
    ev = final(org)
    assert ev.predikat == "baik"
    bukti = tmp_path / "bukti-capaian.pdf"
    bukti.write_bytes(pdf_bytes())

    # --- the pegawai: her result, the countdown, the form ----------------------------------
    page = login(org.pegawai.user)
    page.on("dialog", lambda d: d.accept())
    page.goto(f"{live_server.url}/evaluasi/saya/")
    expect(page.locator("main")).to_contain_text("Ajukan keberatan")
    page.goto(f"{live_server.url}/evaluasi/{ev.pk}/")
    section = page.locator("#keberatan")
    expect(section).to_contain_text("Anda dapat mengajukan keberatan")
    # the static countdown script keeps the server's text current (no inline script: CSP)
    expect(section.locator("[data-hitung-mundur]")).to_have_text("sisa 14 hari lagi")
    shot("keberatan-evaluasi-pegawai")
    section.get_by_role("link", name="Ajukan keberatan").click()
    page.wait_for_url(f"**/evaluasi/{ev.pk}/keberatan/")
    page.click("button:has-text('Ajukan keberatan')")
    expect(page.locator("#form-keberatan")).to_contain_text("Tuliskan alasan keberatan Anda.")
    page.fill("#id_alasan", "Tiga dari empat target terlampaui; bukti capaian terlampir.")
    page.set_input_files("#id_lampiran", str(bukti))
    page.click("button:has-text('Ajukan keberatan')")
    page.wait_for_url("**/evaluasi/keberatan/*/")
    expect(page.locator("main")).to_contain_text("Keberatan Anda telah diajukan.")
    expect(page.locator("#ringkasan")).to_contain_text("bukti-capaian.pdf")
    k = Keberatan.objects.get()
    assert k.pemutus_id == org.kabid.pk

    # --- the atasan: the queue, asking both parties ---------------------------------------
    page = login(org.kabid.user)
    page.on("dialog", lambda d: d.accept())
    page.goto(f"{live_server.url}/")
    klik_menu(page, "Keberatan")
    page.get_by_role("link", name="Periksa dan putuskan").click()
    page.check("#aksi-minta input[value='pejabat_penilai']")
    page.check("#aksi-minta input[value='pegawai']")
    page.fill("#id_pertanyaan", "Mohon jelaskan dasar rating hasil kerja dan buktinya.")
    page.click("#aksi-minta button")
    expect(page.locator("#penjelasan")).to_contain_text("belum dijawab")

    # --- each party answers; both see the whole thread ------------------------------------
    for who, isi in (
        (org.kasubbid, "Target keempat tidak tercapai dan bobotnya terbesar."),
        (org.pegawai, "Target keempat tertunda karena anggaran dipotong pada triwulan III."),
    ):
        page = login(who.user)
        page.goto(f"{live_server.url}/evaluasi/keberatan/{k.pk}/")
        page.fill("#aksi-jelaskan textarea", isi)
        page.click("#aksi-jelaskan button")
        expect(page.locator("#penjelasan")).to_contain_text(isi)
    expect(page.locator("#penjelasan")).to_contain_text("Target keempat tidak tercapai")
    expect(page.locator("#penjelasan")).not_to_contain_text("belum dijawab")
    shot("keberatan-thread-pegawai")

    # --- the atasan decides: changed, with the predikat preview ---------------------------
    page = login(org.kabid.user)
    page.on("dialog", lambda d: d.accept())
    page.goto(f"{live_server.url}/evaluasi/keberatan/{k.pk}/")
    page.check("#aksi-putus input[value='diubah']")
    page.select_option("#id_rating_hasil_kerja", "diatas_ekspektasi")
    page.select_option("#id_rating_perilaku_kerja", "diatas_ekspektasi")
    expect(page.locator("#predikat-hasil")).to_contain_text("Sangat Baik")
    page.fill("#id_alasan_keputusan", "Penundaan di luar kendali pegawai; capaian lain melampaui.")
    shot("keberatan-putuskan")
    page.click("#aksi-putus button.primary")
    expect(page.locator("#keputusan")).to_contain_text("Diubah")
    expect(page.locator("main")).not_to_contain_text("Putuskan keberatan")

    # --- the pegawai sees the final decision and the new result ---------------------------
    page = login(org.pegawai.user)
    page.goto(f"{live_server.url}/evaluasi/{ev.pk}/")
    expect(page.locator("#ringkasan")).to_contain_text("Sangat Baik")
    expect(page.locator("#keberatan")).to_contain_text("Diubah")
    expect(page.locator("main")).not_to_contain_text("Ajukan keberatan")
    shot("keberatan-hasil-pegawai")
    assert Evaluasi.objects.get(pk=ev.pk).predikat == "sangat_baik"

    # --- another instansi's admin finds nothing -------------------------------------------
    page = login(org.admin_b)
    resp = page.goto(f"{live_server.url}/evaluasi/keberatan/{k.pk}/")
    assert resp.status == 404
    assert SHOTS.exists()
