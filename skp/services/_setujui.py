"""What an approval alone uses (skp_setujui, issue 19): the SKP locked and read with what the
approval needs in one statement, and its UPDATE and history row as the ORM writes them,
compiled once per process, written together in a second one.

Both statements are bound on the server and prepared per connection (kinerja.db_siap): the lock
statement joins eight tables and PostgreSQL spent ±1 ms planning it on every approval for
±0.2 ms of work (round twelve, bench/temuan.md)."""

from __future__ import annotations

import functools
from typing import Any

from django.db import DatabaseError, connection
from django.db.models import DateTimeField, ForeignKey, IntegerField
from django.db.models.sql.subqueries import InsertQuery, UpdateQuery
from django.utils import timezone
from simple_history.models import HistoricalRecords

from kinerja import cache_halaman
from kinerja.baris_sql import kolom as _kolom
from kinerja.baris_sql import objek as _objek
from kinerja.db_siap import int8 as siap
from kinerja.db_siap import kursor_siap
from kinerja.models import Jabatan, Pegawai, Periode
from kinerja.riwayat import hanya_riwayat
from skp import api_baca
from skp.api_baca import _baris
from skp.models import SKP
from skp.services._common import _lock
from skp.services._kunci import _bangun_kunci


def _kunci_setujui(
    skp: SKP, penilai_id: int | None, lingkup: tuple[str, list] | None
) -> tuple[SKP, Pegawai | None, bool]:
    """`_lock` for an approval, and in the same statement what the approval then needs (issue
    19): the pegawai's login (told), the penilai with the names of their positions (the
    approval's name and position), whether a row carries a note, and the SKP's expectations
    (`perilaku_terbaca`, for the API's answer). With `lingkup` (the policy's scope of the SKP
    as a condition on `s`, the API's) the SKP is locked and read only if the user may see
    it: otherwise SKP.DoesNotExist, the 404 `get_object` gave, with nothing read or locked.
    Locked in the order of skp.services._kunci: the rows with a note (then cleared) by id,
    then the SKP (FOR UPDATE) and its period (FOR SHARE)."""
    if not connection.features.has_select_for_update_of:  # SQLite (`make run`): the ORM's reads
        locked = _lock(skp, lingkup, _NOTED)
        locked.perilaku_terbaca = list(locked.perilaku_set.all())
        penilai = (
            Pegawai.objects.select_related("jabatan", "plt_jabatan").filter(pk=penilai_id).first()
        )
        return locked, penilai, bool(locked.baris_terkunci)
    where, params = "s.id = %s", [skp.pk, penilai_id, skp.pk]
    if lingkup is not None:
        where, params = f"{where} AND ({lingkup[0]})", [*params, *lingkup[1]]
    rows = _baris(_sql_kunci_setujui(where), params)  # prepared per connection, binary results
    if not rows:
        raise SKP.DoesNotExist("SKP matching query does not exist.")
    row = rows[0]
    locked, i = _objek(SKP, "s", row, 0)
    pegawai, i = _objek(Pegawai, "p", row, i)
    periode, i = _objek(Periode, "pe", row, i)
    ada_catatan = bool(row[i])  # the noted rows, locked first
    login, i = _objek(_USER, "u", row, i + 1)
    penilai, i = _objek(Pegawai, "n", row, i)
    jabatan, i = _objek(Jabatan, "nj", row, i, _NAMA)
    plt, i = _objek(Jabatan, "npj", row, i, _NAMA)
    SKP._meta.get_field("pegawai").set_cached_value(locked, pegawai)
    SKP._meta.get_field("periode").set_cached_value(locked, periode)
    # As select_related("user") leaves them: the login knows its pegawai (the notification's
    # instansi, policy.instansi_of_dimuat).
    user_field = Pegawai._meta.get_field("user")
    user_field.set_cached_value(pegawai, login)
    if login is not None:
        user_field.remote_field.set_cached_value(login, pegawai)
    if penilai is not None:
        Pegawai._meta.get_field("jabatan").set_cached_value(penilai, jabatan)
        Pegawai._meta.get_field("plt_jabatan").set_cached_value(penilai, plt)
    locked.perilaku_terbaca = api_baca.ekspektasi_dari(row[i])
    return locked, penilai, ada_catatan


_USER = Pegawai._meta.get_field("user").related_model
_NAMA = ("id", "nama")


_NOTED = "r.catatan_penilai <> ''"


@functools.lru_cache(maxsize=64)
def _sql_kunci_setujui(where: str) -> str:
    """`_bangun_kunci` locking the rows with a note (the approval clears them) before the SKP, with
    the login, the penilai and their positions' names, and the expectations. Parameters: the
    SKP's id (rows), the penilai's id, then `where`'s."""
    q = connection.ops.quote_name

    def t(model: type) -> str:
        return q(model._meta.db_table)

    return _bangun_kunci(
        where=where,
        baris=_NOTED,
        kolom=(
            f", {_kolom(_USER, 'u')}, {_kolom(Pegawai, 'n')}, {_kolom(Jabatan, 'nj', _NAMA)}, "
            f"{_kolom(Jabatan, 'npj', _NAMA)}, "
            f"{api_baca.ekspektasi_sql('s')}"
        ),
        gabung=(
            f"LEFT JOIN {t(_USER)} u ON u.id = p.user_id "
            f"LEFT JOIN {t(Pegawai)} n ON n.id = %s "
            f"LEFT JOIN {t(Jabatan)} nj ON nj.id = n.jabatan_id "
            f"LEFT JOIN {t(Jabatan)} npj ON npj.id = n.plt_jabatan_id"
        ),
    )


# What an approval writes (with `diubah`, which Sinkron.save adds).
_KOLOM_SETUJUI = (
    "status",
    "disetujui_pada",
    "pejabat_penilai_id",
    "catatan_penilai",
    "row_version",
    "diperbarui",
)


def _simpan_setujui(skp: SKP, user: Any, rencana: bool = False) -> None:
    """`skp.save(update_fields=_KOLOM_SETUJUI)` and the history row simple_history writes for
    it. On PostgreSQL, while nothing but history listens to the SKP's saves, the two statements
    are the ORM's own (the same text: the page cache reads each, kinerja.cache_halaman.
    tulis_bersama), compiled once per process, with the values the ORM would give them, run as
    the parts of one data-modifying WITH (they write two tables: one snapshot changes nothing):
    building the UPDATE, the historical instance and its INSERT per request was a fifth of the
    approval's CPU (issue 19), and the second statement another parse, plan and round trip.
    An UPDATE that touched no row is the ORM's DatabaseError (the transaction is then undone,
    the history row with it). tests/skp/test_api_setujui.py compares both parts and rows with
    the ORM's.

    `rencana`: the same statement then reads the SKP's rows with their indicators for the API's
    answer (`rencana_terbaca`, api_baca.skp_dari), which a statement after it read before: the
    rows as they are after this transaction's writes (the notes cleared), the SKP being locked
    since the first statement (a change of a row waits for it: skp.services._kunci)."""
    sql = _sql_simpan() if _hanya_riwayat(skp) else None
    if sql is None:
        skp.save(update_fields=list(_KOLOM_SETUJUI))
        return
    update, kolom_update, insert, kolom_riwayat, bersama, dengan_rencana = sql
    skp.diubah = timezone.now()  # as Sinkron.save, then `diperbarui`'s auto_now
    skp.diperbarui = timezone.now()
    riwayat = {
        "history_date": getattr(skp, "_history_date", timezone.now()),
        "history_change_reason": getattr(skp, "_change_reason", None),
        "history_type": "~",
        "history_user_id": _pengguna_riwayat(skp),
    }
    ubah = [f.get_db_prep_save(getattr(skp, f.attname), connection) for f in kolom_update]
    ubah.append(skp.pk)
    baris = [
        f.get_db_prep_save(
            riwayat[f.attname] if f.attname in riwayat else getattr(skp, f.attname), connection
        )
        for f in kolom_riwayat
    ]

    def jalankan() -> None:
        with kursor_siap() as cur:
            if rencana:
                from psycopg.pq import Format

                cur.cursor.format = Format.BINARY  # as api_baca's reads of the rows
                cur.execute(dengan_rencana, siap([*ubah, *baris, skp.pk]))
                rows = cur.fetchall()
                skp.rencana_terbaca = api_baca.rencana_dari(rows, 1)
            else:
                cur.execute(bersama, siap([*ubah, *baris]))
                rows = cur.fetchall()
        if rows[0][0] != 1:
            raise DatabaseError("Save with update_fields did not affect any rows.")

    cache_halaman.tulis_bersama(connection, [(update, ubah), (insert, baris)], jalankan)


def _pengguna_riwayat(skp: SKP) -> int | None:
    """The history row's user as simple_history finds it (HistoricalRecords.get_history_user
    with its default `get_user`): the instance's own, else the request's (or `atas_nama`'s)."""
    if hasattr(skp, "_history_user"):
        user = skp._history_user
    else:
        try:
            request = HistoricalRecords.context.request
            user = request.user if request.user.is_authenticated else None
        except AttributeError:
            user = None
    return None if user is None else user.pk


def _hanya_riwayat(skp: SKP) -> bool:
    """Only simple_history's post_save listens to the SKP's saves (and nothing to its history
    rows'), history is on: what `_simpan_setujui` writes by hand is all a save would do."""
    return (
        connection.vendor == "postgresql"
        and not hasattr(skp, "skip_history_when_saving")
        and hanya_riwayat(SKP) is not None
    )


def _contoh(field: Any) -> Any:
    if isinstance(field, DateTimeField):
        return timezone.now()
    if isinstance(field, IntegerField | ForeignKey):
        return 1
    return "x"


@functools.cache
def _sql_simpan() -> tuple[str, list, str, list, str, str] | None:
    """The UPDATE `skp.save(update_fields=_KOLOM_SETUJUI)` executes (its columns in order, then
    the key), the INSERT of its history row (its columns in order; without the RETURNING of the
    history id nobody reads), as the ORM compiles them, and the WITH running both that answers
    how many rows the UPDATE touched, and that WITH reading the SKP's rows too (the SKP's key
    its last parameter); None if their parameters are not in that order (the ORM path
    then)."""
    kolom = {"diubah", *_KOLOM_SETUJUI}
    kolom_update = [f for f in SKP._meta.local_concrete_fields if f.attname in kolom]
    query = SKP._base_manager.filter(pk=-7).query.chain(UpdateQuery)
    # A value of the field's kind for each (None would be written as a literal NULL).
    query.add_update_fields([(f, None, _contoh(f)) for f in kolom_update])
    update, params = query.get_compiler(connection.alias).as_sql()
    if len(params) != len(kolom_update) + 1 or params[-1] != -7:
        return None
    h = SKP.history.model
    kolom_riwayat = [f for f in h._meta.local_concrete_fields if f is not h._meta.auto_field]
    insert_q = InsertQuery(h)
    insert_q.insert_values(kolom_riwayat, [h()])
    ((insert, params),) = insert_q.get_compiler(connection.alias).as_sql()
    if len(params) != len(kolom_riwayat) or " RETURNING " in insert:
        return None
    tulis = f"WITH u AS ({update} RETURNING 1), h AS ({insert}) "
    kolom_r, dari_r, urut_r = api_baca.rencana_bagian()
    dengan_rencana = (
        f"{tulis}SELECT c.n, {kolom_r} FROM (SELECT count(*) AS n FROM u) c "
        f"LEFT JOIN {dari_r} ON r.skp_id = %s{urut_r}"
    )
    return (
        update,
        kolom_update,
        insert,
        kolom_riwayat,
        f"{tulis}SELECT count(*) FROM u",
        dengan_rencana,
    )
