"""Rules for the login perimeter: who may sign in at all, which roles an account has, and the
integration tokens of an instansi."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models import Model, QuerySet

from .core import Actor, Rules, actor, register

# Why a sign-in (password, token or single sign-on) is refused although the credential is right.
NONAKTIF = "nonaktif"
BERHENTI = "berhenti"


def alasan_tolak_masuk(user: Any) -> str | None:
    """None when the account may be used; else why not: a deactivated (locked) account, or
    a pegawai whose status is `berhenti` (left the service). Reads `user.pegawai`, which the
    login backends and the token authentication load with the user in one query."""
    if user is None or not getattr(user, "is_active", False):
        return NONAKTIF
    from kinerja.models import Pegawai

    try:
        pegawai = user.pegawai
    except (Pegawai.DoesNotExist, AttributeError):
        return None
    if pegawai is not None and pegawai.status == Pegawai.Status.BERHENTI:
        return BERHENTI
    return None


def sandi_lokal_boleh(user: Any) -> bool:
    """Local passwords may be switched off per deployment (KINERJA_SANDI_LOKAL=0, single sign-on
    only); a superuser keeps a break-glass password for when the identity provider is down."""
    return bool(getattr(settings, "KINERJA_SANDI_LOKAL", True)) or bool(
        getattr(user, "is_superuser", False)
    )


def akun_integrasi(user_or_actor: Any) -> bool:
    """The account is an integration token's system account (cached per request)."""
    a = user_or_actor if isinstance(user_or_actor, Actor) else actor(user_or_actor)
    if not a.authenticated:
        return False
    if "integrasi" not in a._cache:
        from kinerja.models import TokenIntegrasi

        a._cache["integrasi"] = TokenIntegrasi.objects.filter(user_id=a.user.pk).exists()
    return a._cache["integrasi"]


def instansi_pemanggil(user: Any) -> int | None:
    """The instansi the caller belongs to: the one it administers, else its pegawai's."""
    a = actor(user)
    return a.admin_instansi_id or a.instansi_id


def instansi_token(user: Any) -> list[Any]:
    """The instansi the user may make integration tokens for (its own as admin; every one for
    the superuser; none for an integration account)."""
    from kinerja.models import Instansi, TokenIntegrasi

    from .core import can, scope

    return [
        i
        for i in scope(user, Instansi.objects.order_by("nama"))
        if can(user, "add", TokenIntegrasi(instansi=i))
    ]


# Every role code `peran` may answer (the API's enum for `saya/`).
PERAN = [
    "superuser",
    "admin_instansi",
    "integrasi",
    "pegawai",
    "pejabat_penilai",
    "atasan_pejabat_penilai",
    "ketua_tim",
]


def peran(user: Any) -> list[str]:
    """The caller's roles, as codes (for `saya/`): derived, never stored."""
    a = actor(user)
    if not a.authenticated:
        return []
    out = []
    if a.superuser:
        out.append("superuser")
    if akun_integrasi(a):
        out.append("integrasi")
    elif a.admin_instansi_id:
        out.append("admin_instansi")
    if a.pegawai_id:
        out.append("pegawai")
        if a.dinilai_ids():
            out.append("pejabat_penilai")
        if a.atasan_dari_ids():
            out.append("atasan_pejabat_penilai")
        if a.anggota_tim_ids():
            out.append("ketua_tim")
    return out


@register("kinerja.tokenintegrasi")
class TokenIntegrasiRules(Rules):
    """An instansi's integration tokens are seen, made and revoked by its admin (a person). An
    integration account manages no tokens, so a leaked token cannot mint a longer-lived one;
    it may only revoke itself (DELETE auth/token/)."""

    def scope(self, a: Actor, qs: QuerySet) -> QuerySet:
        if akun_integrasi(a):
            return qs.none()
        if a.superuser:
            return qs
        if a.admin_instansi_id:
            return qs.filter(instansi_id=a.admin_instansi_id)
        return qs.none()

    def can(self, a: Actor, action: str, obj: Model) -> bool:
        if akun_integrasi(a):
            return action == "cabut" and obj.user_id == a.user.pk
        return action in {"view", "add", "cabut"} and a.is_admin_of(obj.instansi_id)
