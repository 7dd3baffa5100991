"""The pohon kinerja in a real browser: lazy expand with htmx, and a phone-width layout."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e


SHOTS = Path(os.environ.get("KINERJA_SCREENSHOTS", "/tmp/kinerja-screenshots"))


@pytest.fixture
def login(page, live_server):
    from tests.personas import PASSWORD

    def do(user):
        page.context.clear_cookies()
        page.goto(f"{live_server.url}/masuk/")
        page.fill("#id_username", user.username)
        page.fill("#id_password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(f"{live_server.url}/")
        return page

    return do


@pytest.fixture
def shot(page):
    def take(name: str) -> None:
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)

    return take


@pytest.fixture
def pohon_org(transactional_db):
    from tests.evaluasi.test_pohon import bangun_data
    from tests.personas import build_org

    org = build_org()
    return org, bangun_data(org)


def test_admin_expands_a_branch_loaded_on_demand(pohon_org, login, shot, page, live_server):
    org, data = pohon_org
    login(org.admin_a)
    page.goto(f"{live_server.url}/pohon/")
    assert data.s1.rencana not in page.inner_text("main")
    muat = page.locator(f'a.pohon-muat[href="/pohon/simpul/{data.b1.pk}/"]')
    muat.locator("xpath=ancestor::details[1]/summary//div[@class='pohon-rencana']").click()
    page.wait_for_selector(f"text={data.s1.rencana}")
    assert data.s1.rencana in page.inner_text("main")
    shot("pohon-instansi-dibuka")


def test_tree_fits_a_phone_screen(pohon_org, login, shot, page, live_server):
    org, data = pohon_org
    page.set_viewport_size({"width": 375, "height": 800})
    login(org.admin_a)
    page.goto(f"{live_server.url}/pohon/simpul/{data.b1.pk}/")
    assert data.p1.rencana in page.inner_text("main")
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
    shot("pohon-cabang-hp")
