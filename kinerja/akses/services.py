"""Every change to API credentials: personal tokens (one per account, expiring) and integration
tokens of an instansi. Shared by the API, the admin instansi's page and the password hook."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from rest_framework.authtoken.models import Token

from kinerja import policy
from kinerja.models import Instansi, TokenIntegrasi
from kinerja.riwayat import layanan

# An integration token's secret: this prefix, then 256 random bits. DRF's personal tokens are
# 40 hex characters, so the prefix tells the two kinds apart without a lookup.
AWALAN = "kin_"


def sidik(rahasia: str) -> str:
    return hashlib.sha256(rahasia.encode()).hexdigest()


# --- personal tokens ------------------------------------------------------------------------
def token_pribadi_hari() -> int:
    return int(getattr(settings, "KINERJA_TOKEN_HARI", 30))


def token_pribadi_berlaku_sampai(token: Token) -> datetime:
    return token.created + timedelta(days=token_pribadi_hari())


def token_pribadi_kedaluwarsa(token: Token) -> bool:
    return token_pribadi_berlaku_sampai(token) <= timezone.now()


@layanan
@transaction.atomic
def token_pribadi_buat(*, user: Any) -> Token:
    """The caller's personal token: the current one while it is valid, else a new one (an
    expired token is replaced, never extended). The caller has just proved the password."""
    token = Token.objects.select_for_update().filter(user=user).first()
    if token is not None and token_pribadi_kedaluwarsa(token):
        token.delete()
        token = None
    if token is None:
        token = Token.objects.create(user=user)
    return token


@layanan
@transaction.atomic
def token_pribadi_cabut(*, user: Any) -> int:
    """Revoke the account's personal token (DELETE auth/token/, a password change)."""
    n, _ = Token.objects.filter(user=user).delete()
    return n


# --- integration tokens ---------------------------------------------------------------------
def _maks_hari() -> int:
    return int(getattr(settings, "KINERJA_TOKEN_INTEGRASI_MAKS_HARI", 366))


def _periksa(nama: str, cakupan: str, berlaku_sampai: datetime | None) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not (nama or "").strip():
        errors["nama"] = "Nama token wajib diisi (mis. 'Sinkron SIASN malam')."
    elif len(nama.strip()) > 100:
        errors["nama"] = "Nama token paling panjang 100 karakter."
    if cakupan not in TokenIntegrasi.Cakupan.values:
        errors["cakupan"] = "Cakupan harus 'baca' atau 'baca_tulis'."
    now = timezone.now()
    if berlaku_sampai is None:
        errors["berlaku_sampai"] = "Tanggal berlaku sampai wajib diisi."
    elif berlaku_sampai <= now:
        errors["berlaku_sampai"] = "Tanggal berlaku sampai harus di masa depan."
    elif berlaku_sampai > now + timedelta(days=_maks_hari()):
        errors["berlaku_sampai"] = (
            f"Token integrasi berlaku paling lama {_maks_hari()} hari; buat token baru sebelum "
            "yang lama habis."
        )
    return errors


@layanan
@transaction.atomic
def token_integrasi_buat(
    *,
    user: Any,
    instansi: Instansi,
    nama: str,
    cakupan: str,
    berlaku_sampai: datetime | None,
) -> tuple[TokenIntegrasi, str]:
    """Make an integration token for `instansi` and its system account. Returns the token and
    its secret, which is not stored (only its SHA-256) and so can be shown only now."""
    policy.require(user, "add", TokenIntegrasi(instansi=instansi))
    errors = _periksa(nama, cakupan, berlaku_sampai)
    if errors:
        raise ValidationError(errors)
    rahasia = AWALAN + secrets.token_urlsafe(32)
    nama = nama.strip()
    akun = get_user_model()(
        username=f"integrasi-{instansi.kode}-{secrets.token_hex(4)}"[:150],
        first_name=f"Integrasi: {nama}"[:150],
        admin_instansi=instansi,
        is_active=True,
    )
    akun.set_unusable_password()
    akun.save()
    token = TokenIntegrasi.objects.create(
        instansi=instansi,
        user=akun,
        nama=nama,
        cakupan=cakupan,
        awalan=rahasia[: len(AWALAN) + 6],
        sidik=sidik(rahasia),
        berlaku_sampai=berlaku_sampai,
        dibuat_oleh=user,
    )
    return token, rahasia


@layanan
@transaction.atomic
def token_integrasi_cabut(*, user: Any, token: TokenIntegrasi) -> TokenIntegrasi:
    """Revoke an integration token at once; its system account is deactivated with it, so no
    other path (a cached credential, a session) can act as it either. Revoking twice is a no-op."""
    token = TokenIntegrasi.objects.select_for_update().select_related("user").get(pk=token.pk)
    policy.require(user, "cabut", token)
    if token.dicabut is not None:
        return token
    token.dicabut = timezone.now()
    token.dicabut_oleh = user
    token.save(update_fields=["dicabut", "dicabut_oleh"])
    akun = token.user
    akun.is_active = False
    akun.save(update_fields=["is_active"])
    return token
