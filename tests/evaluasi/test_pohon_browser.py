"""The pohon kinerja in a real browser: lazy expand with htmx, and a phone-width layout."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.e2e


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
    muat.locator("xpath=ancestor::details[1]/summary").click()
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
