"""Kelola organisasi in a real browser (issue 16): the admin BKD finds a pegawai, records a
mutasi with a TMT in the past month, picks the new post with the search box, and sees the
riwayat jabatan and the new penilai (the old one still recorded before the TMT); then she names a
Plt, with its end, for a post left vacant, and the Plt's people are rated by the Plt.
Screenshots at desktop width and at 390 px (a phone)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.e2e.bantu import klik_menu

pytestmark = pytest.mark.e2e


def _pilih(page, field: str, cari: str, label: str) -> None:
    """Type into a picker's search box and choose the option htmx brings in."""
    page.fill(f"#id_{field}_cari", cari)
    opsi = page.locator(f"#id_{field} option", has_text=label)
    expect(opsi).to_have_count(1)
    page.select_option(f"#id_{field}", value=opsi.get_attribute("value"))


def test_admin_records_a_mutasi_last_month_and_a_plt_for_a_vacant_post(
    e2e_org, login, shot, live_server
):
    from kinerja import mutasi
    from kinerja.models import Mutasi, Pegawai, RiwayatJabatan

    org = e2e_org
    today = timezone.localdate()
    tmt = today - dt.timedelta(days=20)
    # The Kepala Subbidang left at the start of the month: her post is vacant.
    mutasi.mutasi_catat(
        user=org.admin_a,
        pegawai=org.kasubbid,
        jenis="berhenti",
        tmt=today - dt.timedelta(days=30),
    )

    page = login(org.admin_a)
    klik_menu(page, "Organisasi")
    expect(page.locator("h1")).to_have_text("Kelola organisasi")
    page.fill("#cari-pegawai", "Tallo")
    page.click("form[role=search] button")
    page.click(f"#daftar-pegawai >> text={org.rekan.nama}")
    expect(page.locator("#penilai-sekarang")).to_contain_text(org.kabid.nama)  # passed up

    # 1. A mutasi to Diskominfo, TMT twenty days ago.
    page.click("text=Catat mutasi / Plt / berhenti")
    page.select_option("#id_jenis", "mutasi")
    _pilih(page, "jabatan_baru", "pranata", "Pranata Komputer")
    page.fill("#id_tmt", tmt.isoformat())
    page.fill("#id_keterangan", "SK Gubernur 821/2026")
    shot("org_01_catat_mutasi")
    page.click("button:has-text('Catat')")
    expect(page.locator(".messages")).to_contain_text(f"berlaku sejak {tmt:%d-%m-%Y}")
    expect(page.locator("#penilai-sekarang")).to_contain_text(org.kadis.nama)
    riwayat = page.locator("#riwayat-jabatan")
    expect(riwayat).to_contain_text("Pranata Komputer")
    expect(riwayat).to_contain_text("Analis Kinerja Pegawai")
    expect(riwayat).to_contain_text(org.kabid.nama)  # who rated her in the old post
    page.fill("#tanggal-penilai", (tmt - dt.timedelta(days=1)).isoformat())
    page.click("#judul-pada ~ form button")
    expect(page.locator("#penilai-pada")).to_contain_text(org.kabid.nama)
    page.set_viewport_size({"width": 1280, "height": 900})
    shot("org_02_riwayat_desktop")
    page.set_viewport_size({"width": 390, "height": 844})
    shot("org_03_riwayat_390")
    m = Mutasi.objects.get(pegawai=org.rekan)
    assert (m.status, m.tmt) == ("berlaku", tmt)

    # 2. A Plt in the vacant Kasubbid post, until the end of next month.
    page.set_viewport_size({"width": 1280, "height": 900})
    sampai = (today.replace(day=1) + dt.timedelta(days=62)).replace(day=1) - dt.timedelta(days=1)
    page.goto(f"{live_server.url}/organisasi/pegawai/{org.fungsional.pk}/mutasi/")
    page.select_option("#id_jenis", "plt")
    _pilih(page, "jabatan_baru", "subbidang", "Kepala Subbidang Evaluasi Kinerja")
    page.fill("#id_tmt", today.isoformat())
    page.fill("#id_sampai", sampai.isoformat())
    page.set_viewport_size({"width": 390, "height": 844})
    shot("org_04_plt_390")
    page.click("button:has-text('Catat')")
    expect(page.locator(".messages")).to_contain_text("Pelaksana Tugas (Plt)")
    expect(page.locator("main")).to_contain_text("Kepala Subbidang Evaluasi Kinerja")
    shot("org_05_plt_tercatat_390")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{live_server.url}/organisasi/pegawai/{org.pegawai.pk}/")
    expect(page.locator("#penilai-sekarang")).to_contain_text(org.fungsional.nama)
    shot("org_06_penilai_baru_desktop")
    peg = Pegawai.objects.get(pk=org.pegawai.pk)
    assert (peg.pejabat_penilai_id, peg.atasan_pejabat_penilai_id) == (
        org.fungsional.pk,
        org.kabid.pk,  # the superior of the post the Plt acts in
    )
    assert RiwayatJabatan.objects.get(pegawai=org.fungsional, jenis="plt").selesai == sampai
