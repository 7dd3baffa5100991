"""Single sign-on end to end in the browser, against a REAL OpenID Connect provider.

The provider is django-oauth-toolkit's OIDC provider in its own process on its own SQLite file
and port (tests/sso_op/): authorization code with PKCE and a nonce, an RS256 ID token checked
against its JWKS, the NIP from its userinfo (under a non-default claim name, to prove the name
is configurable), and RP-initiated logout. No part of the exchange is mocked.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
CLIENT_ID = "kinerja-uji"
CLIENT_SECRET = "rahasia-klien-uji-sso"
OP_PASSWORD = "Sandi-OP-Uji-2026"
NIP_ASING = "199912312020121999"  # known to the provider, unknown to Kinerja
KLAIM = "nip_asn"


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def op(e2e_org, live_server, tmp_path, settings):
    """Start the provider for this test's Kinerja (live_server) and point Kinerja at it."""
    port = _port()
    base = f"http://127.0.0.1:{port}"
    org = e2e_org
    users = [
        f"{org.pegawai.nip}:{OP_PASSWORD}:{org.pegawai.nama}",
        f"{org.rekan.nip}:{OP_PASSWORD}:{org.rekan.nama}",
        f"{NIP_ASING}:{OP_PASSWORD}:Orang Luar",
    ]
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.sso_op.settings",
        "SSO_OP_DB": str(tmp_path / "op.sqlite3"),
        "SSO_OP_KEY": str(tmp_path / "op.pem"),
        "SSO_OP_KLAIM_NIP": KLAIM,
    }
    env.pop("DATABASE_URL", None)
    cmd = [
        sys.executable,
        "-m",
        "tests.sso_op.serve",
        "--port",
        str(port),
        "--client-id",
        CLIENT_ID,
        "--client-secret",
        CLIENT_SECRET,
        "--redirect",
        f"{live_server.url}/sso/callback/",
        "--logout-redirect",
        f"{live_server.url}/masuk/",
    ]
    for u in users:
        cmd += ["--user", u]
    log = open(tmp_path / "op.log", "w")  # noqa: SIM115 - closed below
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        for _ in range(120):
            try:
                if requests.get(f"{base}/o/.well-known/openid-configuration", timeout=1).ok:
                    break
            except requests.ConnectionError:
                pass
            if proc.poll() is not None:
                break
            time.sleep(0.25)
        else:
            pytest.fail("the test identity provider did not start")
        if proc.poll() is not None:
            pytest.fail((tmp_path / "op.log").read_text()[-2000:])
        discovery = requests.get(f"{base}/o/.well-known/openid-configuration", timeout=5).json()
        settings.OIDC_RP_CLIENT_ID = CLIENT_ID
        settings.OIDC_RP_CLIENT_SECRET = CLIENT_SECRET
        settings.OIDC_OP_AUTHORIZATION_ENDPOINT = discovery["authorization_endpoint"]
        settings.OIDC_OP_TOKEN_ENDPOINT = discovery["token_endpoint"]
        settings.OIDC_OP_USER_ENDPOINT = discovery["userinfo_endpoint"]
        settings.OIDC_OP_JWKS_ENDPOINT = discovery["jwks_uri"]
        settings.OIDC_OP_LOGOUT_ENDPOINT = discovery["end_session_endpoint"]
        settings.OIDC_OP_ISSUER = discovery["issuer"]
        settings.KINERJA_SSO_KLAIM_NIP = KLAIM
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        log.close()


def _masuk_lewat_sso(page, live_server, nip: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/masuk/")
    page.click("#masuk-sso")
    page.wait_for_selector("#op-nip")  # the provider's own sign-in page
    page.fill("#op-nip", nip)
    page.fill("#op-sandi", OP_PASSWORD)
    page.click("#op-masuk")


def test_pegawai_signs_in_by_sso_and_signing_out_ends_both(e2e_org, op, page, live_server, shot):
    from django.contrib.auth import get_user_model

    akun = get_user_model().objects.count()
    _masuk_lewat_sso(page, live_server, e2e_org.pegawai.nip)
    page.wait_for_url(f"{live_server.url}/")
    assert e2e_org.pegawai.nip in page.inner_text("#data-saya")
    shot("sso-masuk-beranda")
    assert get_user_model().objects.count() == akun  # matched, never created
    # Signing out of Kinerja ends the provider's session too (RP-initiated logout).
    page.click(".akun summary")  # the account menu holds Keluar
    page.click("form[action='/keluar/'] button")
    page.wait_for_url(f"{live_server.url}/masuk/")
    assert page.locator("#masuk-sso").is_visible()
    page.goto(f"{live_server.url}/")
    assert "/masuk/" in page.url  # Kinerja: signed out
    page.click("#masuk-sso")
    page.wait_for_selector("#op-nip")  # provider: asks for the password again
    shot("sso-keluar-keduanya")


def test_an_unknown_nip_is_refused_with_a_clear_page_and_no_account(
    e2e_org, op, page, live_server, shot
):
    from django.contrib.auth import get_user_model

    akun = get_user_model().objects.count()
    _masuk_lewat_sso(page, live_server, NIP_ASING)
    page.wait_for_url(f"{live_server.url}/sso/ditolak/")
    text = page.inner_text("#sso-ditolak")
    assert NIP_ASING in text and "tidak terdaftar" in text and "admin BKD" in text
    shot("sso-nip-tidak-terdaftar")
    assert get_user_model().objects.count() == akun
    page.goto(f"{live_server.url}/")
    assert "/masuk/" in page.url


def test_a_pegawai_who_left_is_refused(e2e_org, op, page, live_server, shot):
    rekan = e2e_org.rekan
    rekan.status = "berhenti"
    rekan.save()
    _masuk_lewat_sso(page, live_server, rekan.nip)
    page.wait_for_url(f"{live_server.url}/sso/ditolak/")
    assert "berhenti" in page.inner_text("#sso-ditolak")
    shot("sso-pegawai-berhenti")
    page.goto(f"{live_server.url}/")
    assert "/masuk/" in page.url


def test_with_local_passwords_off_only_sso_signs_in(e2e_org, op, page, live_server, settings, shot):
    settings.KINERJA_SANDI_LOKAL = False
    page.goto(f"{live_server.url}/masuk/")
    assert page.locator("#id_password").count() == 0
    assert "dinonaktifkan" in page.inner_text("main")
    shot("sso-tanpa-sandi-lokal")
    _masuk_lewat_sso(page, live_server, e2e_org.pegawai.nip)
    page.wait_for_url(f"{live_server.url}/")
