"""Login hardening: throttling per account and per address (pages and API token), password
validators, production cookie/HTTPS settings, security headers."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

from tests.personas import PASSWORD

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def axes_on(settings):
    from axes.handlers.proxy import AxesProxyHandler
    from django.core.cache import cache

    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 3
    cache.clear()
    AxesProxyHandler.implementation = None  # re-read the handler with the settings above
    yield
    AxesProxyHandler.implementation = None


def _login(client: Client, username: str, password: str, ip: str = "10.0.0.1"):
    return client.post("/masuk/", {"username": username, "password": password}, REMOTE_ADDR=ip)


def _token(client: Client, username: str, password: str, ip: str = "10.0.0.1"):
    return client.post(
        "/api/v1/auth/token/",
        data=json.dumps({"username": username, "password": password}),
        content_type="application/json",
        REMOTE_ADDR=ip,
    )


LOCKED = "Terlalu banyak percobaan masuk"


def test_repeated_failures_lock_the_account_even_with_the_right_password(org, axes_on):
    nip = org.pegawai.user.username
    c = Client()
    for i in range(2):
        r = _login(c, nip, "salah", ip=f"10.0.1.{i}")  # a new address each time
        assert r.status_code == 200 and LOCKED not in r.content.decode()
    r = _login(c, nip, "salah", ip="10.0.1.2")  # the third failure locks
    assert r.status_code == 429 and LOCKED in r.content.decode()
    r = _login(c, nip, PASSWORD, ip="10.0.1.99")
    assert r.status_code == 429
    assert LOCKED in r.content.decode()
    assert "_auth_user_id" not in c.session
    # Another account from a fresh address still logs in: the lock is per account.
    r = _login(Client(), org.rekan.user.username, PASSWORD, ip="10.0.2.1")
    assert r.status_code == 302


def test_repeated_failures_lock_the_address_for_every_account(org, axes_on):
    for i in range(3):
        _login(Client(), f"tidak-ada-{i}", "salah", ip="10.0.3.3")
    r = _login(Client(), org.rekan.user.username, PASSWORD, ip="10.0.3.3")
    assert r.status_code == 429 and LOCKED in r.content.decode()
    assert _login(Client(), org.rekan.user.username, PASSWORD, ip="10.0.3.4").status_code == 302


def test_api_token_endpoint_is_throttled_per_account(org, axes_on):
    nip = org.pegawai.user.username
    for i in range(3):
        r = _token(Client(), nip, "salah", ip=f"10.0.4.{i}")
        assert r.status_code == 400
    r = _token(Client(), nip, PASSWORD, ip="10.0.4.99")
    assert r.status_code == 429, r.content
    assert "token" not in r.json() and "Terlalu banyak percobaan" in r.json()["detail"]


def test_api_token_failures_count_towards_the_page_lock(org, axes_on):
    """An attacker cannot dodge the page's lock by guessing through the API instead."""
    nip = org.pegawai.user.username
    for i in range(3):
        _token(Client(), nip, "salah", ip=f"10.0.5.{i}")
    r = _login(Client(), nip, PASSWORD, ip="10.0.5.99")
    assert r.status_code == 429


def test_api_token_endpoint_is_throttled_per_address(org, axes_on):
    for i in range(3):
        _token(Client(), f"tidak-ada-{i}", "salah", ip="10.0.6.6")
    r = _token(Client(), org.rekan.user.username, PASSWORD, ip="10.0.6.6")
    assert r.status_code == 429
    assert _token(Client(), org.rekan.user.username, PASSWORD, ip="10.0.6.7").status_code == 200


def test_a_successful_login_is_not_throttled(org, axes_on):
    nip = org.pegawai.user.username
    for i in range(5):
        r = _login(Client(), nip, PASSWORD, ip="10.0.7.7")
        assert r.status_code == 302, i


def test_password_validators_refuse_weak_passwords(org):
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    user = org.pegawai.user
    for weak in ("12345678", "password", "pendek", user.username):
        with pytest.raises(ValidationError):
            validate_password(weak, user)
    validate_password(PASSWORD, user)


def test_production_settings_are_secure():
    """Read the settings as production would (DEBUG off, a real key), in a clean process."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", "/tmp"),
        "DJANGO_SETTINGS_MODULE": "kinerja.settings",
        "DEBUG": "0",
        "SECRET_KEY": "x" * 60 + "production-like-key",
        "ALLOWED_HOSTS": "kinerja.example.go.id",
        "DATABASE_URL": "sqlite:////tmp/kinerja-settings-check.sqlite3",
    }
    code = (
        "import django, json; django.setup(); from django.conf import settings as s; "
        "print(json.dumps({k: getattr(s, k) for k in ('SESSION_COOKIE_SECURE', "
        "'CSRF_COOKIE_SECURE', 'SESSION_COOKIE_HTTPONLY', 'SECURE_SSL_REDIRECT', "
        "'SECURE_HSTS_SECONDS', 'SECURE_CONTENT_TYPE_NOSNIFF', 'X_FRAME_OPTIONS', 'DEBUG', "
        "'AXES_ENABLED', 'AXES_LOCKOUT_PARAMETERS')} | "
        "{'validators': len(s.AUTH_PASSWORD_VALIDATORS)}))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 0, out.stderr
    s = json.loads(out.stdout.strip().splitlines()[-1])
    assert s["DEBUG"] is False
    assert s["SESSION_COOKIE_SECURE"] and s["CSRF_COOKIE_SECURE"] and s["SESSION_COOKIE_HTTPONLY"]
    assert s["SECURE_SSL_REDIRECT"] and s["SECURE_HSTS_SECONDS"] >= 31536000
    assert s["SECURE_CONTENT_TYPE_NOSNIFF"] and s["X_FRAME_OPTIONS"] == "DENY"
    assert s["AXES_ENABLED"] is True
    assert ["username"] in s["AXES_LOCKOUT_PARAMETERS"]
    assert ["ip_address"] in s["AXES_LOCKOUT_PARAMETERS"]
    assert s["validators"] >= 4


# `manage.py check --deploy` with production settings runs in tests/kinerja/test_deploy.py
# (test_check_deploy_is_clean_with_production_settings); not repeated here.


@pytest.mark.parametrize("path", ["/masuk/", "/", "/api/v1/schema/", "/verifikasi/"])
def test_security_headers_on_every_kind_of_response(client_as, org, path):
    from kinerja.middleware import CSP

    r = client_as(org.pegawai.user).get(path)
    assert r["Content-Security-Policy"] == CSP
    assert "'unsafe-inline'" not in CSP and "'unsafe-eval'" not in CSP
    assert r["X-Frame-Options"] == "DENY"
    assert r["X-Content-Type-Options"] == "nosniff"
    assert r["Referrer-Policy"] == "same-origin"
    assert "camera=()" in r["Permissions-Policy"]


def test_csrf_is_enforced_on_page_posts(org):
    c = Client(enforce_csrf_checks=True)
    c.force_login(org.pegawai.user)
    r = c.post("/notifikasi/baca-semua/")
    assert r.status_code == 403


def test_session_api_writes_need_csrf_but_token_writes_do_not(org):
    c = Client(enforce_csrf_checks=True)
    c.force_login(org.pegawai.user)
    r = c.post("/api/v1/notifikasi/baca-semua/")
    assert r.status_code == 403
    from rest_framework.authtoken.models import Token

    key = Token.objects.create(user=org.pegawai.user).key
    r = Client(enforce_csrf_checks=True).post(
        "/api/v1/notifikasi/baca-semua/", HTTP_AUTHORIZATION=f"Token {key}"
    )
    assert r.status_code == 200


def test_the_503_page_uses_no_inline_style_or_script():
    from tests.security.harness import inline_offences

    html = (ROOT / "templates" / "503.html").read_text()
    assert not inline_offences(html)
