"""Incremental sync (api.md, "Incremental sync"): when each API resource last changed, and what
was deleted.

Every model an API resource is made of inherits `Sinkron`: a `diubah` column (indexed) that is
set on every write, however the write is made:

    obj.save()                      `Sinkron.save` (also with update_fields)
    qs.update(...)                  `SinkronQuerySet.update` adds diubah=Now() unless given
    bulk_create / bulk_update       the queryset sets it on every object
    raw INSERT                      the column's database default (Now())

Rows shown inside another resource (an SKP's rencana hasil kerja and behaviour expectations, an
indikator, a matrix cell, a keberatan's explanations and attachments) inherit `SinkronBagian`
and name their parent in `sinkron_induk`: writing or deleting them bumps the parent's `diubah`,
so a client syncing the parent sees the change.

Deleting a `Sinkron` row (service, admin, cascade, queryset) records a tombstone
(`kinerja.models.Penghapusan`) with the instansi, the owning pegawai or user and the parent the
policy decides visibility by (`Sinkron.sinkron_lingkup`); `perubahan/` serves them. A row whose
foreign key is set to NULL by a deletion (on_delete=SET_NULL) is bumped too.

A new model opts in by inheriting `Sinkron` (with `sinkron_jenis`, the API path name) or
`SinkronBagian`; `kinerja.apps` connects the signals for every subclass.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models.functions import Now
from django.db.models.signals import post_delete, pre_delete
from django.utils import timezone

# How a tombstone's visibility is decided (kinerja/policy/organisasi.py, PenghapusanRules).
LINGKUP_INSTANSI = "instansi"  # reference data: whoever belongs to the instansi
LINGKUP_INDUK = "induk"  # whoever sees the parent now (and the owning pegawai)
LINGKUP_PEGAWAI = "pegawai"  # the pegawai, who rates them, the admin of their instansi
LINGKUP_PENGGUNA = "pengguna"  # one user's own rows (notifications)


def _stamp(objs: Any) -> None:
    now = timezone.now()
    for o in objs:
        o.diubah = now


class SinkronQuerySet(models.QuerySet):
    """Bulk writes set `diubah` too, and bump the parent of a part (`SinkronBagian`)."""

    def update(self, **kwargs: Any) -> int:
        if _punya_diubah(self.model) and "diubah" not in kwargs:
            kwargs["diubah"] = Now()
        induk = _induk_field(self.model)
        if induk is not None:
            parent_ids = list(self.values_list(induk.attname, flat=True).distinct())
            n = super().update(**kwargs)
            _bump(induk.related_model, parent_ids)
            return n
        return super().update(**kwargs)

    update.alters_data = True

    def bulk_update(self, objs: Any, fields: Any, batch_size: int | None = None) -> int:
        objs = list(objs)
        fields = list(fields)
        if _punya_diubah(self.model):
            _stamp(objs)
            if "diubah" not in fields:
                fields.append("diubah")
        n = super().bulk_update(objs, fields, batch_size=batch_size)
        _bump_parents_of(self.model, objs)
        return n

    bulk_update.alters_data = True

    def bulk_create(self, objs: Any, *args: Any, **kwargs: Any) -> list:
        objs = list(objs)
        if _punya_diubah(self.model):
            _stamp(objs)
            if kwargs.get("update_conflicts") and kwargs.get("update_fields"):
                kwargs["update_fields"] = [*kwargs["update_fields"], "diubah"]
        out = super().bulk_create(objs, *args, **kwargs)
        _bump_parents_of(self.model, objs)
        return out

    bulk_create.alters_data = True


class SinkronManager(models.Manager.from_queryset(SinkronQuerySet)):
    pass


class Sinkron(models.Model):
    """An API resource: carries `diubah` and leaves a tombstone when deleted."""

    diubah = models.DateTimeField(
        "diubah",
        default=timezone.now,
        db_default=Now(),
        db_index=True,
        editable=False,
        help_text="Saat data ini terakhir berubah (untuk sinkronisasi inkremental).",
    )

    objects = SinkronManager()

    # The API path name (`jenis` of its tombstones); set by every subclass.
    sinkron_jenis: str = ""

    class Meta:
        abstract = True

    def save(self, *args: Any, induk_disentuh: bool = False, **kwargs: Any) -> None:
        """`induk_disentuh`: the caller updates the parent row's `diubah` itself later in the
        same transaction (skp.services' `_sentuh`), so the parent is not bumped twice."""
        self.diubah = timezone.now()
        fields = kwargs.get("update_fields")
        if fields is not None:
            kwargs["update_fields"] = {*fields, "diubah"}
        super().save(*args, **kwargs)
        if not induk_disentuh:
            _bump_parents_of(type(self), [self])

    def sinkron_lingkup(self) -> dict[str, Any]:
        """What the tombstone keeps so the policy can decide who learns of the deletion:
        `lingkup` (one of LINGKUP_*), `instansi_id`, `pegawai_id`, `user_id`, `induk` (a row)."""
        return {"lingkup": LINGKUP_INSTANSI, "instansi_id": getattr(self, "instansi_id", None)}


class SinkronBagian(models.Model):
    """A part of another resource: its writes and deletions bump the parent's `diubah`."""

    objects = SinkronManager()

    # Name of the foreign key to the parent resource.
    sinkron_induk: str = ""

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        super().save(*args, **kwargs)
        _bump_parents_of(type(self), [self])


def _punya_diubah(model: type[models.Model]) -> bool:
    return issubclass(model, Sinkron)


def _induk_field(model: type[models.Model]) -> Any:
    name = getattr(model, "sinkron_induk", "")
    return model._meta.get_field(name) if name else None


def _bump(model: type[models.Model], ids: Any) -> None:
    ids = [i for i in set(ids) if i is not None]
    if ids:
        model._default_manager.filter(pk__in=ids).update(diubah=Now())


def _bump_parents_of(model: type[models.Model], objs: Any) -> None:
    induk = _induk_field(model)
    if induk is not None:
        _bump(induk.related_model, [getattr(o, induk.attname) for o in objs])


# --- deletions ------------------------------------------------------------------------------
def _sebelum_hapus(sender: type[models.Model], instance: models.Model, **kwargs: Any) -> None:
    """Before the row goes: remember its scope (its parent rows still exist now) and bump rows
    whose reference to it the deletion sets to NULL."""
    if isinstance(instance, Sinkron):
        try:
            instance._sinkron_lingkup = instance.sinkron_lingkup()
        except models.ObjectDoesNotExist:
            instance._sinkron_lingkup = {"lingkup": LINGKUP_INSTANSI, "instansi_id": None}
    for rel in sender._meta.related_objects:
        if (
            rel.on_delete in (models.SET_NULL, models.SET_DEFAULT)
            and issubclass(rel.related_model, Sinkron)
            and not rel.many_to_many
        ):
            rel.related_model._default_manager.filter(**{rel.field.name: instance.pk}).update()


def _sesudah_hapus(sender: type[models.Model], instance: models.Model, **kwargs: Any) -> None:
    if isinstance(instance, Sinkron):
        from kinerja.models import Penghapusan

        info = getattr(instance, "_sinkron_lingkup", None) or instance.sinkron_lingkup()
        induk = info.get("induk")
        Penghapusan.objects.create(
            jenis=instance.sinkron_jenis,
            objek_id=instance.pk,
            lingkup=info.get("lingkup", LINGKUP_INSTANSI),
            instansi_id=info.get("instansi_id"),
            pegawai_id=info.get("pegawai_id"),
            user_id=info.get("user_id"),
            induk_model=induk._meta.label_lower if induk is not None else "",
            induk_id=induk.pk if induk is not None else None,
        )
    _bump_parents_of(sender, [instance])


def pasang_sinyal() -> None:
    """Connect the deletion handlers for every model that takes part (called once by
    kinerja.apps). Per sender, so models outside sync keep Django's fast deletes."""
    from django.apps import apps

    for model in apps.get_models():
        if issubclass(model, Sinkron | SinkronBagian):
            uid = f"kinerja.sinkron.{model._meta.label_lower}"
            pre_delete.connect(_sebelum_hapus, sender=model, dispatch_uid=uid)
            post_delete.connect(_sesudah_hapus, sender=model, dispatch_uid=uid)
