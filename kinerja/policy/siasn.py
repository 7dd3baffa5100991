"""Access rules for SIASN records (evaluasi/siasn; registered by label, no model imports).

- SIASN records (one per final evaluation, read from Evaluasi): the instansi admin sees every
  record of the instansi (an integration token of the instansi must be answered here as its
  admin is: `Actor.admin_instansi_id`); a pegawai sees the records of their own final
  evaluations; nobody else sees anyone's records (not their penilai: SIASN data is the BKD's).
- Reference tables, SIASN ids of pegawai, the push state and the send log: the instansi admin
  (and the superuser) sees them; the admin edits the references and asks for a resend.
"""

from __future__ import annotations

from django.db.models import Model, Q, QuerySet

from .core import Actor, Rules, actor, register


def rekaman_scope(user, qs: QuerySet) -> QuerySet:
    """The part of an Evaluasi queryset whose SIASN records `user` may see (final ones only)."""
    a = actor(user)
    if not a.authenticated:
        return qs.none()
    qs = qs.filter(status="final")
    if a.superuser:
        return qs
    q = Q(pk__in=[])
    if a.admin_instansi_id:
        q |= Q(pegawai__instansi_id=a.admin_instansi_id)
    if a.pegawai_id:
        q |= Q(pegawai_id=a.pegawai_id)
    return qs.filter(q)


def boleh_kelola(user, instansi_id: int | None) -> bool:
    """May manage SIASN for this instansi: its admin, or the superuser."""
    return instansi_id is not None and actor(user).is_admin_of(instansi_id)


class _AdminRules(Rules):
    instansi_path = "instansi_id"
    actions = frozenset({"view"})

    def _inst(self, obj: Model) -> int | None:
        cur: object = obj
        for part in self.instansi_path.split("__"):
            cur = getattr(cur, part, None)
        return cur  # type: ignore[return-value]

    def scope(self, a: Actor, qs: QuerySet) -> QuerySet:
        if a.superuser:
            return qs
        if a.admin_instansi_id:
            return qs.filter(**{self.instansi_path: a.admin_instansi_id})
        return qs.none()

    def can(self, a: Actor, action: str, obj: Model) -> bool:
        return action in self.actions and a.is_admin_of(self._inst(obj))


@register("evaluasi.referensisiasn")
class ReferensiSiasnRules(_AdminRules):
    actions = frozenset({"view", "change", "add"})


@register("evaluasi.identitassiasn")
class IdentitasSiasnRules(_AdminRules):
    instansi_path = "pegawai__instansi_id"
    actions = frozenset({"view", "change", "add"})


@register("evaluasi.rekamansiasn")
class RekamanSiasnRules(_AdminRules):
    instansi_path = "evaluasi__pegawai__instansi_id"


@register("evaluasi.kiriman")
class KirimanRules(_AdminRules):
    actions = frozenset({"view", "kirim_ulang"})
