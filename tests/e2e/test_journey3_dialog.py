"""Journey 3 in a real browser: feedback, records and dialog through the year.

She records realisasi per row and uploads bukti dukung (a PDF and a photo; files whose extension
lies are refused in Bahasa Indonesia and nothing is kept); her penilai's team page shows who has
had no feedback this window; he gives appreciation on a row and a point to improve on
"Kolaboratif"; a peer gives feedback too, and she (as his subordinate) gives her penilai upward
feedback - the persona pegawai is a pelaksana with nobody below her, so the subordinate's voice
is hers; a coaching session is recorded with a follow-up and a due date; the reminder engine
(run in-process, as tests/kinerja/test_pengingat.py does) reminds her before it is due; her year
page shows it all in time order."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.e2e.bantu import klik_menu

pytestmark = pytest.mark.e2e


def _berkas(name: str, mime: str, data: bytes) -> dict:
    return {"name": name, "mimeType": mime, "buffer": data}


def _media_files(settings) -> list:
    from pathlib import Path

    root = Path(settings.MEDIA_ROOT)
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def test_realisasi_evidence_feedback_coaching_reminder_year(
    e2e_org, login, shot, live_server, settings
):
    from dialog.models import BuktiDukung, DialogKinerja, Realisasi, TindakLanjut, UmpanBalik
    from kinerja import pengingat
    from kinerja.models import Notifikasi
    from kinerja.rules import jendela_pada
    from tests.dialog.conftest import pdf_bytes, png_bytes
    from tests.skp.factories import skp_disetujui

    org = e2e_org
    url = live_server.url
    skp = skp_disetujui(org, n_rhk=2)
    baris1, baris2 = skp.rencana_set.order_by("urutan")
    Notifikasi.objects.update(dibaca=True)
    today = timezone.localdate()
    jendela = jendela_pada(org.periode_a.tahun, org.periode_a.frekuensi, today)
    kartu = f"#jendela-{jendela.urutan}"

    # 1. Realisasi per row for this quarter, from her documentation page.
    page = login(org.pegawai.user)
    klik_menu(page, "Dokumentasi")
    expect(page.locator("#tabel-dokumentasi tbody tr")).to_have_count(2)
    page.click(f"#tabel-dokumentasi >> text={baris1.rencana}")
    card = page.locator(kartu)
    expect(card.locator("h2")).to_contain_text(
        f"Triwulan {['I', 'II', 'III', 'IV'][jendela.urutan - 1]}"
    )
    card.locator("textarea[name=uraian]").fill(
        "Rekap data kinerja 4 bidang selesai dan diverifikasi"
    )
    card.locator("input[name=angka]").fill("92.5")
    card.locator("input[name=satuan]").fill("%")
    card.locator("button:has-text('Simpan realisasi')").click()
    expect(page.locator(".messages")).to_contain_text("Realisasi tersimpan.")
    expect(card.locator(".realisasi-isi")).to_contain_text("92,50 %")  # Indonesian decimal comma
    realisasi = Realisasi.objects.get(rencana_hasil_kerja=baris1, urutan=jendela.urutan)

    # 2. Bukti dukung: a real PDF and a PNG succeed.
    for judul, berkas in (
        ("Laporan rekap triwulan", _berkas("rekap.pdf", "application/pdf", pdf_bytes())),
        ("Foto rapat verifikasi", _berkas("rapat.png", "image/png", png_bytes())),
    ):
        card.locator("input[name=judul]").first.fill(judul)
        card.locator("input[name=berkas]").set_input_files(berkas)
        card.locator("button:has-text('Unggah')").click()
        expect(page.locator(".messages")).to_contain_text("Bukti dukung tersimpan.")
        expect(card.locator("ul.bukti")).to_contain_text(judul)
    expect(card.locator("ul.bukti")).to_contain_text("PDF")
    expect(card.locator("ul.bukti")).to_contain_text("PNG")
    bukti = {b.ekstensi: b for b in BuktiDukung.objects.filter(realisasi=realisasi)}
    assert set(bukti) == {"pdf", "png"} and bukti["pdf"].mime == "application/pdf"
    # The evidence streams back through the policy with its real type.
    unduh = page.request.get(f"{url}/dialog/bukti/{bukti['pdf'].pk}/unduh/")
    assert unduh.ok and unduh.headers["content-type"] == "application/pdf"
    assert unduh.body().startswith(b"%PDF")
    sebelum = (BuktiDukung.objects.count(), _media_files(settings))
    assert len(sebelum[1]) == 2

    # ...files whose extension lies are refused with a message, and nothing changes.
    for nama, isi, pesan in (
        ("laporan.pdf", b"Ini hanya teks biasa, bukan PDF.\n" * 20, "Jenis berkas tidak diizinkan"),
        ("laporan-foto.pdf", png_bytes(), "Ekstensi berkas (.pdf) tidak sesuai dengan isinya"),
    ):
        card = page.locator(kartu)
        card.locator("input[name=judul]").first.fill("Bukti palsu")
        card.locator("input[name=berkas]").set_input_files(_berkas(nama, "application/pdf", isi))
        card.locator("button:has-text('Unggah')").click()
        galat = page.locator(f"{kartu} .has-error .errorlist")
        expect(galat).to_contain_text(pesan)
        expect(page.locator(".messages")).to_have_count(0)
        assert (BuktiDukung.objects.count(), _media_files(settings)) == sebelum
    shot("j3_01_bukti_ditolak")
    expect(page.locator(f"{kartu} ul.bukti li")).to_have_count(2)

    # The second row, this quarter too; the documentation table shows both filled.
    page.click("text=← Kembali")
    page.click(f"#tabel-dokumentasi >> text={baris2.rencana}")
    card = page.locator(kartu)
    card.locator("textarea[name=uraian]").fill("Dua laporan analisis jabatan disusun")
    card.locator("button:has-text('Simpan realisasi')").click()
    expect(page.locator(".messages")).to_contain_text("Realisasi tersimpan.")
    page.click("text=← Kembali")
    kolom = jendela.urutan + 1  # first column is the row
    for tr in page.locator("#tabel-dokumentasi tbody tr").all():
        expect(tr.locator(f"td:nth-child({kolom})")).to_contain_text("Terisi")
    shot("j3_02_dokumentasi")

    # 3. The penilai's team page: nobody has had feedback from him this window.
    page = login(org.kasubbid.user)
    klik_menu(page, "Umpan balik")
    page.click("text=Cakupan umpan balik")
    expect(page.locator("#cakupan-ringkas")).to_contain_text("0 dari 2")
    tim = page.locator("#tabel-cakupan")
    for p in (org.pegawai, org.rekan):
        expect(tim.locator("tr", has_text=p.nama)).to_contain_text("Belum ada")
    shot("j3_03_tim_belum")

    # ...appreciation on a row, then a point to improve on Kolaboratif.
    for sasaran, jenis, isi in (
        (f"rhk:{baris1.pk}", "apresiasi", "Rekap data kinerja rapi dan tepat waktu."),
        ("perilaku:kolaboratif", "perbaikan", "Libatkan bidang lain lebih awal saat rekap data."),
    ):
        page.goto(f"{url}/dialog/tim/")
        page.locator("#tabel-cakupan tr", has_text=org.pegawai.nama).locator(
            "text=Beri umpan balik"
        ).click()
        expect(page.locator("main")).to_contain_text("Anda sebagai Pejabat penilai")
        page.select_option("#id_sasaran", sasaran)
        page.check(f"input[name=jenis][value={jenis}]")
        page.fill("#id_isi", isi)
        page.click("button:has-text('Simpan umpan balik')")
        expect(page.locator(".messages")).to_contain_text("tersimpan")
    page.goto(f"{url}/dialog/tim/")
    expect(page.locator("#cakupan-ringkas")).to_contain_text("1 dari 2")
    tim = page.locator("#tabel-cakupan")
    expect(tim.locator("tr", has_text=org.pegawai.nama)).to_contain_text("2 umpan balik")
    expect(tim.locator("tr", has_text=org.rekan.nama)).to_contain_text("Belum ada")
    shot("j3_04_tim_sesudah")

    # 4. A peer gives her feedback, choosing her from his list.
    page = login(org.rekan.user)
    klik_menu(page, "Umpan balik")
    page.click("text=Beri umpan balik")
    page.select_option("#id_penerima", str(org.pegawai.pk))
    page.click("button:has-text('Lanjut')")
    expect(page.locator("main")).to_contain_text("Anda sebagai Rekan kerja")
    # A peer may not comment on her rencana hasil kerja, only on behaviour or in general.
    assert page.locator(f"#id_sasaran option[value='rhk:{baris1.pk}']").count() == 0
    page.select_option("#id_sasaran", "perilaku:kolaboratif")
    page.check("input[name=jenis][value=apresiasi]")
    page.fill("#id_isi", "Selalu siap membantu saat data bidang kami terlambat.")
    page.click("button:has-text('Simpan umpan balik')")
    expect(page.locator(".messages")).to_contain_text("tersimpan")

    # ...and she, as his subordinate, gives her penilai upward feedback.
    page = login(org.pegawai.user)
    page.goto(f"{url}/dialog/umpan-balik/beri/")
    page.select_option("#id_penerima", str(org.kasubbid.pk))
    page.click("button:has-text('Lanjut')")
    expect(page.locator("main")).to_contain_text("Anda sebagai Bawahan")
    page.check("input[name=jenis][value=apresiasi]")
    page.fill("#id_isi", "Arahan rekap data jelas; mohon jadwal konsultasi rutin tiap bulan.")
    page.click("button:has-text('Simpan umpan balik')")
    expect(page.locator(".messages")).to_contain_text("tersimpan")
    hubungan = dict(UmpanBalik.objects.values_list("isi", "hubungan"))
    assert sorted(hubungan.values()) == ["bawahan", "pejabat_penilai", "pejabat_penilai", "rekan"]

    # 5. A coaching session with an agreed follow-up and its due date.
    tenggat = today + dt.timedelta(days=3)
    page = login(org.kasubbid.user)
    klik_menu(page, "Dialog kinerja")
    page.click("text=Catat dialog")
    page.select_option("#id_pegawai", str(org.pegawai.pk))
    page.select_option("#id_jenis", "bimbingan")
    page.fill("#id_waktu", f"{today.isoformat()}T00:00")
    page.fill("#id_agenda", "Bimbingan kinerja: kolaborasi lintas bidang dalam rekap data")
    page.fill("#id_catatan", "Disepakati rapat koordinasi data dengan bidang lain.")
    page.fill("#id_tl_uraian", "Menyusun jadwal rapat koordinasi data lintas bidang")
    page.fill("#id_tl_tenggat", tenggat.isoformat())
    page.select_option("#id_tl_oleh", "pegawai")
    shot("j3_05_dialog_form")
    page.click("button:has-text('Simpan')")
    expect(page.locator(".messages")).to_contain_text("Dialog kinerja tercatat.")
    expect(page.locator("h1")).to_contain_text("Bimbingan kinerja")
    expect(page.locator("#tindak-lanjut")).to_contain_text("Menyusun jadwal rapat koordinasi")
    expect(page.locator("#tindak-lanjut")).to_contain_text(org.pegawai.nama)
    d = DialogKinerja.objects.get()
    [tl] = TindakLanjut.objects.filter(dialog=d)
    assert (d.jenis, tl.tenggat, tl.penanggung_jawab, tl.selesai) == (
        "bimbingan",
        tenggat,
        org.pegawai,
        False,
    )

    # 6. The daily reminder run (in-process) reminds her before it is due; once a day.
    assert pengingat.jalankan_instansi(org.instansi_a, today, hanya={"tindak_lanjut_jatuh_tempo"})
    assert not pengingat.jalankan_instansi(
        org.instansi_a, today, hanya={"tindak_lanjut_jatuh_tempo"}
    )
    [n] = Notifikasi.objects.filter(penerima=org.pegawai.user, jenis="tindak_lanjut_jatuh_tempo")
    assert tenggat.strftime("%d-%m-%Y") in n.pesan
    page = login(org.pegawai.user)
    expect(page.locator("#lonceng .badge")).to_be_visible()
    page.click("#lonceng")
    item = page.locator(f"#notifikasi-{n.pk}")
    expect(item).to_contain_text(f"jatuh tempo {tenggat:%d-%m-%Y}")
    shot("j3_06_pengingat")
    item.locator("button:has-text('Buka')").click()
    page.wait_for_url(re.compile(rf"/dialog/dialog-kinerja/{d.pk}/$"))
    expect(page.locator("#tindak-lanjut")).to_contain_text("Belum")

    # 7. Her year page: everything, newest first.
    klik_menu(page, "Tahun saya")
    items = page.locator("ol.linimasa li.peristiwa")
    jenis = [
        re.search(r"peristiwa-(\w+)", c).group(1)
        for c in items.evaluate_all("els => els.map(e => e.className)")
    ]
    # three pieces of feedback (the last given first), two realisasi, her SKP, the coaching
    # session held at midnight today (recorded last but earliest in time).
    assert jenis == ["umpan_balik"] * 3 + ["realisasi"] * 2 + ["skp", "dialog"], jenis
    teks = [t.strip() for t in items.all_inner_texts()]
    assert "Selalu siap membantu" in teks[0] and "Rekan kerja" in teks[0]
    assert "Perlu perbaikan" in teks[1] and "Kolaboratif" in teks[1]
    assert "Apresiasi" in teks[2] and baris1.rencana[:40] in teks[2]
    assert "2 bukti" in teks[4]
    romawi = ["I", "II", "III", "IV"][jendela.urutan - 1]
    assert f"Realisasi Triwulan {romawi}" in teks[3] and f"Realisasi Triwulan {romawi}" in teks[4]
    assert "Menyusun jadwal rapat koordinasi" in teks[6] and tenggat.strftime("%d") in teks[6]
    shot("j3_07_tahun_saya")
