"""The year-end close on `make run`'s SQLite, through the page (issue 17): the first thing anyone
tries. A real server on a fresh SQLite file with the demo (no Redis: jobs run in-process), the
admin starts the close of a year in Chromium and sees it finish with its downloads; it used to
fail five times on PostgreSQL-only SQL and show the admin a traceback."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.e2e.bantu import klik_menu

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def server_sqlite(tmp_path):
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DJANGO_SETTINGS_MODULE", "REDIS_URL", "DATABASE_URL", "KINERJA_SITE_URL"}
    }
    env.update(
        DJANGO_SETTINGS_MODULE="kinerja.settings",
        DEBUG="1",
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        MEDIA_ROOT=str(tmp_path / "media"),
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
    )
    manage = [sys.executable, "manage.py"]
    for cmd in (["migrate", "--noinput", "-v0"], ["demo"]):
        subprocess.run(
            [*manage, *cmd], cwd=ROOT, env=env, check=True, capture_output=True, timeout=600
        )
    port = _port()
    proc = subprocess.Popen(
        [*manage, "runserver", f"127.0.0.1:{port}", "--noreload"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(120):
        try:
            urllib.request.urlopen(f"{url}/masuk/", timeout=2)  # noqa: S310 - loopback
            break
        except OSError:
            time.sleep(0.5)
    yield url
    proc.terminate()
    proc.wait(timeout=30)


def test_admin_closes_a_year_on_sqlite_through_the_page(server_sqlite, page, shot):
    from kinerja.demo import PASSWORD

    page.set_default_timeout(180_000)  # the close runs inside the request without Redis
    page.goto(f"{server_sqlite}/masuk/")
    page.fill("#id_username", "admin.bkd")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{server_sqlite}/")
    klik_menu(page, "Tutup tahun")
    tahun = page.locator("nav.tahun a").nth(1)  # the year before the current one
    nama_tahun = tahun.inner_text().strip()
    tahun.click()
    expect(page.locator("h1")).to_contain_text(nama_tahun)
    page.once("dialog", lambda d: d.accept())
    page.click("button:has-text('Mulai penutupan tahun')")
    penutupan = page.locator("#penutupan")
    expect(penutupan).to_contain_text("Unduhan")
    expect(
        penutupan.get_by_role("link", name=f"Rekap evaluasi {nama_tahun} (xlsx)")
    ).to_be_visible()
    expect(penutupan).not_to_contain_text("Gagal")
    expect(page.locator(".messages")).to_contain_text("Penutupan tahun dimulai.")
    shot("tutup_tahun_sqlite")
    # Nothing failed in the background either.
    page.goto(f"{server_sqlite}/latar/?status=gagal")
    expect(page.locator("main")).to_contain_text("Tidak ada pekerjaan.")
