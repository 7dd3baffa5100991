"""Single sign-on settings without a browser: off by default, local passwords switched off
(with the superuser's break-glass), and the RP-initiated logout page. The browser journey
against a real provider is tests/e2e/test_sso.py."""

from __future__ import annotations

import json

from django.test import Client

from tests.personas import PASSWORD


def test_single_sign_on_is_off_unless_configured(db):
    for path in ("/sso/mulai/", "/sso/callback/?code=x&state=y", "/sso/ditolak/"):
        assert Client().get(path).status_code == 404
    assert 'id="masuk-sso"' not in Client().get("/masuk/").content.decode()


def test_the_sso_backend_does_nothing_when_off(db, rf):
    from django.contrib.auth import authenticate

    request = rf.get("/sso/callback/", {"code": "x", "state": "y"})
    request.session = {}
    assert authenticate(request=request, nonce="n", code_verifier=None) is None


def _sso_on(settings):
    settings.OIDC_RP_CLIENT_ID = "kinerja"
    settings.OIDC_RP_CLIENT_SECRET = "rahasia"
    settings.OIDC_OP_AUTHORIZATION_ENDPOINT = "http://127.0.0.1:9/o/authorize/"
    settings.OIDC_OP_TOKEN_ENDPOINT = "http://127.0.0.1:9/o/token/"
    settings.OIDC_OP_USER_ENDPOINT = "http://127.0.0.1:9/o/userinfo/"
    settings.OIDC_OP_JWKS_ENDPOINT = "http://127.0.0.1:9/o/jwks/"
    settings.OIDC_OP_LOGOUT_ENDPOINT = "http://127.0.0.1:9/o/logout/"


def test_sso_start_sends_the_browser_to_the_provider_with_pkce(db, settings):
    _sso_on(settings)
    assert 'id="masuk-sso"' in Client().get("/masuk/").content.decode()
    r = Client().get("/sso/mulai/")
    assert r.status_code == 302
    loc = r["Location"]
    assert loc.startswith("http://127.0.0.1:9/o/authorize/?")
    assert "code_challenge=" in loc and "code_challenge_method=S256" in loc and "nonce=" in loc


def test_local_passwords_off_refuse_pages_and_token_but_not_the_break_glass(org, settings):
    _sso_on(settings)
    settings.KINERJA_SANDI_LOKAL = False
    r = Client().post("/masuk/", {"username": org.pegawai.nip, "password": PASSWORD})
    assert r.status_code == 200 and "_auth_user_id" not in r.wsgi_request.session
    assert 'id="id_password"' not in r.content.decode()
    r = Client().post(
        "/api/v1/auth/token/",
        data=json.dumps({"username": org.pegawai.nip, "password": PASSWORD}),
        content_type="application/json",
    )
    assert r.status_code == 400 and "dinonaktifkan" in r.json()["non_field_errors"][0]
    # The superuser keeps a password for when the identity provider is down.
    r = Client().post("/admin/login/", {"username": "root", "password": PASSWORD})
    assert r.status_code == 302


def test_signing_out_of_an_sso_session_also_signs_out_of_the_provider(org, settings):
    _sso_on(settings)
    c = Client()
    c.force_login(org.pegawai.user)
    s = c.session
    s["oidc_id_token"] = "eyJ.id.token"
    s.save()
    r = c.post("/keluar/")
    assert r.status_code == 200 and r["Cache-Control"] == "no-store"
    html = r.content.decode()
    assert 'http-equiv="refresh"' in html
    assert "http://127.0.0.1:9/o/logout/?id_token_hint=eyJ.id.token" in html
    assert "post_logout_redirect_uri=http%3A%2F%2Ftestserver%2Fmasuk%2F" in html
    assert c.get("/")["Location"].startswith("/masuk/")  # Kinerja's session ended first


def test_signing_out_of_a_password_session_goes_back_to_the_login(org, settings):
    _sso_on(settings)
    c = Client()
    c.force_login(org.pegawai.user)
    r = c.post("/keluar/")
    assert r.status_code == 302 and r["Location"] == "/masuk/"
    assert c.get("/keluar/").status_code == 405


def test_refusal_page_explains_in_bahasa_indonesia(db, settings):
    from kinerja.akses import sso

    _sso_on(settings)
    c = Client()
    s = c.session
    s[sso.SESI_TOLAK] = {"alasan": sso.TIDAK_TERDAFTAR, "nip": "199912312020121999"}
    s.save()
    r = c.get("/sso/ditolak/")
    assert r.status_code == 403
    assert "199912312020121999 tidak terdaftar" in r.content.decode()
    # Shown once: a reload gives the general message.
    assert "gagal atau dibatalkan" in c.get("/sso/ditolak/").content.decode()


def test_refused_sso_callbacks_behind_one_address_do_not_lock_it(db, settings, rf):
    """Five people behind one NAT whose NIPs the provider knows but Kinerja does not must not
    lock single sign-on for their neighbours: a callback is not a password guess."""
    from axes.handlers.proxy import AxesProxyHandler
    from axes.models import AccessAttempt
    from django.contrib.auth import authenticate
    from django.core.cache import cache

    _sso_on(settings)
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 3
    cache.clear()
    AxesProxyHandler.implementation = None
    try:
        for _ in range(5):
            request = rf.get("/sso/callback/", REMOTE_ADDR="10.0.9.9")
            request.session = {}
            assert authenticate(request=request, nonce="n", code_verifier=None) is None
        assert not AccessAttempt.objects.exists()
        request = rf.get("/sso/callback/", REMOTE_ADDR="10.0.9.9")
        assert AxesProxyHandler.is_allowed(request, {"nonce": "n"})
        # A password guess at the login page still counts.
        Client().post("/masuk/", {"username": "x", "password": "y"}, REMOTE_ADDR="10.0.9.9")
        assert AccessAttempt.objects.count() == 1
    finally:
        AxesProxyHandler.implementation = None
