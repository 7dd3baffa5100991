"""Explicit grants (django-guardian object permissions recorded by kinerja.akses.HakAksesKhusus).

A grant counts only while both hold: the guardian permission on the object exists for the user,
and its record is current today (kinerja.waktu.hari_ini(): mulai <= today <= selesai, not
revoked). Read once per request, and only for users who hold any grant (the Actor knows).

    plh_atas_nama(a)        -> ids of the officials whose SKP approvals the user may give (Plh)
    audit_unit_ids(a)       -> ids of the units whose SKP and evaluations the user may read
    pemutus_ditunjuk(inst)  -> the pegawai the instansi designated to decide keberatan, or None

Who may give and take back grants: the admin of the instansi (action `kelola_hak_khusus` on the
Instansi), only on its own objects and to its own pegawai (kinerja.akses.hibah checks both).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Model, Q, QuerySet

from .core import Actor, Rules, action, register

PERM = {
    "plh": ("kinerja", "pegawai", "setujui_atas_nama"),
    "auditor": ("kinerja", "unitkerja", "audit_baca"),
    "pemutus_keberatan": ("kinerja", "instansi", "putuskan_keberatan"),
}


def _aktif_q() -> Q:
    from kinerja.waktu import hari_ini

    hari = hari_ini()
    return Q(dicabut_pada__isnull=True, mulai__lte=hari) & (
        Q(selesai__isnull=True) | Q(selesai__gte=hari)
    )


def hibah_aktif(user_id: int, jenis: str) -> set[int]:
    """Object ids of the user's current grants of `jenis` that guardian also holds."""
    from guardian.models import UserObjectPermission

    from kinerja.models import HakAksesKhusus

    app, model, codename = PERM[jenis]
    dicatat = set(
        HakAksesKhusus.objects.filter(_aktif_q(), penerima_id=user_id, jenis=jenis).values_list(
            "objek_id", flat=True
        )
    )
    if not dicatat:
        return set()
    dipegang = set(
        UserObjectPermission.objects.filter(
            user_id=user_id,
            permission__codename=codename,
            content_type__app_label=app,
            content_type__model=model,
        ).values_list("object_pk", flat=True)
    )
    return {i for i in dicatat if str(i) in dipegang}


def _hibah(a: Actor, jenis: str) -> set[int]:
    if not a.punya_hibah or a.user is None:
        return set()
    key = f"hibah:{jenis}"
    if key not in a._cache:
        a._cache[key] = hibah_aktif(a.user.pk, jenis)
    return a._cache[key]


def plh_atas_nama(a: Actor) -> set[int]:
    return _hibah(a, "plh")


def audit_unit_ids(a: Actor) -> set[int]:
    return _hibah(a, "auditor")


def pemutus_ditunjuk(instansi: Any):
    """The instansi's keberatan designee: the holder of a current `pemutus_keberatan` grant on
    it (the most recent), else the one recorded on the instansi before grants existed."""
    from guardian.models import UserObjectPermission

    from kinerja.models import HakAksesKhusus, Pegawai

    app, model, codename = PERM["pemutus_keberatan"]
    holders = UserObjectPermission.objects.filter(
        permission__codename=codename,
        content_type__app_label=app,
        content_type__model=model,
        object_pk=str(instansi.pk),
    ).values("user_id")
    row = (
        HakAksesKhusus.objects.filter(
            _aktif_q(), jenis="pemutus_keberatan", objek_id=instansi.pk, penerima__in=holders
        )
        .order_by("-dibuat", "-pk")
        .values_list("penerima_id", flat=True)
        .first()
    )
    if row is not None:
        return Pegawai.objects.filter(user_id=row).first()
    return instansi.pejabat_keberatan


@action("kinerja.instansi", "kelola_hak_khusus")
def boleh_kelola_hak_khusus(a: Actor, instansi: Any) -> bool:
    """Explicit grants of an instansi are given and taken back by its admin."""
    return a.is_admin_of(instansi.pk)


@register("kinerja.hakakseskhusus")
class HakAksesKhususRules(Rules):
    """The records: the instansi's admin (who gives them) reads them; nobody else."""

    def scope(self, a: Actor, qs: QuerySet) -> QuerySet:
        if a.superuser:
            return qs
        if a.admin_instansi_id:
            return qs.filter(instansi_id=a.admin_instansi_id)
        return qs.none()

    def can(self, a: Actor, action: str, obj: Model) -> bool:
        return action in {"view", "cabut"} and a.is_admin_of(obj.instansi_id)
