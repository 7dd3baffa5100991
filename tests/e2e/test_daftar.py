"""A list's toolbar in Chromium (kinerja/daftar.py): typing narrows the list without a submit,
a filter applies as it is picked, the address keeps both (back and reload show the same), and
the export link carries them."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


def test_the_approval_queue_narrows_as_one_types_and_picks(e2e_org, login, live_server):
    from tests.skp.factories import skp_diajukan

    skp_diajukan(e2e_org, "pegawai")
    skp_diajukan(e2e_org, "rekan")
    page = login(e2e_org.kasubbid.user)
    page.goto(f"{live_server.url}/skp/persetujuan/")
    baris = page.locator("#antrian tbody tr")
    expect(baris).to_have_count(2)
    page.fill("input[name=q]", e2e_org.rekan.nama.split()[0])
    expect(baris).to_have_count(1)
    expect(baris.first).to_contain_text(e2e_org.rekan.nama)
    expect(page).to_have_url(re.compile(rf"/skp/persetujuan/\?q={e2e_org.rekan.nama.split()[0]}"))
    assert "q=" in page.locator("a", has_text="CSV").get_attribute("href")
    page.select_option("select[name=menunggu]", "14")  # nothing waits that long yet
    expect(page.locator("#antrian-daftar")).to_contain_text("Tidak ada SKP yang cocok")
    page.reload()
    expect(page.locator("select[name=menunggu]")).to_have_value("14")
