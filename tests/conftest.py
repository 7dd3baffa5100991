from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

# Screenshots the browser tests take for a person to look at; test-results/ is gitignored.
SHOTS = Path(
    os.environ.get(
        "KINERJA_SCREENSHOTS", Path(__file__).resolve().parents[1] / "test-results" / "e2e"
    )
)


@pytest.fixture
def org(db):
    """The persona organisation (see tests/personas.py)."""
    from tests.personas import build_org

    return build_org()


@pytest.fixture
def client_as(client):
    """Log the test client in as a persona name or a User: client_as(org.pegawai.user)."""

    def login(user):
        client.force_login(user)
        return client

    return login


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.AXES_ENABLED = False
    # Tests speak plain http to the test client; production keeps the redirect (check --deploy).
    settings.SECURE_SSL_REDIRECT = False


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    # The system Chromium from Debian; never a downloaded browser.
    return {
        **browser_type_launch_args,
        "executable_path": "/usr/bin/chromium",
        "args": [
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--no-first-run",
            "--disable-sync",
            "--disable-quic",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    # As the users see it: Indonesian locale and Jakarta time (dates, the file picker's text).
    return {**browser_context_args, "locale": "id-ID", "timezone_id": "Asia/Jakarta"}


# --- browser tests (Playwright + Debian's Chromium against live_server) ----------------------
@pytest.fixture
def e2e_org(transactional_db):
    """The persona organisation, committed (the live server reads it from another thread)."""
    from tests.personas import build_org

    return build_org()


@pytest.fixture
def login(page, live_server):
    """The one browser login: through the real login form as a User (or a Pegawai's login);
    returns the page, on the home page."""
    from tests.personas import PASSWORD

    def do(who):
        user = getattr(who, "user", who)
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
    """Save a full-page screenshot under SHOTS for a person to look at."""
    SHOTS.mkdir(parents=True, exist_ok=True)

    def take(name: str) -> Path:
        path = SHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


# --- dated rules: a settable "today" and a vacant post to move people to --------------------
@pytest.fixture
def hari(monkeypatch, org):
    """Set "today" for every dated rule (kinerja.waktu.hari_ini); starts on 20 August of the
    persona year. Returns the setter. Modules with another start define their own."""
    import datetime as dt

    from kinerja import waktu

    state = {"d": dt.date(org.periode_a.tahun, 8, 20)}
    monkeypatch.setattr(waktu, "hari_ini", lambda: state["d"])

    def atur(d: dt.date) -> None:
        state["d"] = d

    return atur


@pytest.fixture
def pos_dinas(org):
    """A vacant pelaksana post in Diskominfo, reporting to the Kepala Dinas."""
    from kinerja.models import Jabatan

    return Jabatan.objects.create(
        unit_kerja=org.unit_dinas,
        nama="Pengelola Data Statistik",
        jenis=Jabatan.Jenis.PELAKSANA,
        atasan=org.kadis.jabatan,
    )
