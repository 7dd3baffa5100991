"""An edit of a rencana hasil kerja written as one statement (issue 19, the January mix).

`rhk_ubah` wrote the row (`Sinkron.save(update_fields=…)`), then simple_history's post_save
receiver built and INSERTed its history row, then `_sentuh` stamped the SKP: three statements and
two passes through the ORM's save (±2.5 ms of CPU at 100,000 pegawai). Here the same three
statements are the parts of one data-modifying WITH: the row's UPDATE of the same columns with
the same values, the history row simple_history would write (built by simple_history itself:
its user, date, change reason and copied columns, `HistoricalRecords.create_historical_record`'s
recipe), and `_sentuh`'s UPDATE as the main statement. They touch three different tables, so
running them on one snapshot changes nothing. The page cache reads each part as it would have
read the statement (kinerja.cache_halaman.tulis_bersama).

Taken only when nothing else listens: on PostgreSQL, with simple_history's receiver the only
one on the row's save and none on its history rows; otherwise the ORM's path, as before.
tests/skp/test_rhk_satu_pernyataan.py compares the rows and history both paths leave.
"""

from __future__ import annotations

import functools
from typing import Any

from django.db import connection
from django.utils import timezone
from simple_history.models import HistoricalRecords

from kinerja import cache_halaman
from kinerja.db_siap import int8 as siap
from kinerja.db_siap import kursor_siap
from kinerja.riwayat import hanya_riwayat
from skp.models import SKP, RencanaHasilKerja
from skp.services._common import _sql_sentuh


def _riwayat() -> HistoricalRecords | None:
    """simple_history's HistoricalRecords of the row when nothing else listens to its save or
    to its history rows being made (kinerja.riwayat.hanya_riwayat); else None."""
    return hanya_riwayat(RencanaHasilKerja)


@functools.cache
def _model_riwayat() -> type:
    """The history model, once: `RencanaHasilKerja.history` builds a new manager class on every
    access (simple_history's descriptor: ±0.08 ms of CPU each, far more under cProfile)."""
    return RencanaHasilKerja.history.model


@functools.cache
def _sql_ubah(fields: frozenset[str]) -> tuple[str, tuple]:
    """The UPDATE `save(update_fields=fields)` executes (the same text), and its fields."""
    q = connection.ops.quote_name
    meta = RencanaHasilKerja._meta
    cols = tuple(f for f in meta.local_concrete_fields if f.name in fields and not f.primary_key)
    t = q(meta.db_table)
    sets = ", ".join(f"{q(f.column)} = %s" for f in cols)
    return f"UPDATE {t} SET {sets} WHERE {t}.{q(meta.pk.column)} = %s", cols


@functools.cache
def _sql_riwayat() -> tuple[str, tuple]:
    """The INSERT of a history row as `history_instance.save()` writes it (without RETURNING),
    and its fields."""
    q = connection.ops.quote_name
    meta = _model_riwayat()._meta
    cols = tuple(f for f in meta.local_concrete_fields if f is not meta.auto_field)
    names = ", ".join(q(f.column) for f in cols)
    marks = ", ".join(["%s"] * len(cols))
    return f"INSERT INTO {q(meta.db_table)} ({names}) VALUES ({marks})", cols


def _nilai(obj: Any, fields: tuple, add: bool) -> list:
    return [f.get_db_prep_save(f.pre_save(obj, add), connection) for f in fields]


def _simpan_bersama(rhk: RencanaHasilKerja, skp: SKP, fields: set[str]) -> bool:
    """Save `fields` of the locked row, record its history and stamp its SKP, in one statement;
    False (nothing written) when the ORM's path must do it."""
    if connection.vendor != "postgresql":
        return False
    rec = _riwayat()
    sentuh = _sql_sentuh()
    if rec is None or sentuh is None or hasattr(rhk, "skip_history_when_saving"):
        return False
    rhk.diubah = timezone.now()  # as Sinkron.save
    ubah_sql, ubah_cols = _sql_ubah(frozenset({*fields, "diubah"}))
    ubah = [*_nilai(rhk, ubah_cols, False), rhk.pk]
    # simple_history's own recipe (create_historical_record), its INSERT made here.
    history = _model_riwayat()(
        history_date=getattr(rhk, "_history_date", timezone.now()),
        history_type="~",
        history_user=rec.get_history_user(rhk),
        history_change_reason=rec.get_change_reason_for_object(rhk, "~", None),
        **{f.attname: getattr(rhk, f.attname) for f in rec.fields_included(rhk)},
    )
    riwayat_sql, riwayat_cols = _sql_riwayat()
    riwayat = _nilai(history, riwayat_cols, True)
    waktu = SKP._meta.get_field("diperbarui").get_db_prep_save(timezone.now(), connection)
    stempel = [waktu, skp.pk]
    sql = f"WITH r AS ({ubah_sql}), h AS ({riwayat_sql}) {sentuh}"

    def jalankan() -> None:
        with kursor_siap() as cur:
            cur.execute(sql, siap([*ubah, *riwayat, *stempel]))  # one preparation

    bagian = [(ubah_sql, ubah), (riwayat_sql, riwayat), (sentuh, stempel)]
    cache_halaman.tulis_bersama(connection, bagian, jalankan)
    return True
