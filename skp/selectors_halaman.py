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
from kinerja.models import Dokumen, Instansi, Jabatan, Pegawai, Periode, TimKerja, UnitKerja
from skp.models import SKP, EkspektasiPerilaku, Indikator, RencanaHasilKerja


def _baris(sql: str, params: list) -> list[tuple]:
    with _kursor() as cur:
        cur.execute(sql, params)
        return cur.fetchall()


def _kursor():
    """Django's cursor, bound on the server so PostgreSQL plans the page's statements once per
    connection (kinerja.db_siap)."""
    from kinerja.db_siap import kursor_siap

    return kursor_siap()


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
    """skp_detail_qs's reading of one SKP the user may see, or 404: four statements, none built
    by the ORM but the policy's scope, asked inside the first one before anything is read."""
    try:
        scope_sql, scope_params = (
            policy.scope(user, SKP.objects.filter(pk=pk))
            .order_by()
            .values("pk")
            .query.sql_with_params()
        )
    except EmptyResultSet:  # the scope of who sees nothing
        raise Http404("Data tidak ditemukan.") from None
    # The expectations come with it (at most seven rows of the one SKP): no round trip of
    # their own.
    rows = _baris(
        f"SELECT {_kolom(SKP, 's')}, {_kolom(Periode, 'r')}, {_kolom(EkspektasiPerilaku, 'e')} "
        f"FROM {_t(SKP)} s INNER JOIN {_t(Periode)} r ON r.id = s.periode_id "
        f"LEFT JOIN {_t(EkspektasiPerilaku)} e ON e.skp_id = s.id "
        f"WHERE s.id IN ({scope_sql})",
        list(scope_params),
    )
    if not rows:
        raise Http404("Data tidak ditemukan.")
    skp, i = _objek(SKP, "s", rows[0], 0)
    periode, i = _objek(Periode, "r", rows[0], i)
    _pasang(skp, "periode", periode)
    perilaku = [e for e in (_objek(EkspektasiPerilaku, "e", r, i)[0] for r in rows) if e]
    for e in perilaku:
        _pasang(e, "skp", skp)
    _prefetch(skp, "perilaku_set", perilaku, _dasar()["perilaku"].all())
    _orang_pasang(skp)
    _rencana_pasang(skp)
    return skp


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


def _orang_pasang(skp: SKP) -> None:
    """The pegawai (jabatan, unit kerja, instansi) and the pejabat penilai and atasan (jabatan,
    unit kerja): one statement by primary key, each role its own instance as before."""
    ids = [i for i in (skp.pegawai_id, skp.pejabat_penilai_id, skp.atasan_pejabat_penilai_id) if i]
    rows = {
        r[_bentuk(Pegawai, "p")[3]]: r
        for r in _baris(
            f"SELECT {_kolom(Pegawai, 'p')}, {_kolom(Jabatan, 'j')}, {_kolom(UnitKerja, 'u')}, "
            f"{_kolom(Instansi, 'n')} FROM {_t(Pegawai)} p "
            f"{_gabung(Jabatan, 'j', 'j.id = p.jabatan_id')} "
            f"{_gabung(UnitKerja, 'u', 'u.id = p.unit_kerja_id')} "
            f"{_gabung(Instansi, 'n', 'n.id = p.instansi_id')} "
            f"WHERE p.id IN ({', '.join(['%s'] * len(set(ids)))})",
            sorted(set(ids)),
        )
    }

    def orang(pid: int | None, instansi: bool = False) -> Pegawai | None:
        if pid is None or pid not in rows:
            return None
        p, i = _objek(Pegawai, "p", rows[pid], 0)
        j, i = _objek(Jabatan, "j", rows[pid], i)
        u, i = _objek(UnitKerja, "u", rows[pid], i)
        _pasang(p, "jabatan", j)
        _pasang(p, "unit_kerja", u)
        if instansi:
            _pasang(p, "instansi", _objek(Instansi, "n", rows[pid], i)[0])
        return p

    _pasang(skp, "pegawai", orang(skp.pegawai_id, instansi=True))
    skp.pejabat_penilai = orang(skp.pejabat_penilai_id)
    skp.atasan_pejabat_penilai = orang(skp.atasan_pejabat_penilai_id)


def _rencana_pasang(skp: SKP) -> None:
    """rencana_qs: the rows by jenis, urutan, id with the leader's row, its SKP and pegawai, the
    assigning official and the team, and each row's indicators (by urutan, id) in the same
    statement: a row appears once per indicator."""
    rows: list[RencanaHasilKerja] = []
    indikator: dict[int, list[Indikator]] = {}
    r_pk = _bentuk(RencanaHasilKerja, "r")[3]
    for row in _baris(
        f"SELECT {_kolom(RencanaHasilKerja, 'r')}, {_kolom(RencanaHasilKerja, 'a')}, "
        f"{_kolom(SKP, 'x')}, {_kolom(Pegawai, 'y')}, {_kolom(Pegawai, 'g')}, "
        f"{_kolom(TimKerja, 't')}, {_kolom(Indikator, 'i')} FROM {_t(RencanaHasilKerja)} r "
        f"{_gabung(RencanaHasilKerja, 'a', 'a.id = r.rhk_atasan_id')} "
        f"{_gabung(SKP, 'x', 'x.id = a.skp_id')} "
        f"{_gabung(Pegawai, 'y', 'y.id = x.pegawai_id')} "
        f"{_gabung(Pegawai, 'g', 'g.id = r.pemberi_tugas_id')} "
        f"{_gabung(TimKerja, 't', 't.id = r.tim_id')} "
        f"{_gabung(Indikator, 'i', 'i.rencana_id = r.id')} "
        "WHERE r.skp_id = %s ORDER BY r.jenis, r.urutan, r.id, i.urutan, i.id",
        [skp.pk],
    ):
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
    version list shows (the rest deferred, as `.only()` gave)."""
    return [
        _objek(SKP, "s", r, 0, _VERSI)[0]
        for r in _baris(
            f"SELECT {_kolom(SKP, 's', _VERSI)} FROM {_t(SKP)} s "
            "WHERE s.pegawai_id = %s AND s.periode_id = %s ORDER BY s.versi DESC",
            [skp.pegawai_id, skp.periode_id],
        )
    ]


def dokumen_terakhir(skp: SKP) -> Dokumen | None:
    """The SKP's latest PDF record, or None."""
    from django.contrib.contenttypes.models import ContentType

    rows = _baris(
        f"SELECT {_kolom(Dokumen, 'd')} FROM {_t(Dokumen)} d WHERE d.content_type_id = %s "
        "AND d.object_id = %s AND d.jenis = %s ORDER BY d.dibuat DESC, d.id DESC LIMIT 1",
        [ContentType.objects.get_for_model(SKP).pk, skp.pk, Dokumen.Jenis.SKP],
    )
    return _objek(Dokumen, "d", rows[0], 0)[0] if rows else None
