"""Browser journeys: the real Chromium from Debian driven by Playwright against live_server."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

# Screenshots for a person to look at; test-results/ is gitignored.
SHOTS = Path(
    os.environ.get(
        "KINERJA_SCREENSHOTS", Path(__file__).resolve().parents[2] / "test-results" / "e2e"
    )
)


@pytest.fixture
def e2e_org(transactional_db):
    from tests.personas import build_org

    return build_org()


@pytest.fixture
def login(page, live_server):
    """Log in through the real login form as a User; returns the page."""
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
    """Save a full-page screenshot for a person to look at."""
    SHOTS.mkdir(parents=True, exist_ok=True)

    def take(name: str) -> Path:
        path = SHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take
