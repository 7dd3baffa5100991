"""Who learns of a deletion (`perubahan/` tombstones, kinerja.sinkron).

A tombstone reveals only that an id of a kind is gone, and only to someone who could see the
row: the scope kept with it (`Penghapusan.lingkup`) says how that is decided.

    instansi   reference data (organisation, kinerja organisasi): whoever belongs to the
               instansi or administers it
    induk      a part of another object (a rencana hasil kerja of an SKP): whoever sees the
               parent now through its own rule, and the pegawai it belonged to
    pegawai    a pegawai's own record (SKP, evaluasi, keberatan, matriks): the pegawai, who
               rates them or is the atasan of who rates them, and the admin of their instansi
    pengguna   one user's own rows (notifications): that user
"""

from __future__ import annotations

from django.apps import apps
from django.db.models import Model, Q, QuerySet

from kinerja.sinkron import LINGKUP_INDUK, LINGKUP_INSTANSI, LINGKUP_PEGAWAI, LINGKUP_PENGGUNA

from .core import Actor, Rules, _rules_for, register


def _induk_q(a: Actor, qs: QuerySet) -> Q:
    """Tombstones whose parent the actor sees now, by the parent's own rule."""
    q = Q(pk__in=[])
    labels = qs.filter(lingkup=LINGKUP_INDUK).exclude(induk_model="")
    for label in labels.values_list("induk_model", flat=True).distinct().order_by():
        model = apps.get_model(label)
        seen = _rules_for(model).scope(a, model._default_manager.all()).values("pk")
        q |= Q(induk_model=label, induk_id__in=seen)
    return q


@register("kinerja.penghapusan")
class PenghapusanRules(Rules):
    def scope(self, a: Actor, qs: QuerySet) -> QuerySet:
        if a.superuser:
            return qs
        instansi = {i for i in (a.instansi_id, a.admin_instansi_id) if i}
        q = Q(lingkup=LINGKUP_PENGGUNA, user_id=a.user.pk)
        q |= Q(lingkup=LINGKUP_INSTANSI, instansi_id__in=instansi)
        if a.pegawai_id:
            lead = a.dinilai_ids() | a.atasan_dari_ids()
            q |= Q(lingkup__in=[LINGKUP_INDUK, LINGKUP_PEGAWAI], pegawai_id=a.pegawai_id)
            q |= Q(lingkup=LINGKUP_PEGAWAI, pegawai_id__in=lead)
        if a.admin_instansi_id:
            q |= Q(lingkup=LINGKUP_PEGAWAI, instansi_id=a.admin_instansi_id)
        return qs.filter(q | _induk_q(a, qs))

    def can(self, a: Actor, action: str, obj: Model) -> bool:
        return (
            action == "view"
            and self.scope(a, type(obj)._default_manager.filter(pk=obj.pk)).exists()
        )
