"""API authentication: `Authorization: Token <key>` for personal and integration tokens.

A personal token (DRF's authtoken row, one per account) works for KINERJA_TOKEN_HARI days from
its creation and stops at once when the account is deactivated, the pegawai's status becomes
`berhenti`, or the password changes (the token row is deleted: `CabutTokenSaatSandiBerubah`).
An integration token (`kin_...`, kinerja.akses.models) works until its `berlaku_sampai` or its
revocation; with cakupan `baca` every unsafe method is a 403 whatever the view would allow.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta
from typing import Any

from django.db import router
from django.utils import timezone
from rest_framework import authentication, exceptions
from rest_framework.authtoken.models import Token

from kinerja import policy
from kinerja.akses import salinan, services
from kinerja.akses.muat import terkompilasi
from kinerja.models import TokenIntegrasi
from kinerja.policy.core import TIM_TAWARAN

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
TIDAK_VALID = "Token tidak valid."
KEDALUWARSA = "Token sudah kedaluwarsa; minta token baru lewat POST /api/v1/auth/token/."
KEDALUWARSA_INTEGRASI = "Token integrasi sudah kedaluwarsa; minta admin instansi membuat yang baru."
DICABUT = "Token sudah dicabut."
AKUN_DITOLAK = {
    policy.akses.NONAKTIF: "Akun pemilik token dinonaktifkan.",
    policy.akses.BERHENTI: "Pegawai pemilik token sudah berhenti; token tidak berlaku lagi.",
}
HANYA_BACA = "Token integrasi ini hanya untuk membaca (cakupan 'baca'): perubahan ditolak."
# `terakhir_dipakai` is written at most this often per token (a write per request would cost
# every integration call a round trip for bookkeeping).
DIPAKAI_SELANG = timedelta(minutes=1)


# --- the personal token's load ----------------------------------------------------------------
# The token, its user, the user's pegawai and whether a grant is held: one query by the key, its
# compilation kept per process (as kinerja.akses.muat does for the session's user). With Redis
# the row comes from there when it was kept under the versions current now
# (kinerja.akses.salinan): a deleted token, a deactivated account, a pegawai who left, a moved
# pegawai or a grant given or revoked bumps one of them, so it shows at the next request as when
# the row was read from the database. Expiry is judged on every request from `created`.
_CONTOH = "kinerja-contoh-kunci-token-dikompilasi-1"  # a key to compile with (40 characters)


def _token_qs(key: str):
    # At most one row by its primary key: no ORDER BY (`.first()` adds one).
    return policy.dengan_actor(Token.objects.select_related("user"), "user").filter(key=key)[:1]


def muat_token(key: Any, jendela: Any = None) -> Any:
    """The personal token with this key, its user loaded with the actor's facts
    (policy.dengan_actor), or None. `jendela` (now, duration, number): the user's API rate
    window decided in the same Redis round trip when the row comes from there; the verdict is
    the token's JENDELA attribute (None when not decided)."""
    alias = router.db_for_read(Token)
    if type(key) is str:
        rencana = terkompilasi("token", _token_qs, _CONTOH, alias)
        if rencana.berlaku and rencana.model is Token:
            return _muat_tersalin(rencana, key, jendela)
    return next(iter(_token_qs(key).using(alias)), None)


JENDELA = "_kinerja_jendela"


def _muat_tersalin(rencana: Any, key: str, jendela: Any = None) -> Any:
    # Redis keys name the key's digest, and the kept row holds no key: what Redis keeps cannot
    # be used as a token.
    sidik = hashlib.sha256(key.encode()).hexdigest()[:32]
    awal = salinan.tawaran_token(rencana.prefix_baris, sidik, jendela)
    if awal is None:  # no Redis (or down): the database, nothing kept
        return rencana.muat(key)
    posisi = rencana.awal + rencana.init_list.index("key")
    user_posisi = rencana.awal + rencana.init_list.index("user_id")
    row = awal.row
    if row is None:
        row = rencana.baris(key)
        if row is None:
            return None
        row = list(row)
        row[posisi] = None
        awal.simpan(row[user_posisi], tuple(row))
    else:
        row = list(row)
    row[posisi] = key
    token = rencana.bangun(row)
    tim = awal.tawaran_tim(token.user_id)
    if tim is not None:
        setattr(token.user, TIM_TAWARAN, tim)
    if awal.jendela is not None:
        putusan = (str(awal.uid), awal.jendela)  # the throttle's ident: the user's pk as text
        if token.user_id != awal.uid:  # cannot be (the row is kept per user): undone
            if awal.jendela == "1":
                salinan.jendela_batal(awal.uid, jendela[0])
        else:
            setattr(token, JENDELA, putusan)
    return token


class TokenAuthentication(authentication.TokenAuthentication):
    """DRF's token authentication with expiry, account checks and integration tokens."""

    def authenticate(self, request: Any) -> tuple[Any, Any] | None:
        # This view's rate window (kinerja.akses.throttle), decided in the token's round trip
        # when the throttle is sure to ask for it next (`jendela_dilipat`).
        self._jendela = jendela_dilipat(request)
        self._putusan = None
        try:
            result = super().authenticate(request)
        except exceptions.APIException:
            if self._putusan is not None and self._putusan[1] == "1":
                salinan.jendela_batal(self._putusan[0], self._jendela[0])
            raise
        if self._putusan is not None:
            request._kinerja_jendela = (*self._putusan, self._jendela)
        token = result[1] if result is not None else None
        hanya_baca = isinstance(token, TokenIntegrasi) and not token.boleh_tulis
        if hanya_baca and request.method not in SAFE_METHODS:
            raise exceptions.PermissionDenied(HANYA_BACA)
        return result

    def authenticate_credentials(self, key: str) -> tuple[Any, Any]:
        if key.startswith(services.AWALAN):
            return self._integrasi(key)
        token = muat_token(key, getattr(self, "_jendela", None))
        if token is None:
            raise exceptions.AuthenticationFailed(TIDAK_VALID)
        self._putusan = getattr(token, JENDELA, None)
        # The user row carries the facts of the policy's actor (one query for the request).
        setattr(token.user, policy.HIBAH_ANOTASI, getattr(token, policy.HIBAH_ANOTASI))
        self._periksa_akun(token.user)
        if services.token_pribadi_kedaluwarsa(token):
            raise exceptions.AuthenticationFailed(KEDALUWARSA)
        return token.user, token

    def _integrasi(self, key: str) -> tuple[Any, Any]:
        token = (
            TokenIntegrasi.objects.select_related("user", "instansi")
            .filter(sidik=services.sidik(key))
            .first()
        )
        if token is None:
            raise exceptions.AuthenticationFailed(TIDAK_VALID)
        if token.dicabut is not None:
            raise exceptions.AuthenticationFailed(DICABUT)
        now = timezone.now()
        if token.berlaku_sampai <= now:
            raise exceptions.AuthenticationFailed(KEDALUWARSA_INTEGRASI)
        self._periksa_akun(token.user)
        if token.terakhir_dipakai is None or token.terakhir_dipakai < now - DIPAKAI_SELANG:
            # A bookkeeping UPDATE that the page cache ignores (kinerja.cache_halaman).
            TokenIntegrasi.objects.filter(pk=token.pk).update(terakhir_dipakai=now)
            token.terakhir_dipakai = now
        return token.user, token

    @staticmethod
    def _periksa_akun(user: Any) -> None:
        alasan = policy.akses.alasan_tolak_masuk(user)
        if alasan:
            raise exceptions.AuthenticationFailed(AKUN_DITOLAK[alasan])


class CabutTokenSaatSandiBerubah:
    """Listed in AUTH_PASSWORD_VALIDATORS for Django's `password_changed` hook, which runs on
    every real password change (form, admin, set_password + save) and not on a hash upgrade at
    login: the account's personal token is revoked, so a stolen token dies with the old password
    (sessions already end through Django's session hash)."""

    def validate(self, password: str, user: Any = None) -> None:
        return None

    def password_changed(self, password: str, user: Any = None) -> None:
        if user is not None and user.pk:
            services.token_pribadi_cabut(user=user)

    def get_help_text(self) -> str:
        return "Mengganti kata sandi mencabut token API pribadi Anda."


def jendela_dilipat(request: Any) -> tuple[float, int, int] | None:
    """(now, duration, number) of the user's rate window when this request's throttle is
    certain to ask for it right after authentication: the view takes the default throttle
    (KredensialThrottle) and only IsAuthenticated (always true for a token that
    authenticates), with DRF's own order (authentication, permissions, throttles) unchanged,
    and no sign-in window. Else None: the throttle's own round trip, as before."""
    from rest_framework import permissions
    from rest_framework.views import APIView

    from kinerja.akses.throttle import KredensialThrottle

    view = (getattr(request, "parser_context", None) or {}).get("view")
    if view is None or getattr(view, "throttle_anonim", False):
        return None
    kelas = type(view)
    if (
        list(getattr(view, "throttle_classes", ())) != [KredensialThrottle]
        or any(p is not permissions.IsAuthenticated for p in view.permission_classes)
        or kelas.get_throttles is not APIView.get_throttles
        or kelas.get_permissions is not APIView.get_permissions
        or kelas.check_permissions is not APIView.check_permissions
        or kelas.check_throttles is not APIView.check_throttles
        or kelas.perform_authentication is not APIView.perform_authentication
    ):
        return None
    laju = KredensialThrottle()
    laju.scope = "user"
    rate = laju.get_rate()
    if rate is None:
        return None
    num, duration = laju.parse_rate(rate)
    return laju.timer(), duration, num
