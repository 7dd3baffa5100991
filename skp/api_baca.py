"""The API's answer for one SKP and one rencana hasil kerja, read and written without DRF's
nested serializers (issue 19, the January mix).

`SKPSerializer(skp).data` rebuilt its fields for every row and indicator, and the rows it read
came from `skp_detail_qs` (ten joined tables, three prefetches) of which the answer shows only
the SKP's own columns: a third of an skp GET's CPU. Here the SKP and its expectations are one
statement (the policy's scope inside it, as `selectors_halaman.skp_untuk` does), its rows with
their indicators another, and the dict is written by hand: the same keys in the same order and
the same values as the serializers give (dates and times through DRF's own fields, so the time
zone and the `Z` are theirs). tests/skp/test_api_baca.py compares the bytes with the
serializers' for many shapes of SKP; the serializers stay the schema's and the list's.
"""

from __future__ import annotations

import functools
from typing import Any, NamedTuple

from django.core.exceptions import EmptyResultSet, ValidationError
from django.db import connection
from django.http import Http404
from rest_framework import serializers

from kinerja import policy
from kinerja.baris_sql import kolom as _kolom
from kinerja.baris_sql import objek as _objek
from kinerja.models import Pegawai, Periode
from skp import rules
from skp.models import SKP, EkspektasiPerilaku, Indikator, RencanaHasilKerja
from skp.selectors_halaman import _baris as _baris_siap
from skp.selectors_halaman import _t

_WAKTU = serializers.DateTimeField()
_TANGGAL = serializers.DateField()


def _waktu(value: Any) -> Any:
    return None if value is None else _WAKTU.to_representation(value)


def _tanggal(value: Any) -> Any:
    return None if value is None else _TANGGAL.to_representation(value)


# selectors_halaman's prepared, binary read (its parameters already go as int8).
_baris = _baris_siap


def _tidak_ada(model) -> Http404:
    """A row not found, as `get_object` raises it (the API answers every 404 alike: api_base)."""
    return Http404(f"No {model._meta.object_name} matches the given query.")


def _lingkup(user: Any, model, pk: Any) -> tuple[str, list]:
    """The policy's scope of one row by its key as SQL, or the 404 `get_object` gave: an id
    that is not a number gets DRF's bare 404, one out of range (or a scope of nothing) the
    row's."""
    try:
        qs = policy.scope(user, model.objects.filter(pk=pk))
        sql, params = qs.order_by().values("pk").query.sql_with_params()
    except (ValueError, TypeError, ValidationError):
        raise Http404 from None
    except EmptyResultSet:
        raise _tidak_ada(model) from None
    return sql, list(params)


# --- one rencana hasil kerja ------------------------------------------------------------------
def _indikator_json(i: Indikator) -> dict:
    return {
        "aspek": i.aspek,
        "indikator": str(i.indikator),
        "target": str(i.target),
        "sumber_data": str(i.sumber_data),
    }


def rencana_json(r: RencanaHasilKerja, indikator: list[Indikator]) -> dict:
    """RencanaHasilKerjaSerializer(r).data with `indikator` the row's indicators in order."""
    return {
        "id": r.pk,
        "skp": r.skp_id,
        "jenis": r.jenis,
        "urutan": r.urutan,
        "rencana": str(r.rencana),
        "rhk_atasan": r.rhk_atasan_id,
        "kunci": None if r.kunci is None else str(r.kunci),
        "perspektif": r.perspektif,
        "pemberi_tugas": r.pemberi_tugas_id,
        "sumber": r.sumber,
        "uraian_hasil": str(r.uraian_hasil),
        "ukuran_keberhasilan": str(r.ukuran_keberhasilan),
        "indikator": [_indikator_json(i) for i in indikator],
        "row_version": r.row_version,
        "diubah": _waktu(r.diubah),
    }


def _rencana_baris(
    where: str, params: list, kunci: bool = False, skp: bool = False
) -> list[tuple[RencanaHasilKerja, list[Indikator]]]:
    """Rows matching `where` (on `r`, and on its SKP `s` when `skp`) in the SKP's order, each
    with its indicators (by urutan, id), in one statement: a row appears once per indicator.
    `kunci`: the rows (not their indicators) are locked FOR UPDATE, as `select_for_update()`
    would (nothing on SQLite)."""
    gabung = f"INNER JOIN {_t(SKP)} s ON s.id = r.skp_id " if skp else ""
    sql = (
        f"SELECT {_kolom(RencanaHasilKerja, 'r')}, {_kolom(Indikator, 'i')} "
        f"FROM {_t(RencanaHasilKerja)} r {gabung}"
        f"LEFT JOIN {_t(Indikator)} i ON i.rencana_id = r.id "
        f"WHERE {where}{_URUT}"
    )
    if kunci and connection.features.has_select_for_update_of:
        sql += " FOR UPDATE OF r"
    return rencana_dari(_baris(sql, params), 0)


def rencana_bagian() -> tuple[str, str, str]:
    """`_rencana_baris`'s SELECT list, its rows joined to their indicators as one FROM item (to
    join `ON r.skp_id = …`) and its ORDER BY, for a statement that reads an SKP's rows among
    other work (skp.services._setujui), decoded by `rencana_dari`."""
    return (
        f"{_kolom(RencanaHasilKerja, 'r')}, {_kolom(Indikator, 'i')}",
        f"({_t(RencanaHasilKerja)} r LEFT JOIN {_t(Indikator)} i ON i.rencana_id = r.id)",
        _URUT,
    )


_URUT = " ORDER BY r.jenis, r.urutan, r.id, i.urutan, i.id"


def rencana_dari(rows: list[tuple], i: int) -> list[tuple[RencanaHasilKerja, list[Indikator]]]:
    """Rows in `_rencana_baris`'s order (a row repeated per indicator) from column `i` of
    `rows`, each with its indicators; a row without one (NULL, a left join's) is none."""
    out: list[tuple[RencanaHasilKerja, list[Indikator]]] = []
    for row in rows:
        r, n = _objek(RencanaHasilKerja, "r", row, i)
        if r is None:
            continue
        if not out or out[-1][0].pk != r.pk:
            out.append((r, []))
        ind = _objek(Indikator, "i", row, n)[0]
        if ind is not None:
            out[-1][1].append(ind)
    return out


def _rencana_lingkup(user: Any, pk: Any) -> tuple[str, list]:
    """The condition on a row `r` joined to its SKP `s` that it is row `pk` and the user may
    see it, or the 404 `_lingkup` gives. On PostgreSQL the policy's scope as it writes it in
    SQL (`policy.skp_syarat_sql`, the scope of an SKP's parts being their SKP's): no ORM query
    compiled and no id set of the team the user leads read first (issue 19: ±2 ms of CPU and a
    statement per request). Elsewhere the ORM's scope as a subquery."""
    if connection.vendor != "postgresql":
        sql, params = _lingkup(user, RencanaHasilKerja, pk)
        return f"r.id IN ({sql})", params
    field = RencanaHasilKerja._meta.pk
    try:
        key = field.get_prep_value(pk)
    except (ValueError, TypeError):
        raise Http404 from None  # not a number: DRF's bare 404, as the ORM's lookup gives
    lo, hi = connection.ops.integer_field_range(field.get_internal_type())
    syarat = policy.skp_syarat_sql(user, "s")  # None: an anonymous user too (policy.scope)
    if key is None or not lo <= key <= hi or syarat is None:
        raise _tidak_ada(RencanaHasilKerja)  # out of range, or the scope of who sees nothing
    return f"r.id = %s AND ({syarat[0]})", [key, *syarat[1]]


def rencana_untuk(user: Any, pk: Any) -> dict:
    """The row the user may see as the API shows it, or 404 (the scope is the statement's
    condition)."""
    where, params = _rencana_lingkup(user, pk)
    rows = _rencana_baris(where, params, skp=True)
    if not rows:
        raise _tidak_ada(RencanaHasilKerja)
    return rencana_json(*rows[0])


def rencana_untuk_ubah(user: Any, pk: Any) -> RencanaHasilKerja:
    """The row the user may see, with its SKP (what `get_object` over `select_related("skp")`
    gave an edit), or the same 404: the scope is the statement's condition. The service locks
    and reads the row again by its key; the edit asks the policy about this SKP first."""
    where, params = _rencana_lingkup(user, pk)
    rows = _baris(
        f"SELECT {_kolom(RencanaHasilKerja, 'r')}, {_kolom(SKP, 's')} "
        f"FROM {_t(RencanaHasilKerja)} r INNER JOIN {_t(SKP)} s ON s.id = r.skp_id "
        f"WHERE {where}",
        params,
    )
    if not rows:
        raise _tidak_ada(RencanaHasilKerja)
    rhk, n = _objek(RencanaHasilKerja, "r", rows[0], 0)
    RencanaHasilKerja._meta.get_field("skp").set_cached_value(rhk, _objek(SKP, "s", rows[0], n)[0])
    return rhk


@functools.cache
def _sql_terkunci() -> str:
    from skp.services._kunci import _bangun_kunci  # the services import this module

    return _bangun_kunci(
        dari_rhk=True,
        depan=f"{_kolom(RencanaHasilKerja, 'r')}, {_kolom(Indikator, 'i')}, ",
        gabung=f"LEFT JOIN {_t(Indikator)} i ON i.rencana_id = r.id",
        where="r.id = %s",
        urut=" ORDER BY i.urutan, i.id",
    )


def rencana_terkunci(pk: int) -> RencanaHasilKerja:
    """The row locked FOR UPDATE (in the caller's transaction), read with its indicators in the
    same statement: `indikator_terbaca` holds them (by urutan, id), so the answer after an edit
    that leaves them is written from the row the edit saved (`rencana_json`), not read again.

    On PostgreSQL its SKP too, locked in the same statement after the row (FOR UPDATE OF r, s:
    PostgreSQL locks a row's tables in that order, so the order RHK -> SKP -> period of
    skp.services._kunci holds, tests/skp/test_rhk_satu_pernyataan.py), with its pegawai and
    its period FOR SHARE, as `skp.services._common._lock` reads them: `rhk.skp` is set. Elsewhere
    the caller locks the SKP (`rhk.skp` is not loaded)."""
    if not connection.features.has_select_for_update_of:
        rows = _rencana_baris("r.id = %s", [pk], kunci=True)
        if not rows:
            raise RencanaHasilKerja.DoesNotExist("RencanaHasilKerja matching query does not exist.")
        rhk, indikator = rows[0]
        rhk.indikator_terbaca = indikator
        return rhk
    rows = _baris(_sql_terkunci(), [pk])  # planned once per connection, binary results
    if not rows:
        raise RencanaHasilKerja.DoesNotExist("RencanaHasilKerja matching query does not exist.")
    rhk, n = _objek(RencanaHasilKerja, "r", rows[0], 0)
    indikator = []
    for row in rows:
        ind, i = _objek(Indikator, "i", row, n)
        if ind is not None:
            indikator.append(ind)
    skp, i = _objek(SKP, "s", rows[0], i)
    pegawai, i = _objek(Pegawai, "p", rows[0], i)
    SKP._meta.get_field("pegawai").set_cached_value(skp, pegawai)
    SKP._meta.get_field("periode").set_cached_value(skp, _objek(Periode, "pe", rows[0], i)[0])
    RencanaHasilKerja._meta.get_field("skp").set_cached_value(rhk, skp)
    rhk.indikator_terbaca = indikator
    return rhk


def rencana_sesudah(pk: int) -> dict:
    """The row as the API shows it after a write the service allowed."""
    rows = _rencana_baris("r.id = %s", [pk])
    if not rows:
        raise _tidak_ada(RencanaHasilKerja)
    return rencana_json(*rows[0])


# --- one SKP ----------------------------------------------------------------------------------
def skp_json(skp: SKP, perilaku: list, rencana: list[tuple]) -> dict:
    """SKPSerializer(skp).data with its rows (each with its indicators) and expectations
    (EkspektasiPerilaku, or anything with their `nilai` and `ekspektasi_khusus`)."""
    eks = {p.nilai: p.ekspektasi_khusus for p in perilaku}
    return {
        "id": skp.pk,
        "pegawai": skp.pegawai_id,
        "periode": skp.periode_id,
        "versi": skp.versi,
        "terkini": skp.terkini,
        "jenis": skp.jenis,
        "pendekatan": skp.pendekatan,
        "status": skp.status,
        "pejabat_penilai": skp.pejabat_penilai_id,
        "berlaku_mulai": _tanggal(skp.berlaku_mulai),
        "berlaku_sampai": _tanggal(skp.berlaku_sampai),
        "catatan_penilai": str(skp.catatan_penilai),
        "alasan_perubahan": str(skp.alasan_perubahan),
        "dukungan_sumber_daya": str(skp.dukungan_sumber_daya),
        "skema_pertanggungjawaban": str(skp.skema_pertanggungjawaban),
        "konsekuensi": str(skp.konsekuensi),
        "diajukan_pada": _waktu(skp.diajukan_pada),
        "disetujui_pada": _waktu(skp.disetujui_pada),
        "row_version": skp.row_version,
        "diubah": _waktu(skp.diubah),
        "rencana_hasil_kerja": [rencana_json(r, ind) for r, ind in rencana],
        "perilaku_kerja": [
            {
                "nilai": kode,
                "label": label,
                "panduan": panduan,
                "ekspektasi_khusus": eks.get(kode, ""),
            }
            for kode, label, panduan in rules.BERAKHLAK
        ],
    }


class Ekspektasi(NamedTuple):
    """What the API's answer shows of an expectation (`skp_json` reads these two), read as an
    array in the SKP's statement: an EkspektasiPerilaku instance per value cost ±15 µs (its
    __init__, `diubah`'s default) and a joined row per value multiplied the SKP's rows."""

    nilai: str
    ekspektasi_khusus: str


def ekspektasi_sql(alias: str) -> str:
    """The expectations of the SKP `alias` as one array of [nilai, ekspektasi_khusus]
    (PostgreSQL), read back by `ekspektasi_dari`."""
    return (
        "ARRAY(SELECT ARRAY[e.nilai::text, e.ekspektasi_khusus] "
        f"FROM {_t(EkspektasiPerilaku)} e WHERE e.skp_id = {alias}.id)"
    )


def ekspektasi_dari(nilai: list) -> list[Ekspektasi]:
    return [Ekspektasi(n, e) for n, e in nilai]


def _skp_baca(where: str, params: list) -> dict:
    """The SKP matching `where` (on `s`) as the API shows it, or 404. On PostgreSQL one
    statement: the SKP with its expectations as an array and its rows with their indicators
    joined (the SKP's columns repeat on each, read once); elsewhere the SKP with its
    expectations joined, then its rows."""
    if connection.vendor == "postgresql":
        kolom_r, dari_r, urut = rencana_bagian()
        rows = _baris(
            f"SELECT {_kolom(SKP, 's')}, {ekspektasi_sql('s')}, {kolom_r} FROM {_t(SKP)} s "
            f"LEFT JOIN {dari_r} ON r.skp_id = s.id WHERE {where}{urut}",
            params,
        )
        if not rows:
            raise _tidak_ada(SKP)
        skp, i = _objek(SKP, "s", rows[0], 0)
        return skp_json(skp, ekspektasi_dari(rows[0][i]), rencana_dari(rows, i + 1))
    rows = _baris(
        f"SELECT {_kolom(SKP, 's')}, {_kolom(EkspektasiPerilaku, 'e')} FROM {_t(SKP)} s "
        f"LEFT JOIN {_t(EkspektasiPerilaku)} e ON e.skp_id = s.id WHERE {where}",
        params,
    )
    if not rows:
        raise _tidak_ada(SKP)
    skp, i = _objek(SKP, "s", rows[0], 0)
    perilaku = [e for e in (_objek(EkspektasiPerilaku, "e", r, i)[0] for r in rows) if e]
    return skp_json(skp, perilaku, _rencana_baris("r.skp_id = %s", [skp.pk]))


def skp_untuk(user: Any, pk: Any) -> dict:
    """The SKP the user may see as the API shows it, or 404: two statements, the policy's
    scope the first one's condition. On PostgreSQL the policy writes that condition itself
    (`skp_lingkup`): the team the user leads is a subquery of it, not read first (issue 19)."""
    if connection.vendor != "postgresql":
        sql, params = _lingkup(user, SKP, pk)
        return _skp_baca(f"s.id IN ({sql})", params)
    kunci, (syarat, params) = skp_lingkup(user, pk)
    return _skp_baca(f"s.id = %s AND ({syarat})", [kunci, *params])


def skp_lingkup(user: Any, pk: Any) -> tuple[int, tuple[str, list]]:
    """The SKP's key and the policy's scope of it as a condition on `s` (the SKP), for a
    service that reads and locks it in one statement with the scope as its condition
    (`skp_setujui`); or the 404 `get_object` gave for an id that cannot be in scope. On
    PostgreSQL the policy writes the condition itself (`skp_syarat_sql`: no ORM query
    compiled, the team the user leads a subquery of it)."""
    if connection.vendor != "postgresql":
        sql, params = _lingkup(user, SKP, pk)
        return int(pk), (f"s.id IN ({sql})", params)
    try:
        kunci = int(pk)  # as the key field's get_prep_value: "abc" is DRF's bare 404
    except (TypeError, ValueError):
        raise Http404 from None
    lo, hi = connection.ops.integer_field_range(SKP._meta.pk.get_internal_type())
    syarat = policy.skp_syarat_sql(user, "s")
    if syarat is None or not lo <= kunci <= hi:  # who sees nothing, a key no row can have
        raise _tidak_ada(SKP)
    return kunci, syarat


def skp_dari(skp: SKP) -> dict:
    """The SKP as the API shows it, from the row a write holds (`perilaku_terbaca`: its
    expectations, read with its lock): only its rows are read, unless the write read them
    already (`rencana_terbaca`, in its own statement: skp_setujui's `rencana`)."""
    rencana = getattr(skp, "rencana_terbaca", None)
    if rencana is None:
        rencana = _rencana_baris("r.skp_id = %s", [skp.pk])
    return skp_json(skp, skp.perilaku_terbaca, rencana)


def skp_sesudah(pk: int) -> dict:
    """The SKP as the API shows it after a write the service allowed."""
    return _skp_baca("s.id = %s", [pk])
