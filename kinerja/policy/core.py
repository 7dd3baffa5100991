"""The policy mechanism and the organisational relations every rule is built from."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Model, Q, QuerySet
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
                Pegawai.objects.filter(pejabat_penilai_id=self.pegawai_id).values_list(
                    "id", flat=True
                )
            ),
        )

    def atasan_dari_ids(self) -> set[int]:
        """Pegawai this user is the atasan pejabat penilai of."""
        from kinerja.models import Pegawai

        return self._ids(
            "atasan",
            lambda: set(
                Pegawai.objects.filter(atasan_pejabat_penilai_id=self.pegawai_id).values_list(
                    "id", flat=True
                )
            ),
        )

    def anggota_tim_ids(self) -> set[int]:
        """Members of the TimKerja this user leads."""
        from kinerja.models import TimKerja

        return self._ids(
            "tim",
            lambda: set(
                TimKerja.objects.filter(ketua_id=self.pegawai_id, aktif=True)
                .values_list("anggota", flat=True)
                .exclude(anggota=None)
            ),
        )

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


def actor(user: Any) -> Actor:
    """The Actor for a user, cached on the user object for the request."""
    cached = getattr(user, "_kinerja_actor", None)
    if cached is not None:
        return cached
    if user is None or not getattr(user, "is_authenticated", False):
        a = Actor(user=user)
    else:
        from kinerja.models import Pegawai

        row = Pegawai.objects.filter(user_id=user.pk).values_list("id", "instansi_id").first()
        a = Actor(
            user=user,
            pegawai_id=row[0] if row else None,
            instansi_id=row[1] if row else None,
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


def register(*labels: str) -> Callable[[type[Rules]], type[Rules]]:
    def deco(cls: type[Rules]) -> type[Rules]:
        for label in labels:
            _registry[label] = cls()
        return cls

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
    return _rules_for(type(obj)).can(a, action, obj)


def get_for_user(user: Any, qs: QuerySet, **lookup: Any) -> Any:
    """Fetch through the policy: what the user may not see does not exist (404)."""
    obj = scope(user, qs).filter(**lookup).first()
    if obj is None:
        raise Http404("Data tidak ditemukan.")
    return obj


def require(user: Any, action: str, obj: Model) -> None:
    if not can(user, action, obj):
        raise PermissionDenied("Anda tidak berwenang melakukan tindakan ini.")
