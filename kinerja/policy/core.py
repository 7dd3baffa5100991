"""The policy mechanism and the organisational relations every rule is built from."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import BooleanField, Model, Q, QuerySet
from django.http import Http404


@dataclass
class Actor:
    """What the policy needs to know about a user, computed once per request."""

    user: Any
    pegawai_id: int | None = None
    instansi_id: int | None = None
    admin_instansi_id: int | None = None
    superuser: bool = False
    authenticated: bool = False
    # Holds any explicit grant (kinerja.policy.hibah reads them only then).
    punya_hibah: bool = False
    _cache: dict = field(default_factory=dict)

    def is_admin_of(self, instansi_id: int | None) -> bool:
        return self.superuser or (
            self.admin_instansi_id is not None and self.admin_instansi_id == instansi_id
        )

    # -- relations to a pegawai, each one indexed query at most, cached per request ----------
    def _ids(self, key: str, build: Callable[[], set[int]]) -> set[int]:
        if key not in self._cache:
            self._cache[key] = build() if self.pegawai_id else set()
        return self._cache[key]

    def dinilai_ids(self) -> set[int]:
        """Pegawai this user is the pejabat penilai of."""
        from kinerja.models import Pegawai

        return self._ids(
            "dinilai",
            lambda: set(
                Pegawai.objects.filter(pejabat_penilai_id=self.pegawai_id)
                .order_by()  # a set: no ORDER BY nama (Meta.ordering) to sort for nothing
                .values_list("id", flat=True)
            ),
        )

    def pernah_dinilai_ids(self) -> set[int]:
        """Pegawai this user has rated at some time (MasaPenilai): they keep rating the windows
        they held and reading what they rated after the pegawai moves on."""
        from kinerja.masa import pernah_dinilai_oleh

        return self._ids(
            "pernah_dinilai",
            lambda: set(pernah_dinilai_oleh(self.pegawai_id).values_list("pegawai_id", flat=True)),
        )

    def atasan_dari_ids(self) -> set[int]:
        """Pegawai this user is the atasan pejabat penilai of."""
        from kinerja.models import Pegawai

        return self._ids(
            "atasan",
            lambda: set(
                Pegawai.objects.filter(atasan_pejabat_penilai_id=self.pegawai_id)
                .order_by()
                .values_list("id", flat=True)
            ),
        )

    def anggota_tim_ids(self) -> set[int]:
        """Members of the TimKerja this user leads."""
        from kinerja.models import TimKerja

        # Read through the join table: the same set as values_list("anggota") minus NULLs, but
        # without the EXISTS subquery that excluding an empty many-to-many builds (about 0.7 ms
        # of query compilation on every request that asks the SKP scope).
        def baca() -> set[int]:
            return set(
                TimKerja.anggota.through.objects.filter(
                    timkerja__ketua_id=self.pegawai_id, timkerja__aktif=True
                ).values_list("pegawai_id", flat=True)
            )

        # A personal token's request may bring the set read with its user from Redis under
        # versions every team write bumps (kinerja.akses.salinan.TawaranTim), else reads it.
        tawaran = getattr(self.user, TIM_TAWARAN, None)
        if tawaran is None:
            return self._ids("tim", baca)
        return self._ids("tim", lambda: tawaran(self.pegawai_id, baca))

    def is_penilai_of(self, pegawai_id: int | None) -> bool:
        return pegawai_id is not None and pegawai_id in self.dinilai_ids()

    def is_atasan_penilai_of(self, pegawai_id: int | None) -> bool:
        return pegawai_id is not None and pegawai_id in self.atasan_dari_ids()

    def is_ketua_tim_of(self, pegawai_id: int | None) -> bool:
        return pegawai_id is not None and pegawai_id in self.anggota_tim_ids()

    def leads(self, pegawai_id: int | None) -> bool:
        """Penilai or atasan penilai: may read the pegawai's SKP and evaluations."""
        return self.is_penilai_of(pegawai_id) or self.is_atasan_penilai_of(pegawai_id)

    def pegawai_q(self, prefix: str = "") -> Q:
        """Q over a pegawai FK at `prefix` for 'me, or someone I rate or am atasan penilai of'."""
        p = f"{prefix}__" if prefix else ""
        if not self.pegawai_id:
            return Q(pk__in=[])
        return (
            Q(**{f"{p}id": self.pegawai_id})
            | Q(**{f"{p}pejabat_penilai_id": self.pegawai_id})
            | Q(**{f"{p}atasan_pejabat_penilai_id": self.pegawai_id})
        )


def id_salah_satu(*ids: QuerySet) -> Q:
    """`pk` in any of the one-column id querysets, as one `id IN (… UNION …)`.

    Not `a = x OR id IN (subquery) OR …`: PostgreSQL cannot answer such an OR from two
    indexes and walked all 100,000 pegawai of the province for a team of ten (bench/temuan.md).
    The id sets above are built the same way; this is for reads that stay in SQL."""
    pertama, *lain = (q.order_by() for q in ids)
    return Q(pk__in=pertama.union(*lain) if lain else pertama)


# The annotation that says whether a user holds any explicit grant, loaded with the user by the
# sign-in backends and the token authentication (`dengan_actor`).
HIBAH_ANOTASI = "kinerja_punya_hibah"
# What a user loaded with a personal token may carry: the offer of the members of the teams they
# lead, read with the token (Actor.anggota_tim_ids).
TIM_TAWARAN = "kinerja_tim_tawaran"


_hibah_expr: dict[str, Any] = {}


def _hibah_exists(user_ref: str) -> Any:
    # Built once per process (each query resolves its own copy).
    expr = _hibah_expr.get(user_ref)
    if expr is None:
        from django.db.models import Exists, OuterRef

        from kinerja.models import HakAksesKhusus

        expr = _hibah_expr[user_ref] = Exists(
            HakAksesKhusus.objects.filter(penerima_id=OuterRef(user_ref), dicabut_pada__isnull=True)
        )
    return expr


def _hibah_sql(user_model: Any) -> Any:
    """The same EXISTS as `_hibah_exists("pk")` for a users queryset, written out once: every
    request's user query carries it, and compiling the ORM subquery costs about a quarter of a
    millisecond of CPU each time, as much as the rest of the user query's compile (the users
    table is the query's base table, so its name is its alias)."""
    expr = _hibah_expr.get("sql")
    if expr is None:
        from django.db import connection
        from django.db.models.expressions import RawSQL

        from kinerja.models import HakAksesKhusus

        q = connection.ops.quote_name
        meta = HakAksesKhusus._meta
        penerima = meta.get_field("penerima").column
        dicabut = meta.get_field("dicabut_pada").column
        user = f"{q(user_model._meta.db_table)}.{q(user_model._meta.pk.column)}"
        expr = _hibah_expr["sql"] = RawSQL(
            f"EXISTS (SELECT 1 FROM {q(meta.db_table)} U0 WHERE U0.{q(penerima)} = {user} "
            f"AND U0.{q(dicabut)} IS NULL)",
            (),
            output_field=BooleanField(),
        )
    return expr


def dengan_actor(qs: QuerySet, user_path: str = "") -> QuerySet:
    """`qs` (users, or rows with a user at `user_path`) loading with each user what `actor`
    needs: the pegawai row and whether any grant is held. The request's user is loaded this way
    (kinerja.akses), so the policy asks the database nothing more for it: one query per request
    instead of two. Read in the same request, so a revoked grant or a moved pegawai shows at
    once, as before."""
    if not user_path:
        return qs.select_related("pegawai").annotate(**{HIBAH_ANOTASI: _hibah_sql(qs.model)})
    hibah = _hibah_exists(f"{user_path}_id")
    return qs.select_related(f"{user_path}__pegawai").annotate(**{HIBAH_ANOTASI: hibah})


def _dimuat(user: Any) -> tuple[bool, Any]:
    """(True, the pegawai or None) when the user came with the facts `dengan_actor` loads."""
    hibah = getattr(user, HIBAH_ANOTASI, None)
    state = getattr(user, "_state", None)
    if hibah is None or state is None or "pegawai" not in state.fields_cache:
        return False, None
    return True, state.fields_cache["pegawai"]


def actor(user: Any) -> Actor:
    """The Actor for a user (or an Actor itself), cached on the user object for the request."""
    if isinstance(user, Actor):
        return user
    cached = getattr(user, "_kinerja_actor", None)
    if cached is not None:
        return cached
    if user is None or not getattr(user, "is_authenticated", False):
        a = Actor(user=user)
    else:
        dimuat, pegawai = _dimuat(user)
        if dimuat:
            row = (
                (pegawai.pk, pegawai.instansi_id, getattr(user, HIBAH_ANOTASI)) if pegawai else None
            )
        else:
            from kinerja.models import Pegawai

            # Whether the user holds any explicit grant, in the same query (no extra round
            # trip for the many who hold none).
            row = (
                Pegawai.objects.filter(user_id=user.pk)
                .annotate(hibah=_hibah_exists("user_id"))
                .order_by()  # user_id is unique: one row, no ORDER BY (Meta.ordering) needed
                .values_list("id", "instansi_id", "hibah")[:1]
            )
            row = next(iter(row), None)
        a = Actor(
            user=user,
            pegawai_id=row[0] if row else None,
            instansi_id=row[1] if row else None,
            punya_hibah=bool(row and row[2]),
            admin_instansi_id=user.admin_instansi_id,
            superuser=user.is_superuser,
            authenticated=True,
        )
    with contextlib.suppress(AttributeError):
        user._kinerja_actor = a
    return a


# --- registry -------------------------------------------------------------------------------
class Rules:
    """Rules of one resource. Subclasses override `scope` and `can`."""

    def scope(self, a: Actor, qs: QuerySet) -> QuerySet:
        return qs.none()

    def can(self, a: Actor, action: str, obj: Model) -> bool:
        return False


_registry: dict[str, Rules] = {}
# Actions one stage defines on another's model (e.g. the evaluation stage's "nilai" on a
# Pegawai): (model label, action) -> rule. Asked before the model's own Rules.
_actions: dict[tuple[str, str], Callable[[Actor, Any], bool]] = {}
# Questions about the user rather than one object (menus, home panels, list pages).
_capabilities: dict[str, Callable[[Actor], bool]] = {}


def register(*labels: str) -> Callable[[type[Rules]], type[Rules]]:
    def deco(cls: type[Rules]) -> type[Rules]:
        for label in labels:
            _registry[label] = cls()
        return cls

    return deco


def action(label: str, *names: str) -> Callable[[Callable], Callable]:
    """Register the rule of an action on another module's model: fn(actor, obj) -> bool."""

    def deco(fn: Callable[[Actor, Any], bool]) -> Callable[[Actor, Any], bool]:
        for name in names:
            _actions[(label, name)] = fn
        return fn

    return deco


def capability(*names: str) -> Callable[[Callable], Callable]:
    """Register a capability: fn(actor) -> bool, asked through `may`."""

    def deco(fn: Callable[[Actor], bool]) -> Callable[[Actor], bool]:
        for name in names:
            _capabilities[name] = fn
        return fn

    return deco


def _rules_for(model: type[Model]) -> Rules:
    label = model._meta.label_lower
    try:
        return _registry[label]
    except KeyError:
        # A model nobody wrote rules for is visible to nobody: fail closed.
        return Rules()


def scope(user: Any, qs: QuerySet) -> QuerySet:
    a = actor(user)
    if not a.authenticated:
        return qs.none()
    return _rules_for(qs.model).scope(a, qs)


def can(user: Any, action: str, obj: Model) -> bool:
    a = actor(user)
    if not a.authenticated:
        return False
    rule = _actions.get((obj._meta.label_lower, action))
    if rule is not None:
        return bool(rule(a, obj))
    return _rules_for(type(obj)).can(a, action, obj)


def may(user: Any, name: str) -> bool:
    """May the user do `name` at all: a capability, not about one object (menus, home panels,
    list pages). An unknown name is False (fail closed)."""
    a = actor(user)
    if not a.authenticated:
        return False
    rule = _capabilities.get(name)
    return bool(rule is not None and rule(a))


def get_for_user(user: Any, qs: QuerySet, *, action: str = "view", **lookup: Any) -> Any:
    """Fetch through the policy: what the user may not see does not exist (404).

    With another `action`, the row is looked up and the action's rule asked before anything
    is returned: not found and not allowed are the same 404."""
    if action == "view":
        obj = scope(user, qs).filter(**lookup).first()
    else:
        obj = qs.filter(**lookup).first() if actor(user).authenticated else None
        if obj is not None and not can(user, action, obj):
            obj = None
    if obj is None:
        raise Http404("Data tidak ditemukan.")
    return obj


def require(user: Any, action: str, obj: Model, pesan: str | None = None) -> None:
    """PermissionDenied (403) unless the user may; `pesan` says why in the user's words."""
    if not can(user, action, obj):
        raise PermissionDenied(pesan or "Anda tidak berwenang melakukan tindakan ini.")


# --- the user's own instansi ----------------------------------------------------------------
def instansi_of(user: Any) -> int | None:
    """The instansi the user works in: the one they administer, else the one they belong to
    (an account belongs to at most one instansi)."""
    a = actor(user)
    return a.admin_instansi_id or a.instansi_id


_TIDAK_DIMUAT = object()


def instansi_of_dimuat(user: Any) -> int | None:
    """`instansi_of(user)` for a user that came with their pegawai row (select_related, e.g. a
    notification's recipient loaded from the pegawai), without asking the database for the
    actor's other facts; otherwise `instansi_of`."""
    cache = getattr(getattr(user, "_state", None), "fields_cache", {})
    pegawai = cache.get("pegawai", _TIDAK_DIMUAT)
    if pegawai is _TIDAK_DIMUAT or pegawai is None:
        return instansi_of(user)
    return user.admin_instansi_id or pegawai.instansi_id


def instansi_administered(user: Any) -> int | None:
    """The instansi this user administers, or None."""
    return actor(user).admin_instansi_id


def scope_admin(user: Any, qs: QuerySet, instansi_path: str = "instansi_id") -> QuerySet:
    """What the user administers of `qs`: everything for the superuser, the rows of the
    instansi they administer for an admin (even when they are a pegawai elsewhere), else
    nothing. Always inside what the policy lets them see."""
    a = actor(user)
    visible = scope(user, qs)
    if a.superuser:
        return visible
    if a.admin_instansi_id:
        return visible.filter(**{instansi_path: a.admin_instansi_id})
    return visible.none()


_HUBUNGAN = {
    "dinilai": Actor.dinilai_ids,
    "atasan": Actor.atasan_dari_ids,
    "tim": Actor.anggota_tim_ids,
}


def pegawai_terkait(user: Any, *hubungan: str) -> set[int]:
    """Pegawai related to the user: `dinilai` (they are the pejabat penilai), `atasan` (they
    are the atasan pejabat penilai), `tim` (members of a team they lead). Cached per request."""
    a = actor(user)
    out: set[int] = set()
    for h in hubungan:
        out |= _HUBUNGAN[h](a)
    return out
