"""Single sign-on by OpenID Connect (mozilla-django-oidc), off unless OIDC_RP_CLIENT_ID is set.

The identity provider (e.g. BKN's SSO ASN) asserts a NIP in a claim (KINERJA_SSO_KLAIM_NIP,
default `nip`); the account is the pegawai's with that NIP (or, for an admin BKD who is not a
pegawai, the account whose username is that NIP). Nothing is created from the claim: an unknown
NIP, a pegawai who has left (`berhenti`) or a deactivated account is refused with a page that
says why (`sso_ditolak`). The ID token's audience (and issuer, when OIDC_OP_ISSUER is set) is
checked, the code flow uses PKCE and a nonce, and signing out of Kinerja also ends the
provider's session (RP-initiated logout, OIDC_OP_LOGOUT_ENDPOINT).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import SuspiciousOperation
from django.http import Http404, HttpRequest
from django.urls import reverse
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from kinerja import policy
from kinerja.rules import normalize_nip

SESI_TOLAK = "kinerja_sso_ditolak"
TANPA_NIP = "tanpa_nip"
TIDAK_TERDAFTAR = "tidak_terdaftar"


def sso_aktif() -> bool:
    return bool(getattr(settings, "OIDC_RP_CLIENT_ID", ""))


def klaim_nip() -> str:
    return getattr(settings, "KINERJA_SSO_KLAIM_NIP", "nip") or "nip"


def akun_untuk_nip(nip: str) -> Any:
    """The account a NIP signs in as: its pegawai's, else an account named by that NIP that
    belongs to no pegawai (an admin BKD). None when nobody has it."""
    from kinerja.models import Pegawai

    pegawai = Pegawai.objects.select_related("user").filter(nip=nip).first()
    if pegawai is not None:
        return pegawai.user
    return (
        get_user_model()
        ._default_manager.select_related("pegawai")
        .filter(username=nip, pegawai__isnull=True)
        .first()
    )


class NIPBackend(OIDCAuthenticationBackend):
    """The OpenID Connect backend: the user is found by the NIP claim, never created."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Django instantiates every backend on each sign-in; without SSO configured the parent
        # would raise ImproperlyConfigured for the missing endpoints.
        self.UserModel = get_user_model()
        if sso_aktif():
            super().__init__(*args, **kwargs)

    def authenticate(self, request: Any, **kwargs: Any) -> Any:
        if not sso_aktif():
            return None
        return super().authenticate(request, **kwargs)

    def verify_token(self, token: str, **kwargs: Any) -> dict:
        payload = super().verify_token(token, **kwargs)
        if "nonce" in kwargs:  # the ID token (mozilla-django-oidc checks neither aud nor iss)
            aud = payload.get("aud")
            auds = aud if isinstance(aud, list) else [aud]
            if self.OIDC_RP_CLIENT_ID not in auds:
                raise SuspiciousOperation("ID token untuk klien lain (aud).")
            issuer = getattr(settings, "OIDC_OP_ISSUER", "")
            if issuer and payload.get("iss") != issuer:
                raise SuspiciousOperation("ID token dari penerbit lain (iss).")
        return payload

    def get_or_create_user(self, access_token: str, id_token: str, payload: dict) -> Any:
        claims = self.get_userinfo(access_token, id_token, payload)
        raw = claims.get(klaim_nip()) or payload.get(klaim_nip()) or ""
        nip = normalize_nip(raw)
        if not nip:
            return self._tolak(TANPA_NIP, "")
        user = akun_untuk_nip(nip)
        if user is None:
            return self._tolak(TIDAK_TERDAFTAR, nip)
        alasan = policy.akses.alasan_tolak_masuk(user)
        if alasan:
            return self._tolak(alasan, nip)
        return user

    def _tolak(self, alasan: str, nip: str) -> None:
        self.request.session[SESI_TOLAK] = {"alasan": alasan, "nip": nip}
        return None

    def get_user(self, user_id: Any) -> Any:
        from kinerja.akses.muat import muat_user

        user = muat_user(user_id)  # see KinerjaBackend
        if user is None or policy.akses.alasan_tolak_masuk(user):
            return None
        return user


class SSOMulai(OIDCAuthenticationRequestView):
    """GET sso/mulai/: to the identity provider (404 without SSO)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super(OIDCAuthenticationRequestView, self).__init__(*args, **kwargs)

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        if not sso_aktif():
            raise Http404("Masuk lewat SSO tidak diaktifkan.")
        self.OIDC_OP_AUTH_ENDPOINT = self.get_settings("OIDC_OP_AUTHORIZATION_ENDPOINT")
        self.OIDC_RP_CLIENT_ID = self.get_settings("OIDC_RP_CLIENT_ID")
        return super().dispatch(request, *args, **kwargs)


class SSOCallback(OIDCAuthenticationCallbackView):
    """GET sso/callback/: the provider's answer; signs in or refuses (404 without SSO)."""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        if not sso_aktif():
            raise Http404("Masuk lewat SSO tidak diaktifkan.")
        return super().dispatch(request, *args, **kwargs)


def url_keluar_sso(request: HttpRequest, id_token: str | None) -> str | None:
    """Where to send the browser so the provider ends its session too (RP-initiated logout),
    or None when this session did not come from SSO or the provider has no logout endpoint."""
    endpoint = getattr(settings, "OIDC_OP_LOGOUT_ENDPOINT", "")
    if not (sso_aktif() and endpoint and id_token):
        return None
    params = {
        "id_token_hint": id_token,
        "client_id": settings.OIDC_RP_CLIENT_ID,
        "post_logout_redirect_uri": request.build_absolute_uri(reverse("login")),
    }
    return f"{endpoint}?{urlencode(params)}"
