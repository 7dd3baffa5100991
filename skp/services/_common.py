"""Helpers shared by the planning stage's services: access, row version, the open year, draft-only."""

from __future__ import annotations

import functools
from collections.abc import Callable, Collection
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import F
from django.db.models.functions import Now
from django.db.models.sql.subqueries import UpdateQuery
from django.urls import reverse
from django.utils import timezone

from kinerja import policy
from kinerja.baris_sql import objek as _objek
from kinerja.models import Pegawai, Periode
from skp import rules
from skp.models import SKP, EkspektasiPerilaku, RencanaHasilKerja
from skp.services._kunci import _bangun_kunci, _baris_terkunci

PESAN_BUKAN_DRAFT = (
    "SKP ini sudah {status}; perubahan hanya dapat dilakukan pada draft. "
    "Buka versi baru untuk mengubahnya."
)


# --- helpers ------------------------------------------------------------------------------
def _require(user: Any, action: str, obj: Any) -> None:
    policy.require(user, action, obj)


def _bump(model: type, pk: int) -> None:
    model.objects.filter(pk=pk).update(row_version=F("row_version") + 1, diperbarui=timezone.now())


def _sentuh(skp: SKP) -> None:
    """Mark the SKP changed (its PDF cache key changes) without bumping its row_version: rows
    and the lampiran are edited independently. Its `diubah` moves too (SinkronQuerySet.update):
    the statement is the one that update writes, compiled once per process (issue 19)."""
    sql = _sql_sentuh() if connection.vendor == "postgresql" else None
    if sql is None:
        SKP.objects.filter(pk=skp.pk).update(diperbarui=timezone.now())
        return
    waktu = SKP._meta.get_field("diperbarui").get_db_prep_save(timezone.now(), connection)
    with connection.cursor() as cur:
        cur.execute(sql, [waktu, skp.pk])


@functools.cache
def _sql_sentuh() -> str | None:
    """The UPDATE `SKP.objects.filter(pk=…).update(diperbarui=…)` executes, its parameters
    (the time, the key) in that order; None if they are not (the ORM path then)."""
    qs = SKP.objects.filter(pk=-7)
    query = qs.query.chain(UpdateQuery)
    waktu = timezone.now()
    query.add_update_values({"diperbarui": waktu, "diubah": Now()})
    sql, params = query.get_compiler(connection.alias).as_sql()
    prep = SKP._meta.get_field("diperbarui").get_db_prep_save(waktu, connection)
    return sql if tuple(params) == (prep, -7) else None


def _lock(skp: SKP, lingkup: tuple[str, list] | None = None, baris: str | None = None) -> SKP:
    """Lock the SKP row only. A plain select_for_update over the join also locked the pegawai
    and the period row, so every SKP edit of an instansi queued on one period row and, with
    the parent-row touches, deadlocked under the January mix (`make load
    LOAD_SCENARIO=januari`: "deadlock detected ... while locking tuple in kinerja_periode").
    The period is held FOR SHARE instead: edits never wait for each other, a change of the
    period itself (its status, a year-end close) still waits for them to commit.

    On PostgreSQL one statement (skp.services._kunci, the lock order): with `baris` (a
    condition on the SKP's rows `r`, "" for all) those rows first, by id, their notes read
    (`baris_terkunci`: id -> catatan_penilai); then the SKP FOR UPDATE and its period FOR
    SHARE, with its pegawai unlocked. The period read is the locked row, so a close committed
    while this waited is seen (`ditutup`). With `lingkup` (the policy's scope of the SKP as a
    condition on `s`, the API's: api_baca.skp_lingkup) an SKP out of it is SKP.DoesNotExist,
    the 404 `get_object` gave, with nothing read or locked."""
    if not connection.features.has_select_for_update_of:  # SQLite (`make run`): the ORM's
        _in_lingkup(skp.pk, lingkup)
        terkunci = None
        if baris is not None:
            with connection.cursor() as cur:
                cur.execute(
                    f"SELECT r.id, r.catatan_penilai FROM {RencanaHasilKerja._meta.db_table} r "
                    f"WHERE r.skp_id = %s{f' AND ({baris})' if baris else ''} ORDER BY r.id",
                    [skp.pk],
                )
                terkunci = dict(cur.fetchall())
        locked = (
            SKP.objects.select_for_update(of=("self",))
            .select_related("pegawai", "periode")
            .get(pk=skp.pk)
        )
        locked.baris_terkunci = terkunci
        return locked
    where, params = "s.id = %s", [skp.pk, skp.pk] if baris is not None else [skp.pk]
    if lingkup is not None:
        where, params = f"{where} AND ({lingkup[0]})", [*params, *lingkup[1]]
    with connection.cursor() as cur:
        cur.execute(_sql_kunci(baris, where), params)
        row = cur.fetchone()
    if row is None:
        raise SKP.DoesNotExist("SKP matching query does not exist.")
    locked, i = _objek(SKP, "s", row, 0)
    pegawai, i = _objek(Pegawai, "p", row, i)
    periode, i = _objek(Periode, "pe", row, i)
    SKP._meta.get_field("pegawai").set_cached_value(locked, pegawai)
    SKP._meta.get_field("periode").set_cached_value(locked, periode)
    locked.baris_terkunci = _baris_terkunci(row[i]) if baris is not None else None
    return locked


_T = TypeVar("_T")


def _kunci_lengkap(
    kunci: Callable[[], tuple[_T, Collection[int]]], baris: Callable[[_T], Any]
) -> _T:
    """Lock a change's rows, then its SKP (`kunci`: the result and the ids of the rows it
    locked), until no row it will write was left out. A row added and committed while `kunci`
    waited for the SKP was not visible when the rows were locked, yet the change writes it
    after it holds the SKP; an edit of that row in between holds it and waits for the SKP, a
    deadlock. So when the rows now there (`baris(result)`: their ids, read after the SKP is
    held) are not all among those locked, the savepoint lets go of every lock taken and all is
    locked again; once the SKP is held no row can be added (rows are added under its lock).
    A move of a row (`rhk_pindah`, all the SKP's rows) and the tugas belajar study data (its
    academic rows) use it: tests/skp/test_kunci_pindah.py, test_kunci_tugas_belajar.py."""
    while True:
        sid = transaction.savepoint()
        hasil, dikunci = kunci()
        if set(baris(hasil)) <= set(dikunci):
            transaction.savepoint_commit(sid)
            return hasil
        transaction.savepoint_rollback(sid)


def _terkini_lock(pegawai_id: int, periode_id: int, baris: str | None = None) -> SKP | None:
    """The current version of a pegawai's SKP of a year locked as `_lock` locks it (with
    `baris`, its rows first), or None. Its key is read first, unlocked: a newer version made
    while the lock waited is then taken instead."""
    while True:
        pk = (
            SKP.objects.filter(pegawai_id=pegawai_id, periode_id=periode_id, terkini=True)
            .values_list("pk", flat=True)
            .first()
        )
        if pk is None:
            return None
        skp = _lock(SKP(pk=pk), baris=baris)
        if skp.terkini:
            return skp


def _in_lingkup(pk: int, lingkup: tuple[str, list] | None) -> None:
    """SQLite: SKP.DoesNotExist unless SKP `pk` is in `lingkup` (nothing when None)."""
    if lingkup is None:
        return
    with connection.cursor() as cur:
        cur.execute(
            f"SELECT 1 FROM {SKP._meta.db_table} s WHERE s.id = %s AND ({lingkup[0]})",
            [pk, *lingkup[1]],
        )
        if cur.fetchone() is None:
            raise SKP.DoesNotExist("SKP matching query does not exist.")


@functools.lru_cache(maxsize=64)
def _sql_kunci(baris: str | None, where: str) -> str:
    return _bangun_kunci(where=where, baris=baris)


def _periode_terbuka(skp: SKP) -> None:
    if skp.periode.ditutup:
        raise ValidationError({"__all__": ["Periode ini sudah ditutup; SKP hanya dapat dibaca."]})


def _draft_saja(skp: SKP) -> None:
    _periode_terbuka(skp)
    if skp.status != SKP.Status.DRAFT:
        raise ValidationError(
            {"__all__": [PESAN_BUKAN_DRAFT.format(status=skp.get_status_display().lower())]}
        )


def _url(skp: SKP) -> str:
    return reverse("skp:detail", args=[skp.pk])


def jenis_untuk(pegawai: Pegawai) -> str:
    if pegawai.status == Pegawai.Status.TUGAS_BELAJAR:
        return SKP.Jenis.TUGAS_BELAJAR
    if pegawai.jabatan_id and pegawai.jabatan.is_jpt:
        return SKP.Jenis.JPT
    return SKP.Jenis.JA_JF


def _perilaku_awal(skp: SKP, dari: SKP | None = None) -> None:
    lama = {}
    if dari is not None:
        lama = dict(dari.perilaku_set.values_list("nilai", "ekspektasi_khusus"))
    EkspektasiPerilaku.objects.bulk_create(
        [
            EkspektasiPerilaku(skp=skp, nilai=kode, ekspektasi_khusus=lama.get(kode, ""))
            for kode in rules.BERAKHLAK_KODE
        ]
    )
