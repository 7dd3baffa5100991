"""A year that moves, in a real browser (issue 16 item 2): the admin records a mutasi with a TMT
in the past month; the old penilai and the new one each see exactly their part of the window
the TMT cuts; the pegawai's SKP page shows both SKPs of the year."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.e2e.bantu import klik_menu

pytestmark = pytest.mark.e2e


def _pilih(page, field: str, cari: str, label: str) -> None:
    page.fill(f"#id_{field}_cari", cari)
    opsi = page.locator(f"#id_{field} option", has_text=label)
    expect(opsi).to_have_count(1)
    page.select_option(f"#id_{field}", value=opsi.get_attribute("value"))


def test_a_mutasi_last_month_splits_the_window_between_two_penilai(
    e2e_org, login, shot, live_server
):
    from evaluasi import jendela
    from evaluasi.models import Evaluasi
    from kinerja.rules import jendela_pada
    from skp.models import SKP
    from tests.evaluasi.conftest import skp_disetujui

    org = e2e_org
    today = timezone.localdate()
    tmt = today - dt.timedelta(days=20)
    if tmt.year != today.year:
        pytest.skip("the TMT would fall in last year's period")
    skp_disetujui(org.pegawai, org.periode_a)
    j = jendela_pada(tmt.year, org.periode_a.frekuensi, tmt)
    kode = jendela.dari_kode(org.periode_a, str(j.urutan)).kode

    # 1. The admin records the mutasi through Kelola organisasi.
    page = login(org.admin_a)
    klik_menu(page, "Organisasi")
    page.fill("#cari-pegawai", "Mbete")
    page.click("form[role=search] button")
    page.click(f"#daftar-pegawai >> text={org.pegawai.nama}")
    page.click("text=Catat mutasi / Plt / berhenti")
    page.select_option("#id_jenis", "mutasi")
    _pilih(page, "jabatan_baru", "pranata", "Pranata Komputer")
    page.fill("#id_tmt", tmt.isoformat())
    page.click("button:has-text('Catat')")
    expect(page.locator("#penilai-sekarang")).to_contain_text(org.kadis.nama)
    assert SKP.objects.filter(pegawai=org.pegawai, periode=org.periode_a).count() == 2

    # 2. The old penilai: the window the TMT cuts lists her, and she rates her part only.
    page = login(org.kasubbid)
    page.goto(f"{live_server.url}/evaluasi/tim/?tahun={tmt.year}&jendela={kode}")
    expect(page.locator("main")).to_contain_text(org.pegawai.nama)
    page.goto(f"{live_server.url}/evaluasi/nilai/{org.pegawai.pk}/{kode}/?tahun={tmt.year}")
    page.click("button:has-text('Mulai evaluasi')")
    expect(page.locator("main p.muted").first).to_contain_text(org.kasubbid.nama)
    shot("siklus_01_penilai_lama")
    lama = Evaluasi.objects.get(pegawai=org.pegawai, pejabat_penilai=org.kasubbid)
    assert (lama.mulai, lama.selesai) == (j.mulai, tmt - dt.timedelta(days=1))

    # 3. The new penilai: the same window is hers from the TMT (the AKHIR one when it is the
    #    last window); the windows before the TMT are not hers to rate.
    page = login(org.kadis)
    page.goto(f"{live_server.url}/evaluasi/tim/?tahun={tmt.year}&jendela={kode}")
    expect(page.locator("main")).to_contain_text(org.pegawai.nama)
    if j.urutan > 1:
        page.goto(f"{live_server.url}/evaluasi/tim/?tahun={tmt.year}&jendela=1")
        expect(page.locator("main")).not_to_contain_text(org.pegawai.nama)
    page.goto(f"{live_server.url}/evaluasi/nilai/{org.pegawai.pk}/{kode}/?tahun={tmt.year}")
    page.click("button:has-text('Mulai evaluasi')")
    shot("siklus_02_penilai_baru")
    baru = Evaluasi.objects.get(pegawai=org.pegawai, pejabat_penilai=org.kadis)
    assert baru.pk != lama.pk
    if kode != jendela.AKHIR:
        assert baru.mulai == tmt

    # 4. The pegawai's SKP page: both SKPs of the year, each with its dates and penilai.
    page = login(org.pegawai)
    page.goto(f"{live_server.url}/skp/")
    tabel = page.locator("#skp-saya")
    expect(tabel).to_contain_text(org.kasubbid.nama)
    expect(tabel).to_contain_text(org.kadis.nama)
    shot("siklus_03_skp_dua")
