"""The SKP page's reads in plain SQL (bench/temuan.md, "Putaran keenam").

At 100,000 pegawai every statement of the page runs in PostgreSQL in well under a millisecond;
the ORM building them (select_related over ten tables, prefetch querysets per row) cost most of
the page. Each statement here gives the objects the ORM reading gave: the same model instances
(`Model.from_db`, the backend's converters, so SQLite in `make run` reads the same types), the
same related objects cached, the same prefetched querysets (`rel.all()` answers from them; a
`.filter()` on one still queries with the relation's own filter). tests/skp/
test_halaman_tanpa_cache.py compares each with the ORM reading.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import Model, QuerySet
from django.http import Http404

from kinerja import policy
from kinerja.baris_sql import bentuk as _bentuk
from kinerja.baris_sql import kolom as _kolom
from kinerja.baris_sql import objek as _objek
from kinerja.db_siap import int8 as _int8  # one preparation per connection (int8 keys)
from kinerja.models import Dokumen, Instansi, Jabatan, Pegawai, Periode, TimKerja, UnitKerja
from skp.models import SKP, EkspektasiPerilaku, Indikator, RencanaHasilKerja


def _baris(sql: str, params: list) -> list[tuple]:
    with _kursor() as cur:
        cur.execute(sql, _int8(params))
        return cur.fetchall()


def _kursor():
    """Django's cursor, bound on the server so PostgreSQL plans the page's statements once per
    connection (kinerja.db_siap), its results in PostgreSQL's binary format: psycopg loads the
    ±300 values of the page's two statements 4-5 times faster than from text (0.22 -> 0.05 ms
    of CPU at 100,000 pegawai), the same values of the same types (every column type these
    tables use has a binary loader; tests/skp/test_halaman_tanpa_cache.py compares value and
    type of each column with the ORM's reading)."""
    from kinerja.db_siap import kursor_siap

    cur = kursor_siap()
    if connection.vendor == "postgresql":
        from psycopg.pq import Format

        cur.cursor.format = Format.BINARY
    return cur


def _t(model: type[Model]) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _gabung(model: type[Model], alias: str, on: str) -> str:
    """LEFT JOIN of the rows matching `on` (one by key, or a row's indicators). On PostgreSQL a fenced LATERAL subquery: the planner then
    does not search join orders over every table (the rows statement planned in 0.63 ms with
    plain joins, 0.24 ms so; EXPLAIN ANALYZE at 100,000 pegawai). SQLite: a plain join."""
    if connection.vendor == "postgresql":
        sub = f"SELECT * FROM {_t(model)} {alias} WHERE {on} OFFSET 0"
        return f"LEFT JOIN LATERAL ({sub}) {alias} ON true"
    return f"LEFT JOIN {_t(model)} {alias} ON {on}"


def _pasang(obj: Model, field: str, value: Model | None) -> None:
    """What select_related leaves: the related object (or None) in the field's cache."""
    type(obj)._meta.get_field(field).set_cached_value(obj, value)


def _prefetch(obj: Model, name: str, rows: list, base: QuerySet) -> None:
    """What prefetch_related leaves (django.db.models.query.prefetch_one_level): the relation's
    own queryset over `base`, already evaluated to `rows`."""
    qs = getattr(obj, name)._apply_rel_filters(base)
    qs._result_cache = rows
    qs._prefetch_done = True
    obj.__dict__.setdefault("_prefetched_objects_cache", {})[name] = qs


# --- the SKP with its pegawai, officials, rows, indicators and expectations ----------------
def skp_untuk(user: Any, pk: int) -> SKP:
    """skp_detail_qs's reading of one SKP the user may see, or 404. On PostgreSQL two
    statements: the SKP with its period, people, expectations, versions and latest PDF, the
    policy's scope its condition (nothing is read for who may not see it); then the rows."""
    pg = connection.vendor == "postgresql"
    if pg:
        from django.contrib.contenttypes.models import ContentType

        # The scope as the policy writes it in SQL: no ORM query compiled, no id set read
        # first (the team the user leads is a subquery of it).
        syarat = policy.skp_syarat_sql(user, "s")
        if syarat is None:  # the scope of who sees nothing
            raise Http404("Data tidak ditemukan.")
        where = f"WHERE s.id = %s AND ({syarat[0]})"
        params = [ContentType.objects.get_for_model(SKP).pk, Dokumen.Jenis.SKP, pk, *syarat[1]]
    else:
        try:
            scope_sql, params = (
                policy.scope(user, SKP.objects.filter(pk=pk))
                .order_by()
                .values("pk")
                .query.sql_with_params()
            )
        except EmptyResultSet:  # the scope of who sees nothing
            raise Http404("Data tidak ditemukan.") from None
        where = f"WHERE s.id IN ({scope_sql})"
    rows = _baris(f"{_pertama(pg)} {where}", list(params))
    if not rows:
        raise Http404("Data tidak ditemukan.")
    row = rows[0]
    skp, i = _objek(SKP, "s", row, 0)
    periode, i = _objek(Periode, "r", row, i)
    _pasang(skp, "periode", periode)
    i = _orang_pasang(skp, row, i)
    if pg:
        perilaku, i = _larik_objek(EkspektasiPerilaku, "e", row, i)
        versi, i = _larik_objek(SKP, "v", row, i, _VERSI)
        skp._halaman_versi = versi
        dokumen, i = _objek(Dokumen, "d", row, i)
        skp._halaman_dokumen = (dokumen,)
        rencana = _rencana_datar(row[i] or [])
    else:  # SQLite (make run): no LATERAL, no arrays; their own statements
        rencana = None
        perilaku = [
            _objek(EkspektasiPerilaku, "e", r, 0)[0]
            for r in _baris(
                f"SELECT {_kolom(EkspektasiPerilaku, 'e')} FROM {_t(EkspektasiPerilaku)} e "
                "WHERE e.skp_id = %s ORDER BY e.id",
                [skp.pk],
            )
        ]
    for e in perilaku:
        _pasang(e, "skp", skp)
    _prefetch(skp, "perilaku_set", perilaku, _dasar()["perilaku"].all())
    _rencana_pasang(skp, rencana)
    return skp


_ORANG = (("p", "pegawai_id"), ("q", "pejabat_penilai_id"), ("a", "atasan_pejabat_penilai_id"))


@cache
def _pertama(pg: bool) -> str:
    """The first statement but its condition: the SKP, its period, each person by key with
    jabatan and unit kerja (the pegawai with instansi too), on PostgreSQL also the expectations
    and the pegawai's versions for the year (one array per column: one row whatever their
    number) and the latest PDF. Prepared (kinerja.db_siap), it is planned once per
    connection, however many tables it joins. Its parameters: the PDF's content type and
    jenis (PostgreSQL), then the scope's."""
    cols = [_kolom(SKP, "s"), _kolom(Periode, "r")]
    joins = [f"INNER JOIN {_t(Periode)} r ON r.id = s.periode_id"]
    for a, fk in _ORANG:
        cols += [_kolom(Pegawai, a), _kolom(Jabatan, f"{a}j"), _kolom(UnitKerja, f"{a}u")]
        joins += [
            _gabung(Pegawai, a, f"{a}.id = s.{fk}"),
            _gabung(Jabatan, f"{a}j", f"{a}j.id = {a}.jabatan_id"),
            _gabung(UnitKerja, f"{a}u", f"{a}u.id = {a}.unit_kerja_id"),
        ]
    cols.append(_kolom(Instansi, "n"))
    joins.append(_gabung(Instansi, "n", "n.id = p.instansi_id"))
    if pg:
        for model, alias, where, order, only in (
            (EkspektasiPerilaku, "e", "e.skp_id = s.id", "e.id", ()),
            (
                SKP,
                "v",
                "v.pegawai_id = s.pegawai_id AND v.periode_id = s.periode_id",
                "v.versi DESC",
                _VERSI,
            ),
        ):
            c, j = _larik(model, alias, where, order, only)
            cols.append(c)
            joins.append(j)
        cols.append(_kolom(Dokumen, "d"))
        joins.append(
            f"LEFT JOIN LATERAL (SELECT * FROM {_t(Dokumen)} d WHERE d.content_type_id = %s "
            "AND d.object_id = s.id AND d.jenis = %s ORDER BY d.dibuat DESC, d.id DESC LIMIT 1)"
            " d ON true"
        )
        # The rows statement's rows, one record each, in its order: one array, so the page
        # is one round trip (read in binary, each record's fields come typed). The joined
        # rows that are mostly absent (the leader's row with its SKP and pegawai, the
        # assigning official, the team, the indicator) are a nested record each, NULL when
        # absent: psycopg parses a record's fields in Python, one by one, and a row without a
        # leader's row had ±80 NULL fields of them (bench/temuan.md, "Putaran kedua belas").
        _rcols, rfrom, rorder = _rencana_bagian()
        cols.append("b.k")
        joins.append(
            f"LEFT JOIN LATERAL (SELECT array_agg(ROW({_rencana_record()}) ORDER BY {rorder}) "
            f"AS k {rfrom} WHERE r.skp_id = s.id) b ON true"
        )
    return f"SELECT {', '.join(cols)} FROM {_t(SKP)} s {' '.join(joins)}"


def _larik(model: type[Model], alias: str, where: str, order: str, only=()) -> tuple[str, str]:
    """(SELECT list, LATERAL join) of the rows of `model` matching `where` as one array per
    column, in `order` (PostgreSQL; NULL arrays when there is none)."""
    q = connection.ops.quote_name
    fields = [f for f in model._meta.concrete_fields if not only or f.attname in only]
    aggs = ", ".join(
        f"array_agg({alias}.{q(f.column)} ORDER BY {order}) AS k{n}" for n, f in enumerate(fields)
    )
    cols = ", ".join(f"{alias}.k{n}" for n in range(len(fields)))
    join = (
        f"LEFT JOIN LATERAL (SELECT {aggs} FROM {_t(model)} {alias} WHERE {where}) {alias} ON true"
    )
    return cols, join


def _larik_objek(model: type[Model], alias: str, row: tuple, i: int, only=()) -> tuple[list, int]:
    """The instances from _larik's arrays at `i`, and the next column."""
    end = i + len(_bentuk(model, alias, only)[0])
    larik = row[i:end]
    if larik[0] is None:
        return [], end
    return [_objek(model, alias, vals, 0, only)[0] for vals in zip(*larik, strict=True)], end


@cache
def _dasar() -> dict[str, QuerySet]:
    """The querysets skp_detail_qs prefetches with, built once (each use takes a copy): what a
    `.filter()` on a prefetched relation starts from, as with prefetch_related."""
    from skp.selectors import rencana_qs

    return {
        "rencana": rencana_qs().order_by("jenis", "urutan", "id"),
        "indikator": Indikator.objects.order_by("urutan", "id"),
        "perilaku": EkspektasiPerilaku.objects.all(),
    }


def _orang_pasang(skp: SKP, row: tuple, i: int) -> int:
    """The pegawai (jabatan, unit kerja, instansi) and the pejabat penilai and atasan (jabatan,
    unit kerja) from the first statement's row at `i`, each role its own instance as the ORM
    gave; the next column."""
    orang = {}
    for a, fk in _ORANG:
        p, i = _objek(Pegawai, a, row, i)
        j, i = _objek(Jabatan, f"{a}j", row, i)
        u, i = _objek(UnitKerja, f"{a}u", row, i)
        if p is not None:
            _pasang(p, "jabatan", j)
            _pasang(p, "unit_kerja", u)
        orang[fk] = p
    instansi, i = _objek(Instansi, "n", row, i)
    if orang["pegawai_id"] is not None:
        _pasang(orang["pegawai_id"], "instansi", instansi)
    _pasang(skp, "pegawai", orang["pegawai_id"])
    skp.pejabat_penilai = orang["pejabat_penilai_id"]
    skp.atasan_pejabat_penilai = orang["atasan_pejabat_penilai_id"]
    return i


def _rencana_bagian() -> tuple[str, str, str]:
    """(columns, FROM with its joins, order) of the rows read: each row with its leader's row,
    that row's SKP and pegawai, the assigning official, the team, and one indicator."""
    cols = (
        f"{_kolom(RencanaHasilKerja, 'r')}, {_kolom(RencanaHasilKerja, 'a')}, "
        f"{_kolom(SKP, 'x')}, {_kolom(Pegawai, 'y')}, {_kolom(Pegawai, 'g')}, "
        f"{_kolom(TimKerja, 't')}, {_kolom(Indikator, 'i')}"
    )
    dari = (
        f"FROM {_t(RencanaHasilKerja)} r "
        f"{_gabung(RencanaHasilKerja, 'a', 'a.id = r.rhk_atasan_id')} "
        f"{_gabung(SKP, 'x', 'x.id = a.skp_id')} "
        f"{_gabung(Pegawai, 'y', 'y.id = x.pegawai_id')} "
        f"{_gabung(Pegawai, 'g', 'g.id = r.pemberi_tugas_id')} "
        f"{_gabung(TimKerja, 't', 't.id = r.tim_id')} "
        f"{_gabung(Indikator, 'i', 'i.rencana_id = r.id')}"
    )
    return cols, dari, "r.jenis, r.urutan, r.id, i.urutan, i.id"


# The record's nested groups after the row's own columns: (alias whose key says the group is
# there, the (model, alias) of its columns).
_GRUP = (
    ("a", ((RencanaHasilKerja, "a"), (SKP, "x"), (Pegawai, "y"))),
    ("g", ((Pegawai, "g"),)),
    ("t", ((TimKerja, "t"),)),
    ("i", ((Indikator, "i"),)),
)


def _rencana_record() -> str:
    """The fields of a row's record: the row's columns, then each group of `_GRUP` as one
    nested record (NULL when its key is)."""
    bagian = [_kolom(RencanaHasilKerja, "r")]
    for kunci, models in _GRUP:
        isi = ", ".join(_kolom(m, a) for m, a in models)
        bagian.append(f"CASE WHEN {kunci}.id IS NULL THEN NULL ELSE ROW({isi}) END")
    return ", ".join(bagian)


@cache
def _rencana_lebar() -> tuple[int, tuple[int, ...]]:
    """(the row's own columns, the columns of each group) of `_rencana_record`."""
    return len(_bentuk(RencanaHasilKerja, "r")[0]), tuple(
        sum(len(_bentuk(m, a)[0]) for m, a in models) for _k, models in _GRUP
    )


def _rencana_datar(records: list) -> list[tuple]:
    """`_rencana_record`'s records as the flat rows of `_rencana_bagian`'s columns."""
    n, lebar = _rencana_lebar()
    out = []
    for rec in records:
        row = list(rec[:n])
        for grup, w in zip(rec[n:], lebar, strict=True):
            row.extend(grup if grup is not None else (None,) * w)
        out.append(tuple(row))
    return out


@cache
def _rencana_sql(_vendor: str) -> str:
    """The rows statement where the first one does not carry them (SQLite; built once)."""
    cols, dari, order = _rencana_bagian()
    return f"SELECT {cols} {dari} WHERE r.skp_id = %s ORDER BY {order}"


def _rencana_pasang(skp: SKP, baris: list | None = None) -> None:
    """rencana_qs: the rows by jenis, urutan, id with the leader's row, its SKP and pegawai, the
    assigning official and the team, and each row's indicators (by urutan, id) in the same
    statement: a row appears once per indicator. `baris`: those rows as the first statement
    read them (PostgreSQL), else read here."""
    rows: list[RencanaHasilKerja] = []
    indikator: dict[int, list[Indikator]] = {}
    r_pk = _bentuk(RencanaHasilKerja, "r")[3]
    if baris is None:
        baris = _baris(_rencana_sql(connection.vendor), [skp.pk])
    for row in baris:
        if not rows or rows[-1].pk != row[r_pk]:
            r, i = _objek(RencanaHasilKerja, "r", row, 0)
            a, i = _objek(RencanaHasilKerja, "a", row, i)
            x, i = _objek(SKP, "x", row, i)
            y, i = _objek(Pegawai, "y", row, i)
            g, i = _objek(Pegawai, "g", row, i)
            t, i_ind = _objek(TimKerja, "t", row, i)
            if a is not None:
                _pasang(a, "skp", x)
                if x is not None:
                    _pasang(x, "pegawai", y)
            _pasang(r, "rhk_atasan", a)
            _pasang(r, "pemberi_tugas", g)
            _pasang(r, "tim", t)
            _pasang(r, "skp", skp)
            rows.append(r)
            indikator[r.pk] = []
        ind = _objek(Indikator, "i", row, i_ind)[0]
        if ind is not None:
            indikator[rows[-1].pk].append(ind)
    base = _dasar()["indikator"].all()
    for r in rows:
        mine = indikator.get(r.pk, [])
        for ind in mine:
            _pasang(ind, "rencana", r)
        _prefetch(r, "indikator_set", mine, base)
    _prefetch(skp, "rencana_set", rows, _dasar()["rencana"].all())


# --- the page's other reads ----------------------------------------------------------------
_VERSI = ("id", "versi", "status", "terkini", "alasan_perubahan", "disetujui_pada", "dibuat")


def versi_list(skp: SKP) -> list[SKP]:
    """Every version of the pegawai's SKP for the year, newest first, with only what the
    version list shows (the rest deferred, as `.only()` gave). On PostgreSQL skp_untuk read
    them with the SKP."""
    if "_halaman_versi" in skp.__dict__:
        return skp._halaman_versi
    skp._halaman_versi = [
        _objek(SKP, "s", r, 0, _VERSI)[0]
        for r in _baris(
            f"SELECT {_kolom(SKP, 's', _VERSI)} FROM {_t(SKP)} s "
            "WHERE s.pegawai_id = %s AND s.periode_id = %s ORDER BY s.versi DESC",
            [skp.pegawai_id, skp.periode_id],
        )
    ]
    return skp._halaman_versi


def dokumen_terakhir(skp: SKP) -> Dokumen | None:
    """The SKP's latest PDF record, or None (on PostgreSQL read by skp_untuk)."""
    if "_halaman_dokumen" in skp.__dict__:
        return skp._halaman_dokumen[0]
    from django.contrib.contenttypes.models import ContentType

    rows = _baris(
        f"SELECT {_kolom(Dokumen, 'd')} FROM {_t(Dokumen)} d WHERE d.content_type_id = %s "
        "AND d.object_id = %s AND d.jenis = %s ORDER BY d.dibuat DESC, d.id DESC LIMIT 1",
        [ContentType.objects.get_for_model(SKP).pk, skp.pk, Dokumen.Jenis.SKP],
    )
    return _objek(Dokumen, "d", rows[0], 0)[0] if rows else None
