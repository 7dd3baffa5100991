"""The one lock order of every state change of an SKP, and the one statement that takes it.

Order (issue 19):

1. the SKP's rencana hasil kerja rows a change writes, FOR UPDATE, **by id**;
2. the SKP itself, FOR UPDATE (two SKPs of one pegawai, as `skp_versi_baru` takes a version
   and the current one: the older version first, which is the lower id);
3. its period, FOR SHARE (edits never wait for each other; closing the period waits for them).

The pegawai row is never locked. A change takes some of these, always in this order: an RHK edit
its row, then the SKP and period (`api_baca.rencana_terkunci`, one statement `FOR UPDATE OF r,
s`: PostgreSQL locks a result row's tables in the order of that list); an approval the rows
carrying a note (it clears them), a return all of the SKP's rows (it writes their notes), a
move of a row the rows of the SKP, a tugas belajar SKP its academic row; submitting, a new
version, the SKP's own fields, expectations and a new row only the SKP and period. Two changes
of one SKP then queue on the first lock they share instead of waiting in a cycle; before, an
approval took its noted rows in scan order (and only the first of them: an EXISTS reads one
row of the CTE) and a return took them by (jenis, urutan, id), and the two at one instant could
deadlock (tests/skp/test_kunci_urutan.py). Indicators and expectations are only written under
their row's or SKP's lock, so they need no place in the order.

`_bangun_kunci` builds the statement: the rows in a MATERIALIZED CTE read by an uncorrelated
`ARRAY(SELECT … FROM rc)` in the SELECT list. PostgreSQL evaluates it when the SKP's row is
projected, after the SKP passed its WHERE (the caller's scope, for the API) and before the row
lock above it takes the SKP: the rows first, and nothing locked or read for an SKP out of
scope. The ARRAY reads the whole CTE, so every matching row is locked; nothing may cut that
read short (a LIMIT in the CTE, or in an ARRAY without its ORDER BY, leaves rows unlocked:
tests/skp/test_kunci_setujui.py). With the ORDER BY, PostgreSQL 15 sorts the whole CTE even
under a LIMIT; later versions may know the CTE's order and stop early.
"""

from __future__ import annotations

from django.db import connection

from kinerja.baris_sql import kolom as _kolom
from kinerja.models import Pegawai, Periode
from skp.models import SKP, RencanaHasilKerja


def _t(model: type) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _bangun_kunci(
    *,
    where: str,
    baris: str | None = None,
    depan: str = "",
    kolom: str = "",
    gabung: str = "",
    urut: str = "",
    dari_rhk: bool = False,
) -> str:
    """SELECT the SKP `s` (FOR UPDATE), its pegawai `p` and period `pe` (FOR SHARE), locked in
    the module's order; PostgreSQL only (`FOR UPDATE OF`).

    - `baris`: lock the SKP's rows first, those matching this condition on `r` ("" = all), by
      id; its first parameter is the SKP's id. The column after the period's is their
      `[[id, catatan_penilai], …]` in id order (`baris_terkunci`).
    - `dari_rhk`: the statement reads one RHK row `r` (its `depan` columns first) and its SKP,
      and locks the row before the SKP (`FOR UPDATE OF r, s`).
    - `kolom`/`gabung`: more columns (after the rows' array) and joins; `urut` an ORDER BY.
    Parameters in text order: `baris`'s, `kolom`'s, `gabung`'s, `where`'s."""
    cte = ""
    kol = f"{depan}{_kolom(SKP, 's')}, {_kolom(Pegawai, 'p')}, {_kolom(Periode, 'pe')}"
    if baris is not None:
        syarat = f" AND ({baris})" if baris else ""
        cte = (
            f"WITH rc AS MATERIALIZED (SELECT r.id, r.catatan_penilai FROM {_t(RencanaHasilKerja)} "
            f"r WHERE r.skp_id = %s{syarat} ORDER BY r.id FOR UPDATE OF r) "
        )
        kol += ", ARRAY(SELECT ARRAY[rc.id::text, rc.catatan_penilai] FROM rc ORDER BY rc.id)"
    sumber = f"{_t(SKP)} s"
    if dari_rhk:
        sumber = f"{_t(RencanaHasilKerja)} r INNER JOIN {sumber} ON s.id = r.skp_id"
    return (
        f"{cte}SELECT {kol}{kolom} FROM {sumber} "
        f"INNER JOIN {_t(Pegawai)} p ON p.id = s.pegawai_id "
        f"INNER JOIN {_t(Periode)} pe ON pe.id = s.periode_id{' ' + gabung if gabung else ''} "
        f"WHERE {where}{urut} FOR UPDATE OF {'r, ' if dari_rhk else ''}s FOR SHARE OF pe"
    )


def _baris_terkunci(nilai: list | None) -> dict[int, str]:
    """The rows' array of `_bangun_kunci`: row id -> its note, in id order."""
    return {int(i): c for i, c in (nilai or [])}
