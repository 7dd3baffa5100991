"""Access to the pohon kinerja (the alignment tree of a year's rencana hasil kerja).

- The tree: the instansi admin sees the whole instansi (or any unit of it); a leader (someone
  who rates others or leads a team) sees their own subtree: themself and everyone below them
  down the pejabat-penilai links, plus the members of their teams. A leader may open a unit
  whose top people are themselves or below them. Everyone else: not found.
- A node (one rencana hasil kerja of a current SKP): the instansi admin, or a leader whose own
  row is on the node's intervention chain upward, or who has the node's owner below them.
- The link from a node to its owner's SKP page follows the SKP policy itself (`policy.scope`
  over the SKPs), so the tree never shows a link to an SKP the viewer may not open, nor hides
  one they may (e.g. the penilai recorded on the SKP).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Model
from django.http import Http404

from .core import Actor, action, actor, capability, get_for_user

# How far up the intervention chain a node's viewers are looked for.
RANTAI = 10


@capability("pohon")
def pohon_terlihat(a: Actor) -> bool:
    """The tree (and its menu): an instansi admin, or a leader (rates someone or leads a team)."""
    return bool(a.admin_instansi_id or a.superuser or a.dinilai_ids() or a.anggota_tim_ids())


def bawahan_ids(pemimpin_id: int, instansi_id: int) -> set[int]:
    """Everyone below a leader: down the pejabat_penilai links, plus the members of the teams
    they lead (one query for the links, one for the teams)."""
    from kinerja.models import Pegawai, TimKerja

    links: dict[int, list[int]] = {}
    for pid, penilai in Pegawai.objects.filter(
        instansi_id=instansi_id, pejabat_penilai__isnull=False
    ).values_list("id", "pejabat_penilai_id"):
        links.setdefault(penilai, []).append(pid)
    start = set(
        TimKerja.objects.filter(ketua_id=pemimpin_id, aktif=True)
        .exclude(anggota=None)
        .values_list("anggota", flat=True)
    )
    hasil: set[int] = set()
    todo = [pemimpin_id, *start]
    hasil.update(start)
    while todo:
        cur = todo.pop()
        for b in links.get(cur, []):
            if b not in hasil and b != pemimpin_id:
                hasil.add(b)
                todo.append(b)
    return hasil


def unit_turunan(instansi_id: int, unit_id: int) -> set[int]:
    """A unit and every unit below it (one query)."""
    from kinerja.models import UnitKerja

    anak: dict[int | None, list[int]] = {}
    for uid, induk in UnitKerja.objects.filter(instansi_id=instansi_id).values_list(
        "id", "induk_id"
    ):
        anak.setdefault(induk, []).append(uid)
    hasil, todo = {unit_id}, [unit_id]
    while todo:
        for u in anak.get(todo.pop(), []):
            if u not in hasil:
                hasil.add(u)
                todo.append(u)
    return hasil


@dataclass(frozen=True)
class PohonAkses:
    """What part of which instansi's tree the user may see."""

    instansi: Any
    unit: Any = None
    # None: the whole instansi (or unit); otherwise exactly these pegawai.
    pegawai_ids: frozenset[int] | None = None
    unit_ids: frozenset[int] | None = None
    # The leader whose subtree it is (None for the admin's view).
    pemimpin_id: int | None = None
    admin: bool = False


def pohon_akses(
    user: Any, *, unit_id: int | None = None, instansi_id: str | int | None = None
) -> PohonAkses:
    """Resolve which tree the user asked for and may see, or raise Http404.

    `unit_id`: a unit's tree (404 for a unit the user may not see). `instansi_id`: the
    superuser without an instansi of their own picks one (default: the first by name)."""
    from kinerja.models import Instansi, UnitKerja

    a = actor(user)
    if not a.authenticated:
        raise Http404
    unit = None
    if unit_id is not None:
        unit = get_for_user(user, UnitKerja.objects.select_related("instansi"), pk=unit_id)
        instansi = unit.instansi
    elif a.superuser and not a.admin_instansi_id:
        qs = Instansi.objects.order_by("nama")
        if instansi_id and str(instansi_id).isdigit():
            qs = qs.filter(pk=int(instansi_id))
        instansi = qs.first()
    else:
        iid = a.admin_instansi_id or a.instansi_id
        instansi = Instansi.objects.filter(pk=iid).first() if iid else None
    if instansi is None:
        raise Http404
    unit_ids = frozenset(unit_turunan(instansi.pk, unit.pk)) if unit is not None else None
    if a.is_admin_of(instansi.pk):
        return PohonAkses(instansi=instansi, unit=unit, unit_ids=unit_ids, admin=True)
    if not a.pegawai_id or a.instansi_id != instansi.pk or not pohon_terlihat(a):
        raise Http404
    kelompok = frozenset(bawahan_ids(a.pegawai_id, instansi.pk) | {a.pegawai_id})
    if unit is not None:
        from kinerja.models import Pegawai

        # A leader may open a unit whose top people are themselves or below them.
        top = set(
            Pegawai.objects.filter(unit_kerja_id__in=unit_ids)
            .exclude(pejabat_penilai__unit_kerja_id__in=unit_ids)
            .values_list("id", flat=True)
        )
        if not top or not top <= kelompok:
            raise Http404
    return PohonAkses(
        instansi=instansi,
        unit=unit,
        unit_ids=unit_ids,
        pegawai_ids=kelompok,
        pemimpin_id=a.pegawai_id,
    )


@action("skp.rencanahasilkerja", "pohon")
def simpul_terlihat(a: Actor, rhk: Model) -> bool:
    """One node of the tree: the instansi admin, or a leader whose own row is on the node's
    intervention chain upward, or who has the node's owner below them."""
    chain = ["skp__pegawai_id"] + [
        "rhk_atasan__" * i + "skp__pegawai_id" for i in range(1, RANTAI + 1)
    ]
    row = type(rhk).objects.filter(pk=rhk.pk).values("skp__pegawai__instansi_id", *chain).first()
    if row is None:
        return False
    instansi_id = row["skp__pegawai__instansi_id"]
    if a.is_admin_of(instansi_id):
        return True
    if not (a.pegawai_id and a.instansi_id == instansi_id and pohon_terlihat(a)):
        return False
    owners = {row[k] for k in chain if row[k]}
    return a.pegawai_id in owners or row["skp__pegawai_id"] in bawahan_ids(
        a.pegawai_id, instansi_id
    )


def skp_terbuka_ids(user: Any, skp_ids: set[int]) -> set[int]:
    """Which of these SKPs the user may open (the SKP policy's own scope; one query)."""
    from django.apps import apps

    if not skp_ids:
        return set()
    from .core import scope

    SKP = apps.get_model("skp", "SKP")
    return set(scope(user, SKP.objects.filter(pk__in=skp_ids)).values_list("pk", flat=True))
