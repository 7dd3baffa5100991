"""Login hardening: lockout per (account, address) pair behind proxies (pages and API token),
password validators, production cookie/HTTPS settings, security headers."""

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


def test_repeated_failures_lock_the_account_from_that_address_even_with_the_right_password(
    org, axes_on
):
    nip = org.pegawai.user.username
    c = Client()
    for _ in range(2):
        r = _login(c, nip, "salah", ip="10.0.1.1")
        assert r.status_code == 200 and LOCKED not in r.content.decode()
    r = _login(c, nip, "salah", ip="10.0.1.1")  # the third failure locks the pair
    assert r.status_code == 429 and LOCKED in r.content.decode()
    assert 1 <= int(r["Retry-After"]) <= 15 * 60
    r = _login(c, nip, PASSWORD, ip="10.0.1.1")
    assert r.status_code == 429 and LOCKED in r.content.decode()
    assert 1 <= int(r["Retry-After"]) <= 15 * 60
    assert "_auth_user_id" not in c.session
    # The owner elsewhere still gets in: a guesser cannot lock someone else's account.
    assert _login(Client(), nip, PASSWORD, ip="10.0.1.2").status_code == 302


def test_failures_for_unknown_usernames_do_not_lock_others_at_the_same_address(org, axes_on):
    """A shared NAT: one client's failed guesses do not lock its neighbours out."""
    for i in range(5):
        _login(Client(), f"tidak-ada-{i}", "salah", ip="10.0.3.3")
    assert _login(Client(), org.rekan.user.username, PASSWORD, ip="10.0.3.3").status_code == 302


NGINX = "172.18.0.5"  # the documented proxy: every request reaches the app from its address


def _login_via_proxy(username: str, password: str, forwarded: str):
    return Client().post(
        "/masuk/",
        {"username": username, "password": password},
        REMOTE_ADDR=NGINX,
        HTTP_X_FORWARDED_FOR=forwarded,
    )


def test_behind_one_proxy_a_failing_client_does_not_lock_out_another_user(org, axes_on, settings):
    """Issue 15 item 3: five failures for unknown usernames behind nginx locked the whole site
    (axes keyed on REMOTE_ADDR, which is nginx's for everybody)."""
    settings.KINERJA_PROXY_HOPS = 1
    settings.AXES_FAILURE_LIMIT = 5
    for i in range(5):
        r = _login_via_proxy(f"tidak-ada-{i}", "salah", "203.0.113.9")
        assert r.status_code == 200
    r = _login_via_proxy(org.rekan.user.username, PASSWORD, "198.51.100.7")
    assert r.status_code == 302
    # And the failing client itself is not locked out of a real account of its own.
    assert _login_via_proxy(org.pegawai.user.username, PASSWORD, "203.0.113.9").status_code == 302


def test_spoofed_forwarded_for_beyond_the_trusted_hops_is_ignored(org, axes_on, settings):
    """The client writes what it likes left of the address nginx appends; only the trusted hop
    counts. Varying the spoofed part neither escapes the lock nor shifts it onto someone else."""
    settings.KINERJA_PROXY_HOPS = 1
    nip = org.pegawai.user.username
    for i in range(3):
        _login_via_proxy(nip, "salah", f"10.66.0.{i}, 203.0.113.9")
    r = _login_via_proxy(nip, PASSWORD, "10.66.0.200, 203.0.113.9")
    assert r.status_code == 429 and int(r["Retry-After"]) > 0
    # The real owner behind the same proxy (another real address) is not locked.
    assert _login_via_proxy(nip, PASSWORD, "203.0.113.9, 198.51.100.7").status_code == 302
    from axes.models import AccessAttempt

    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"203.0.113.9"}


@pytest.mark.parametrize(
    ("hops", "remote", "forwarded", "expected"),
    [
        (0, "10.0.0.9", "", "10.0.0.9"),
        (0, "10.0.0.9", "1.2.3.4", "10.0.0.9"),  # no trusted proxy: the header is not read
        (1, "172.18.0.5", "1.2.3.4", "1.2.3.4"),
        (1, "172.18.0.5", "6.6.6.6, 1.2.3.4", "1.2.3.4"),  # spoofed entry on the left
        (1, "172.18.0.5", " 6.6.6.6 ,1.2.3.4 ", "1.2.3.4"),
        (2, "10.1.1.1", "6.6.6.6, 1.2.3.4, 172.18.0.5", "1.2.3.4"),  # LB then nginx
        (2, "10.1.1.1", "1.2.3.4", "10.1.1.1"),  # fewer entries than proxies: the peer
        (1, "172.18.0.5", "bukan-alamat", "172.18.0.5"),  # junk never becomes an address
        (1, "172.18.0.5", "2001:db8::1", "2001:db8::1"),
        (1, "", "", "0.0.0.0"),
    ],
)
def test_client_address_is_taken_from_the_trusted_hop(settings, hops, remote, forwarded, expected):
    from django.test import RequestFactory

    from kinerja.akses.alamat import alamat_klien

    settings.KINERJA_PROXY_HOPS = hops
    request = RequestFactory().get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)
    assert alamat_klien(request) == expected


def test_axes_throttles_and_verification_use_the_same_address(settings):
    from django.test import RequestFactory

    from kinerja.akses.alamat import alamat_klien
    from kinerja.akses.throttle import KredensialThrottle

    settings.KINERJA_PROXY_HOPS = 1
    assert settings.AXES_CLIENT_IP_CALLABLE == "kinerja.akses.alamat.alamat_klien"
    from axes.helpers import get_client_ip_address

    request = RequestFactory().get("/", REMOTE_ADDR=NGINX, HTTP_X_FORWARDED_FOR="9.9.9.9, 1.2.3.4")
    assert get_client_ip_address(request) == alamat_klien(request) == "1.2.3.4"
    assert KredensialThrottle().get_ident(request) == "1.2.3.4"
    import inspect

    from kinerja import verifikasi

    assert "alamat_klien(request)" in inspect.getsource(verifikasi._terlalu_sering)


def test_api_token_endpoint_locks_the_account_and_address_pair(org, axes_on):
    nip = org.pegawai.user.username
    for _ in range(2):
        r = _token(Client(), nip, "salah", ip="10.0.4.1")
        assert r.status_code == 400
    r = _token(Client(), nip, "salah", ip="10.0.4.1")
    assert r.status_code == 429 and 1 <= int(r["Retry-After"]) <= 15 * 60
    r = _token(Client(), nip, PASSWORD, ip="10.0.4.1")
    assert r.status_code == 429, r.content
    assert "token" not in r.json() and "Terlalu banyak percobaan" in r.json()["detail"]
    assert 1 <= int(r["Retry-After"]) <= 15 * 60
    assert _token(Client(), nip, PASSWORD, ip="10.0.4.2").status_code == 200


def test_api_token_failures_count_towards_the_page_lock(org, axes_on):
    """An attacker cannot dodge the page's lock by guessing through the API instead."""
    nip = org.pegawai.user.username
    for _ in range(3):
        _token(Client(), nip, "salah", ip="10.0.5.5")
    r = _login(Client(), nip, PASSWORD, ip="10.0.5.5")
    assert r.status_code == 429 and int(r["Retry-After"]) > 0


def test_api_token_failures_for_unknown_users_do_not_lock_others_at_that_address(org, axes_on):
    for i in range(3):
        _token(Client(), f"tidak-ada-{i}", "salah", ip="10.0.6.6")
    assert _token(Client(), org.rekan.user.username, PASSWORD, ip="10.0.6.6").status_code == 200


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
    # Per (account, address) pair: never per address alone (a NAT, the proxy) nor per account
    # alone (anyone could lock anyone out).
    assert s["AXES_LOCKOUT_PARAMETERS"] == [["username", "ip_address"]]
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
