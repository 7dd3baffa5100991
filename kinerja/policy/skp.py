"""Access rules for the SKP stage (registered by model label; no imports of skp models).

Who sees an SKP: the pegawai (all their versions), their pejabat penilai and atasan pejabat
penilai (current, or the ones recorded on the SKP), the ketua of a TimKerja they belong to (who
cascades work to them), the admin of their instansi (read only), and holders of an explicit
grant (kinerja.policy.hibah: a Plh for the penilai, an auditor of the unit). Everyone else: 404.

Actions on an SKP:
    view, pdf         whoever sees it
    change, ajukan    the pegawai, on a draft
    setujui,
    kembalikan        the pejabat penilai (or a Plh granted for them), on a submitted SKP
    perilaku          the pejabat penilai sets ekspektasi khusus, on a draft or submitted SKP
    tambah_penilai    the pejabat penilai adds a row (penugasan, tugas belajar) to a draft
    versi_baru        the pegawai or the penilai, on an approved SKP
"""

from __future__ import annotations

from typing import Any

from django.db.models import Model, Q, QuerySet

from .core import Actor, Rules, action, actor, capability, register
from .hibah import audit_unit_ids, plh_atas_nama

DRAFT, DIAJUKAN, DISETUJUI = "draft", "diajukan", "disetujui"


def _skp_q(a: Actor, prefix: str = "") -> Q:
    p = f"{prefix}__" if prefix else ""
    q = Q(pk__in=[])
    if a.pegawai_id:
        q = (
            a.pegawai_q(f"{p}pegawai")
            | Q(**{f"{p}pejabat_penilai_id": a.pegawai_id})
            | Q(**{f"{p}atasan_pejabat_penilai_id": a.pegawai_id})
        )
        tim = a.anggota_tim_ids()
        if tim:
            q |= Q(**{f"{p}pegawai_id__in": tim})
    if a.admin_instansi_id:
        q |= Q(**{f"{p}pegawai__instansi_id": a.admin_instansi_id})
    # Explicit grants: a Plh sees the SKP of the official they act for; an auditor their units'.
    plh = plh_atas_nama(a)
    if plh:
        q |= Q(**{f"{p}pejabat_penilai_id__in": plh}) | Q(
            **{f"{p}pegawai__pejabat_penilai_id__in": plh}
        )
    audit = audit_unit_ids(a)
    if audit:
        q |= Q(**{f"{p}pegawai__unit_kerja_id__in": audit})
    return q


def skp_syarat_sql(user: Any, alias: str) -> tuple[str, list] | None:
    """`_skp_q` as a SQL condition on the SKP table under `alias`, for a hand-written read (the
    SKP page, skp.selectors_halaman; PostgreSQL: `= ANY(array)`), or None when the user sees no
    SKP. The team the user leads is a subquery, not an id set read first: the page asks one
    statement, not two, and compiles no ORM query (±1 ms of CPU per request at 100,000
    pegawai, bench/temuan.md "Putaran kesembilan"). Its text depends only on which relations the
    user has, so a prepared statement carrying it keeps its plan; the ids are parameters.
    Same rows as `scope` for every reader: tests/skp/test_halaman_tanpa_cache.py."""
    a = actor(user)
    if a.superuser:
        return "true", []
    from django.apps import apps
    from django.db import connection

    from kinerja.models import Pegawai, TimKerja

    q = connection.ops.quote_name
    kol = apps.get_model("skp", "SKP")._meta.get_field
    peg = Pegawai._meta.get_field
    s_peg = f"{alias}.{q(kol('pegawai').column)}"
    s_pen = f"{alias}.{q(kol('pejabat_penilai').column)}"
    s_ats = f"{alias}.{q(kol('atasan_pejabat_penilai').column)}"
    p_pen = f"pp.{q(peg('pejabat_penilai').column)}"
    atas: list[tuple[str, list]] = []  # on the SKP's columns
    orang: list[tuple[str, list]] = []  # on its pegawai's (one EXISTS)
    if a.pegawai_id:
        me = a.pegawai_id
        atas += [(f"{s_peg} = %s", [me]), (f"{s_pen} = %s", [me]), (f"{s_ats} = %s", [me])]
        orang += [
            (f"{p_pen} = %s", [me]),
            (f"pp.{q(peg('atasan_pejabat_penilai').column)} = %s", [me]),
        ]
        through = TimKerja.anggota.through._meta
        tim = TimKerja._meta
        atas.append(
            (
                f"{s_peg} IN (SELECT ta.{q(through.get_field('pegawai').column)} "
                f"FROM {q(through.db_table)} ta INNER JOIN {q(tim.db_table)} t "
                f"ON t.{q(tim.pk.column)} = ta.{q(through.get_field('timkerja').column)} "
                f"WHERE t.{q(tim.get_field('ketua').column)} = %s "
                f"AND t.{q(tim.get_field('aktif').column)})",
                [me],
            )
        )
    if a.admin_instansi_id:
        orang.append((f"pp.{q(peg('instansi').column)} = %s", [a.admin_instansi_id]))
    plh = plh_atas_nama(a)
    if plh:
        atas.append((f"{s_pen} = ANY(%s)", [sorted(plh)]))
        orang.append((f"{p_pen} = ANY(%s)", [sorted(plh)]))
    audit = audit_unit_ids(a)
    if audit:
        orang.append((f"pp.{q(peg('unit_kerja').column)} = ANY(%s)", [sorted(audit)]))
    if orang:
        sql = " OR ".join(s for s, _ in orang)
        atas.append(
            (
                f"EXISTS (SELECT 1 FROM {q(Pegawai._meta.db_table)} pp "
                f"WHERE pp.{q(Pegawai._meta.pk.column)} = {s_peg} AND ({sql}))",
                [p for _, ps in orang for p in ps],
            )
        )
    if not atas:
        return None
    return " OR ".join(s for s, _ in atas), [p for _, ps in atas for p in ps]


def _plh_untuk(a: Actor, skp: Model) -> bool:
    """A current Plh grant for the SKP's pejabat penilai (recorded, or the pegawai's now)."""
    plh = plh_atas_nama(a)
    return bool(plh) and (skp.pejabat_penilai_id in plh or skp.pegawai.pejabat_penilai_id in plh)


def _diaudit(a: Actor, skp: Model) -> bool:
    """The SKP's pegawai is in a unit the user audits (asked only of grant holders)."""
    units = audit_unit_ids(a)
    return bool(units) and skp.pegawai.unit_kerja_id in units


def is_penilai_skp(a: Actor, skp: Model) -> bool:
    """The pejabat penilai of the SKP's pegawai (now, or as recorded on the SKP)."""
    if not a.pegawai_id or skp.pegawai_id == a.pegawai_id:
        return False
    # The recorded penilai first (no query): the pegawai's penilai now reads who they rate.
    return (
        skp.pejabat_penilai_id == a.pegawai_id
        or a.is_penilai_of(skp.pegawai_id)
        or _plh_untuk(a, skp)
    )


def can_view_skp(a: Actor, skp: Model) -> bool:
    if a.superuser:
        return True
    # The SKP's own columns first: `leads` reads the user's pegawai (once per request).
    if a.pegawai_id and (
        skp.pegawai_id == a.pegawai_id
        or a.pegawai_id in (skp.pejabat_penilai_id, skp.atasan_pejabat_penilai_id)
        or a.leads(skp.pegawai_id)
        or a.is_ketua_tim_of(skp.pegawai_id)
        or _plh_untuk(a, skp)
        or _diaudit(a, skp)
    ):
        return True
    return bool(a.admin_instansi_id) and a.is_admin_of(skp.pegawai.instansi_id)


def can_skp(a: Actor, action: str, skp: Model) -> bool:
    if action in {"view", "pdf"}:
        return can_view_skp(a, skp)
    if getattr(skp, "berlaku_sampai", None) is not None:
        # Closed by a change of penilai: kept, read only, for the windows it covered.
        return False
    own = a.pegawai_id is not None and skp.pegawai_id == a.pegawai_id
    if action in {"change", "ajukan"}:
        return own and skp.status == DRAFT
    if action in {"setujui", "kembalikan"}:
        return skp.status == DIAJUKAN and is_penilai_skp(a, skp)
    if action == "perilaku":
        return skp.status in {DRAFT, DIAJUKAN} and is_penilai_skp(a, skp)
    if action == "tambah_penilai":
        return skp.status == DRAFT and is_penilai_skp(a, skp)
    if action == "versi_baru":
        return skp.status == DISETUJUI and (own or is_penilai_skp(a, skp))
    return False


@register("skp.skp")
class SKPRules(Rules):
    def scope(self, a: Actor, qs: QuerySet) -> QuerySet:
        if a.superuser:
            return qs
        return qs.filter(_skp_q(a))

    def can(self, a: Actor, action: str, obj: Model) -> bool:
        return can_skp(a, action, obj)


@register("skp.rencanahasilkerja", "skp.ekspektasiperilaku")
class SKPPartRules(Rules):
    """Parts of an SKP follow their SKP."""

    def scope(self, a: Actor, qs: QuerySet) -> QuerySet:
        if a.superuser:
            return qs
        return qs.filter(_skp_q(a, "skp"))

    def can(self, a: Actor, action: str, obj: Model) -> bool:
        return can_skp(a, action, obj.skp)


@register("skp.indikator")
class IndikatorRules(Rules):
    def scope(self, a: Actor, qs: QuerySet) -> QuerySet:
        if a.superuser:
            return qs
        return qs.filter(_skp_q(a, "rencana__skp"))

    def can(self, a: Actor, action: str, obj: Model) -> bool:
        return can_skp(a, action, obj.rencana.skp)


def _matriks_q(a: Actor, prefix: str = "") -> Q:
    p = f"{prefix}__" if prefix else ""
    q = Q(pk__in=[])
    if a.pegawai_id:
        q = a.pegawai_q(f"{p}pemimpin")
    if a.admin_instansi_id:
        q |= Q(**{f"{p}pemimpin__instansi_id": a.admin_instansi_id})
    return q


def can_matriks(a: Actor, action: str, m: Model) -> bool:
    """The leader edits and applies their own matrix; their own penilai/atasan and the instansi
    admin may read it."""
    if a.superuser and action == "view":
        return True
    mine = a.pegawai_id is not None and m.pemimpin_id == a.pegawai_id
    if action in {"change", "terapkan"}:
        return mine
    if action == "view":
        return (
            mine
            or a.leads(m.pemimpin_id)
            or (bool(a.admin_instansi_id) and a.is_admin_of(m.pemimpin.instansi_id))
        )
    return False


@register("skp.matriksperanhasil")
class MatriksRules(Rules):
    def scope(self, a: Actor, qs: QuerySet) -> QuerySet:
        if a.superuser:
            return qs
        return qs.filter(_matriks_q(a))

    def can(self, a: Actor, action: str, obj: Model) -> bool:
        return can_matriks(a, action, obj)


@register("skp.peranhasil")
class PeranHasilRules(Rules):
    def scope(self, a: Actor, qs: QuerySet) -> QuerySet:
        if a.superuser:
            return qs
        return qs.filter(_matriks_q(a, "matriks"))

    def can(self, a: Actor, action: str, obj: Model) -> bool:
        return can_matriks(a, action, obj.matriks)


# --- actions and capabilities of the planning stage -----------------------------------------
@action("kinerja.pegawai", "buat_skp")
def boleh_buat_skp(a: Actor, pegawai: Model) -> bool:
    """Version 1 of an SKP is started by the pegawai, their pejabat penilai, the ketua of a team
    they are in, or the admin of their instansi."""
    return (
        (a.pegawai_id is not None and a.pegawai_id == pegawai.pk)
        or a.is_penilai_of(pegawai.pk)
        or a.is_ketua_tim_of(pegawai.pk)
        or a.is_admin_of(pegawai.instansi_id)
    )


@capability("matriks")
def boleh_matriks(a: Actor) -> bool:
    """Builds a matriks peran-hasil: rates someone, or leads an active team (with members or
    not yet)."""
    if not a.pegawai_id:
        return False
    if a.dinilai_ids():
        return True

    def build() -> set[int]:
        from kinerja.models import TimKerja

        return set(
            TimKerja.objects.filter(ketua_id=a.pegawai_id, aktif=True).values_list("pk", flat=True)[
                :1
            ]
        )

    return bool(a._ids("tim_dipimpin", build))
