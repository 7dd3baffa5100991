"""Progress from the click (issue 17, item 6): the SKP PDF takes seconds to make; from the click
the button rests with a spinner and the page says it is being prepared, then the download."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


def test_the_pdf_button_rests_with_a_spinner_until_the_pdf_is_ready(e2e_org, login, live_server):
    from tests.skp.factories import skp_disetujui

    skp = skp_disetujui(e2e_org)
    page = login(e2e_org.pegawai.user)
    page.goto(f"{live_server.url}/skp/{skp.pk}/")
    tombol = page.locator("#dokumen button", has_text="Buat PDF SKP")
    # Hold the answer back a moment so the waiting state can be seen, as on a slow server.
    page.route("**/pdf/", lambda route: (page.wait_for_timeout(1500), route.continue_()))
    tombol.click()
    expect(tombol).to_be_disabled()
    expect(tombol).to_have_attribute("aria-busy", "true")
    expect(page.locator("#pdf-tunggu")).to_have_css("opacity", "1")  # shown while it waits
    expect(page.locator("#pdf-progres")).to_contain_text("Unduh", timeout=60_000)
    expect(tombol).to_be_enabled()
