from __future__ import annotations

import os

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


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
