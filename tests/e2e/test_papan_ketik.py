"""The main tasks with the keyboard alone (issue 17, item 5): signing in, submitting the SKP
from the home page, rating a row and seeing the suggestion follow. Only Tab, Shift+Tab,
Enter, Space and the arrow keys; no clicks."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


def _tab_ke(page, teks: str, maks: int = 80) -> None:
    """Press Tab until the focused element says `teks` (its text, value or label)."""
    for _ in range(maks):
        page.keyboard.press("Tab")
        fokus = page.evaluate(
            """() => { const e = document.activeElement; if (!e || e === document.body) return "";
              const label = e.labels && e.labels[0] ? e.labels[0].innerText : "";
              return (label || e.getAttribute("aria-label") || e.innerText || e.value || "").trim(); }"""
        )
        if teks in fokus:
            return
    raise AssertionError(f"{teks!r} tidak tercapai dengan Tab")


def _masuk(page, live_server, user) -> None:
    from tests.personas import PASSWORD

    page.goto(f"{live_server.url}/masuk/")
    page.keyboard.type(user.username)  # the username field has the focus on arrival
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}/")


def test_pegawai_submits_her_skp_from_home_with_the_keyboard(e2e_org, page, live_server):
    from skp.models import SKP
    from tests.skp.factories import skp_draft

    skp = skp_draft(e2e_org, n_rhk=2)
    _masuk(page, live_server, e2e_org.pegawai.user)
    _tab_ke(page, "Ajukan")
    page.keyboard.press("Enter")
    expect(page.locator(".messages")).to_contain_text("SKP diajukan")
    skp.refresh_from_db()
    assert skp.status == SKP.Status.DIAJUKAN


def test_penilai_rates_a_row_with_the_keyboard_and_the_suggestion_follows(
    e2e_org, page, live_server
):
    from tests.evaluasi.conftest import evaluasi_draft

    ev = evaluasi_draft(e2e_org)
    kunci = [str(k) for k in ev.skp.rencana_set.values_list("kunci", flat=True)]
    _masuk(page, live_server, e2e_org.kasubbid.user)
    page.goto(f"{live_server.url}/evaluasi/nilai/{e2e_org.pegawai.pk}/akhir/")
    for k in kunci:
        _tab_ke(page, "Rating rencana hasil kerja ini")
        aktif = page.evaluate("document.activeElement.outerHTML.slice(0, 200)")
        assert f'id="rhk-{k}-rating"' in aktif, aktif
        for _ in range(2):  # — pilih — -> Di Bawah -> Sesuai
            page.keyboard.press("ArrowDown")
    expect(page.locator("#saran-hasil")).to_contain_text("Sesuai Ekspektasi")
    for k in kunci:
        expect(page.locator(f"#rhk-{k}-rating")).to_have_value("sesuai_ekspektasi")
