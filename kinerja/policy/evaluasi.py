"""Access rules for the evaluasi stage (registered by model label; no imports of evaluasi models).

- Evaluasi: the pejabat penilai (current, or the one recorded on the evaluation) sees and rates;
  the atasan pejabat penilai sees; the pegawai sees their own only once it is final; the instansi
  admin sees and reopens. Everyone else: not found. The document of a draft evaluation is never
  the pegawai's (the PDF page: the leaders only; the issued file: kinerja.policy.organisasi).
- Kinerja organisasi: readable inside the instansi; set by the instansi admin or the head of a
  unit above (the leader of the organisation above).
- Follow-up (potensi, sanctions, tables, year-end close): the instansi admin; the pegawai's
  penilai and atasan may read a sanction case.
- Keberatan: the pegawai who filed it, the pejabat penilai of the evaluation, the pemutus (the
  atasan pejabat penilai, or the instansi's designee) and the instansi admin (read only) see it;
  the pemutus also sees the evaluation objected to. Only the pegawai files, on their own
  evaluation; only the pemutus asks for explanations and decides, while it is open; the parties
  (pegawai, penilai) answer. Everyone else: not found.
"""

from __future__ import annotations

from django.db.models import Model, Q, QuerySet

from .core import Actor, Rules, action, capability, register
from .hibah import audit_unit_ids


def _kepala_unit_ids(a: Actor) -> set[int]:
    """Units whose head position this user holds (definitively or as Plt/Plh)."""

    def build() -> set[int]:
        from kinerja.models import Jabatan, Pegawai

        row = Pegawai.objects.filter(pk=a.pegawai_id).values("jabatan_id", "plt_jabatan_id").first()
        if not row:
            return set()
        ids = [j for j in (row["jabatan_id"], row["plt_jabatan_id"]) if j]
        return set(
            Jabatan.objects.filter(pk__in=ids, kepala_unit=True).values_list(
                "unit_kerja_id", flat=True
            )
        )

    return a._ids("kepala_unit", build)


def memimpin_unit_di_atas(a: Actor, unit) -> bool:
    """The user heads a unit above `unit` (its parent, or further up the tree). The unit tree
    of the instansi is read once per request (a list of every unit asks this of each)."""
    heads = _kepala_unit_ids(a)
    if not heads:
        return False
    induk = _induk_unit(a, unit.instansi_id)
    seen: set[int] = set()
    current = unit.induk_id
    while current and current not in seen:
        if current in heads:
            return True
        seen.add(current)
        current = induk.get(current)
    return False


def _induk_unit(a: Actor, instansi_id: int) -> dict[int, int | None]:
    """unit id -> parent id for the instansi's units, cached on the actor for the request."""
    key = f"induk_unit:{instansi_id}"
    if key not in a._cache:
        from kinerja.models import UnitKerja

        a._cache[key] = dict(
            UnitKerja.objects.filter(instansi_id=instansi_id).values_list("id", "induk_id")
        )
    return a._cache[key]


@register("evaluasi.evaluasi")
class EvaluasiRules(Rules):
    def scope(self, a: Actor, qs: QuerySet) -> QuerySet:
        if a.superuser:
            return qs
        q = Q(pk__in=[])
        if a.pegawai_id:
            q = (
                Q(pegawai_id=a.pegawai_id, status="final")
                | Q(pegawai__pejabat_penilai_id=a.pegawai_id)
                | Q(pejabat_penilai_id=a.pegawai_id)
                | Q(pegawai__atasan_pejabat_penilai_id=a.pegawai_id)
                | Q(atasan_pejabat_penilai_id=a.pegawai_id)
            )
            # The pemutus of a keberatan examines the evaluation objected to (a designee is
            # not otherwise in the chain).
            q |= Q(pk__in=_keberatan_qs().filter(pemutus_id=a.pegawai_id).values("evaluasi_id"))
        if a.admin_instansi_id:
            q |= Q(pegawai__instansi_id=a.admin_instansi_id)
        audit = audit_unit_ids(a)
        if audit:  # an auditor granted the unit reads its final evaluations
            q |= Q(pegawai__unit_kerja_id__in=audit, status="final")
        return qs.filter(q)

    def _penilai(self, a: Actor, obj: Model) -> bool:
        return a.pegawai_id is not None and (
            obj.pejabat_penilai_id == a.pegawai_id or a.is_penilai_of(obj.pegawai_id)
        )

    def can(self, a: Actor, action: str, obj: Model) -> bool:
        admin = a.is_admin_of(obj.pegawai.instansi_id)
        own = a.pegawai_id is not None and obj.pegawai_id == a.pegawai_id
        atasan = a.pegawai_id is not None and (
            obj.atasan_pejabat_penilai_id == a.pegawai_id or a.is_atasan_penilai_of(obj.pegawai_id)
        )
        if action == "view":
            return (
                admin
                or self._penilai(a, obj)
                or atasan
                or (own and obj.status == "final")
                or (
                    obj.status == "final"
                    and bool(audit := audit_unit_ids(a))
                    and obj.pegawai.unit_kerja_id in audit
                )
                or (
                    a.pegawai_id is not None
                    and _keberatan_qs().filter(evaluasi_id=obj.pk, pemutus_id=a.pegawai_id).exists()
                )
            )
        if action == "ajukan_keberatan":
            # A keberatan is filed by the pegawai rated, on their own evaluation only.
            return own
        if action == "dokumen":
            # The evaluation document (its PDF page): once final, whoever sees the evaluation;
            # a draft's only to the pegawai's leaders (the pegawai never sees a draft's).
            return self.can(a, "view", obj) and (obj.status == "final" or a.leads(obj.pegawai_id))
        if action in {"nilai", "finalisasi"}:
            # Rating is the penilai's alone, never one's own (a Plt may rate a subordinate).
            # An evaluation names the penilai of its window (or part of it): only they rate it,
            # also after the pegawai has moved on; the penilai now only reads it.
            if obj.pejabat_penilai_id is not None:
                penilai = a.pegawai_id == obj.pejabat_penilai_id
            else:
                penilai = self._penilai(a, obj)
            return penilai and not own and obj.status == "draft"
        if action == "buka_kembali":
            return admin and obj.status == "final"
        return False


def _keberatan_qs() -> QuerySet:
    from django.apps import apps

    return apps.get_model("evaluasi", "Keberatan").objects.all()


@register("evaluasi.penilaianrhk", "evaluasi.catatanperilaku", "evaluasi.pembukaankembali")
class EvaluasiPartRules(Rules):
    """Parts of an evaluation follow the evaluation."""

    def scope(self, a: Actor, qs: QuerySet) -> QuerySet:
        from django.apps import apps

        visible = EvaluasiRules().scope(a, apps.get_model("evaluasi", "Evaluasi").objects.all())
        return qs.filter(evaluasi__in=visible.values("pk"))

    def can(self, a: Actor, action: str, obj: Model) -> bool:
        return EvaluasiRules().can(a, action, obj.evaluasi)


@register("evaluasi.kinerjaorganisasi")
class KinerjaOrganisasiRules(Rules):
    def scope(self, a: Actor, qs: QuerySet) -> QuerySet:
        if a.superuser:
            return qs
        ids = {i for i in (a.instansi_id, a.admin_instansi_id) if i}
        return qs.filter(unit_kerja__instansi_id__in=ids)

    def can(self, a: Actor, action: str, obj: Model) -> bool:
        inst = obj.unit_kerja.instansi_id
        if action == "view":
            return a.superuser or inst in {a.instansi_id, a.admin_instansi_id}
        if action == "tetapkan":
            return a.is_admin_of(inst) or (
                a.instansi_id == inst and memimpin_unit_di_atas(a, obj.unit_kerja)
            )
        return False


@register("evaluasi.justifikasidistribusi")
class JustifikasiRules(Rules):
    def scope(self, a: Actor, qs: QuerySet) -> QuerySet:
        if a.superuser:
            return qs
        q = Q(pejabat_penilai_id=a.pegawai_id) if a.pegawai_id else Q(pk__in=[])
        if a.admin_instansi_id:
            q |= Q(periode__instansi_id=a.admin_instansi_id)
        return qs.filter(q)

    def can(self, a: Actor, action: str, obj: Model) -> bool:
        penilai = a.pegawai_id is not None and obj.pejabat_penilai_id == a.pegawai_id
        if action == "tulis":
            # A team's justification is its pejabat penilai's; a unit's or the instansi's is
            # the admin's (obj is an unsaved probe).
            if obj.cakupan == "tim":
                return penilai
            return a.is_admin_of(obj.periode.instansi_id)
        return a.is_admin_of(obj.periode.instansi_id) or penilai


class _AdminInstansiRules(Rules):
    instansi_path = "periode__instansi_id"

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
        return a.is_admin_of(self._inst(obj))


@register("evaluasi.penutupantahun")
class PenutupanRules(_AdminInstansiRules):
    pass


@register("evaluasi.arsipunit")
class ArsipRules(_AdminInstansiRules):
    instansi_path = "penutupan__periode__instansi_id"


@register("evaluasi.potensi")
class PotensiRules(_AdminInstansiRules):
    instansi_path = "pegawai__instansi_id"


@register("evaluasi.tabeltindaklanjut")
class TabelRules(_AdminInstansiRules):
    instansi_path = "instansi_id"

    def scope(self, a: Actor, qs: QuerySet) -> QuerySet:
        # Everyone in the instansi may read its own tables.
        if a.superuser:
            return qs
        ids = {i for i in (a.instansi_id, a.admin_instansi_id) if i}
        return qs.filter(instansi_id__in=ids)


@register("evaluasi.kasussanksi")
class KasusSanksiRules(_AdminInstansiRules):
    instansi_path = "pegawai__instansi_id"

    def scope(self, a: Actor, qs: QuerySet) -> QuerySet:
        if a.superuser:
            return qs
        q = a.pegawai_q("pegawai")
        if a.admin_instansi_id:
            q |= Q(pegawai__instansi_id=a.admin_instansi_id)
        return qs.filter(q)

    def can(self, a: Actor, action: str, obj: Model) -> bool:
        if action == "view":
            return (
                a.is_admin_of(obj.pegawai.instansi_id)
                or a.leads(obj.pegawai_id)
                or obj.pegawai_id == a.pegawai_id
            )
        return a.is_admin_of(obj.pegawai.instansi_id)


@register("evaluasi.langkahsanksi")
class LangkahSanksiRules(Rules):
    def scope(self, a: Actor, qs: QuerySet) -> QuerySet:
        from django.apps import apps

        visible = KasusSanksiRules().scope(
            a, apps.get_model("evaluasi", "KasusSanksi").objects.all()
        )
        return qs.filter(kasus__in=visible.values("pk"))

    def can(self, a: Actor, action: str, obj: Model) -> bool:
        return KasusSanksiRules().can(a, action, obj.kasus)


@action("kinerja.unitkerja", "distribusi")
def boleh_lihat_distribusi_unit(a: Actor, unit) -> bool:
    """A unit's predikat distribution: the instansi admin, the head of the unit or of a unit
    above it, or a penilai of someone in the unit."""
    if a.is_admin_of(unit.instansi_id):
        return True
    if not a.pegawai_id or a.instansi_id != unit.instansi_id:
        return False
    if unit.pk in _kepala_unit_ids(a) or memimpin_unit_di_atas(a, unit):
        return True
    from kinerja.models import Pegawai

    return Pegawai.objects.filter(unit_kerja_id=unit.pk, pejabat_penilai_id=a.pegawai_id).exists()


def scope_baris_distribusi(user, qs: QuerySet) -> QuerySet:
    """The per-person rows of a distribution page: only evaluations the user may see, and a
    draft only to its penilai (the one recorded on it or the pegawai's current one). Whoever may
    see a unit's distribution but not its people (a head of a unit above, the Gubernur, a
    penilai of one member) gets the counts and no names."""
    from .core import actor, scope

    a = actor(user)
    final = Q(status="final")
    if a.pegawai_id:
        final |= Q(pejabat_penilai_id=a.pegawai_id) | Q(pegawai__pejabat_penilai_id=a.pegawai_id)
    return scope(user, qs).filter(final)


@action("kinerja.pegawai", "nilai")
def boleh_nilai_pegawai(a: Actor, pegawai: Model) -> bool:
    """Starting a pegawai's evaluation (and learning whether one exists) is their pejabat
    penilai's alone, never one's own; a former penilai still rates the windows they held (which
    part is theirs is `evaluasi.services.bagian_untuk`'s to say)."""
    return a.pegawai_id != pegawai.pk and (
        a.is_penilai_of(pegawai.pk) or pegawai.pk in a.pernah_dinilai_ids()
    )


@action("kinerja.periode", "kelola")
def boleh_kelola_periode(a: Actor, periode: Model) -> bool:
    """The year's administration (distribution of the instansi, close, follow-up): its admin."""
    return a.is_admin_of(periode.instansi_id)


@capability("distribusi")
def boleh_distribusi(a: Actor) -> bool:
    """The distribution pages: a penilai (their team) or an admin (the instansi)."""
    return a.superuser or a.admin_instansi_id is not None or bool(a.pegawai_id and a.dinilai_ids())


@capability("keberatan")
def keberatan_terlihat(a: Actor) -> bool:
    """The keberatan menu: admins, leaders (penilai, atasan) and anyone who is a party to one."""
    if a.admin_instansi_id or a.superuser:
        return True
    if not a.pegawai_id:
        return False
    if a.dinilai_ids() or a.atasan_dari_ids():
        return True

    def build() -> set[int]:
        return set(
            _keberatan_qs()
            .filter(Q(pegawai_id=a.pegawai_id) | Q(pemutus_id=a.pegawai_id))
            .values_list("pk", flat=True)[:1]
        )

    return bool(a._ids("keberatan", build))


# --- keberatan ---------------------------------------------------------------------------------
PEMUTUS = "pemutus"
PEJABAT_PENILAI = "pejabat_penilai"
PEGAWAI = "pegawai"
ADMIN = "admin"


def peran_keberatan(a: Actor, obj: Model) -> set[str]:
    """The user's parts in a keberatan: pemutus, pejabat_penilai, pegawai, admin (any number)."""
    out: set[str] = set()
    if a.pegawai_id is not None:
        if obj.pemutus_id == a.pegawai_id:
            out.add(PEMUTUS)
        if obj.pejabat_penilai_id == a.pegawai_id:
            out.add(PEJABAT_PENILAI)
        if obj.pegawai_id == a.pegawai_id:
            out.add(PEGAWAI)
    if a.admin_instansi_id is not None and a.admin_instansi_id == obj.pegawai.instansi_id:
        out.add(ADMIN)
    return out


@register("evaluasi.keberatan")
class KeberatanRules(Rules):
    def scope(self, a: Actor, qs: QuerySet) -> QuerySet:
        if a.superuser:
            return qs
        q = Q(pk__in=[])
        if a.pegawai_id:
            q = (
                Q(pegawai_id=a.pegawai_id)
                | Q(pejabat_penilai_id=a.pegawai_id)
                | Q(pemutus_id=a.pegawai_id)
            )
        if a.admin_instansi_id:
            q |= Q(pegawai__instansi_id=a.admin_instansi_id)
        return qs.filter(q)

    def can(self, a: Actor, action: str, obj: Model) -> bool:
        if action == "ajukan":
            # Filing is the pegawai's own act, on their own evaluation (obj is an unsaved probe).
            return (
                a.pegawai_id is not None
                and obj.pegawai_id == a.pegawai_id
                and obj.evaluasi.pegawai_id == a.pegawai_id
            )
        peran = peran_keberatan(a, obj)
        if action == "view":
            return a.superuser or bool(peran)
        terbuka = obj.status != "diputus"
        if action in {"minta_penjelasan", "putuskan"}:
            # The admin and the superuser read; the decision is the pemutus's alone.
            return terbuka and PEMUTUS in peran
        if action == "jelaskan":
            return terbuka and bool(peran & {PEGAWAI, PEJABAT_PENILAI})
        if action == "tetapkan_pemutus":
            # Naming (or changing) who decides an open keberatan is the admin instansi's.
            return terbuka and ADMIN in peran
        return False


@register("evaluasi.lampirankeberatan", "evaluasi.penjelasankeberatan")
class KeberatanPartRules(Rules):
    """Attachments and the thread follow their keberatan (read only here)."""

    def scope(self, a: Actor, qs: QuerySet) -> QuerySet:
        visible = KeberatanRules().scope(a, _keberatan_qs())
        return qs.filter(keberatan__in=visible.values("pk"))

    def can(self, a: Actor, action: str, obj: Model) -> bool:
        return action == "view" and KeberatanRules().can(a, "view", obj.keberatan)
