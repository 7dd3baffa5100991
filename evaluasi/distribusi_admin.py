"""The admin's distribution page (`/evaluasi/distribusi/`, the instansi panel and the per-unit
table) in one statement, as plain rows (bench/temuan.md, "Putaran kesembilan").

Until then the page read the panel with the unit count (`ringkasan_instansi`), a page of units
with their counts (`HalamanUnit`) and their justifications (`pasang_justifikasi`) in three
statements and built a UnitKerja (`from_db`) and a JustifikasiDistribusi per row; with `?luar=1`
it counted every unit's evaluations afresh (`distribusi_per_unit`). Here those reads are the
branches of one `UNION ALL`, each row tagged with its kind, on the connection's
prepared-statement cursor (kinerja.db_siap), and the page gets small objects with what it shows:

- kind 0, the units of the page (or all of them, for `?luar=1`) in `unit_instansi`'s order, each
  with its parent's name, its kinerja organisasi predikat and its kept counts
  (evaluasi.hitung_predikat), a row per predikat;
- kind 1, the instansi's top unit with its predikat, and the number of the instansi's units;
- kind 2, the instansi's kept counts;
- kind 3, the justifications of the page's units and of the instansi, newest first.

PostgreSQL only (the kept counts, LATERAL); on SQLite (`make run`) the page reads as before.
tests/evaluasi/test_distribusi_satu.py compares both readings and the page's bytes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from evaluasi import hitung_predikat, jendela
from evaluasi import selectors_distribusi as sd
from evaluasi.models import JustifikasiDistribusi
from kinerja.db_siap import kursor_siap
from kinerja.models import UnitKerja


class UnitBaris:
    """What the page shows of a unit (UnitKerja's names): its row's link, name and parent."""

    __slots__ = ("pk", "nama", "induk_nama", "ko")

    def __init__(self, pk: int, nama: str, induk_nama: str | None, ko: str | None):
        self.pk, self.nama, self.induk_nama, self.ko = pk, nama, induk_nama, ko

    @property
    def id(self) -> int:
        return self.pk

    def __str__(self) -> str:
        return self.nama


@dataclass(slots=True)
class JustifikasiBaris:
    """What the page shows of a justification."""

    pk: int
    isi: str
    dibuat: Any


@dataclass(slots=True)
class HalamanAdmin:
    instansi: sd.Distribusi  # the instansi panel, with its justifications
    jumlah: int  # the instansi's units (the table's paginator)
    units: list[sd.Distribusi]  # the units asked for, with their justifications


_UK = UnitKerja._meta.db_table
_JD = JustifikasiDistribusi._meta.db_table


def _sql(periode: Any, w: jendela.Window) -> tuple[str, list, list]:
    """The statement, and its parameters before and after the page's (instansi, LIMIT, OFFSET).
    Each unit's parent name and predikat are read once per unit (in `h`), not once per row of
    counts, and the rows are sorted by the unit's rank, not by its name again (`?luar=1` reads
    every unit: 27 -> 8 ms in PostgreSQL at 663 units, bench/temuan.md "Putaran kesembilan")."""
    inst = periode.instansi_id
    ko_h, ko_h_params = sd._ko_sql(periode, w, "v.id")
    ko_t, ko_t_params = sd._ko_sql(periode, w, "t.id")
    per_unit, per_unit_params = sd._tersimpan_sql(periode, w, "h.id")
    semua, semua_params = sd._tersimpan_sql(periode, w, None)
    j_sql, j_params = sd._jendela_sql("j", periode, w)
    # Columns: k, o1, o2, o3, ts (the sort keys), t1, t2, t3 text, i1, i2 int.
    sql = (
        f"WITH h AS (SELECT v.id, v.nama, v.r, (SELECT i.nama FROM {_UK} i "
        f"WHERE i.id = v.induk_id) AS induk_nama, {ko_h} AS ko FROM (SELECT u.id, u.nama, "
        "u.induk_id, ROW_NUMBER() OVER (ORDER BY u.nama, u.id) AS r "
        f"FROM {_UK} u WHERE u.instansi_id = %s ORDER BY u.nama, u.id LIMIT %s OFFSET %s) v) "
        "SELECT 0 AS k, h.r AS o1, h.id AS o2, c.predikat AS o3, "
        "CAST(NULL AS timestamptz) AS ts, h.induk_nama AS t1, h.ko AS t2, h.nama AS t3, "
        "CAST(c.n AS bigint) AS i1, CAST(NULL AS bigint) AS i2 "
        f"FROM h LEFT JOIN LATERAL ({per_unit}) c ON true "
        "UNION ALL "
        f"SELECT 1, NULL, t.id, NULL, NULL, NULL, {ko_t}, t.nama, "
        f"(SELECT COUNT(*) FROM {_UK} x WHERE x.instansi_id = %s), NULL "
        "FROM (SELECT 1 AS satu) o LEFT JOIN (SELECT u.id, u.nama FROM "
        f"{_UK} u WHERE u.instansi_id = %s AND u.induk_id IS NULL "
        "ORDER BY u.instansi_id, u.nama LIMIT 1) t ON true "
        "UNION ALL "
        f"SELECT 2, NULL, NULL, c.predikat, NULL, NULL, NULL, NULL, c.n, NULL FROM ({semua}) c "
        "UNION ALL "
        "SELECT 3, NULL, NULL, NULL, j.dibuat, NULL, j.cakupan, j.isi, j.id, j.unit_kerja_id "
        f"FROM {_JD} j "
        f"WHERE {j_sql} AND ((j.cakupan = 'unit' AND j.unit_kerja_id IN (SELECT h.id FROM h)) "
        "OR j.cakupan = 'instansi') "
        # By kind, then each kind's order: the units by rank (name, id), their counts by
        # predikat; the justifications newest first (JustifikasiDistribusi's ordering).
        "ORDER BY 1, 2, 3, 4, 5 DESC"
    )
    ekor = [*per_unit_params, *ko_t_params, inst, inst, *semua_params, *j_params]
    return sql, ko_h_params, ekor


# The statement is a pure function of the period and window: built once per process.
_SQL: dict[tuple, tuple[str, list, list]] = {}
_SQL_BATAS = 1024


def dipakai() -> bool:
    """Whether this database reads the page in one statement (PostgreSQL: the kept counts)."""
    return hitung_predikat.dipelihara()


def baca(periode: Any, w: jendela.Window, mulai: int, akhir: int | None) -> HalamanAdmin:
    """The instansi panel, the unit count and the units [mulai:akhir] of `unit_instansi`'s order
    (akhir None: to the end) with their justifications: one statement."""
    key = (periode.pk, periode.instansi_id, periode.tahun, periode.frekuensi, w.kode)
    got = _SQL.get(key)
    if got is None:
        if len(_SQL) >= _SQL_BATAS:
            _SQL.clear()
        _SQL[key] = got = _sql(periode, w)
    sql, kepala, ekor = got
    batas = None if akhir is None else max(akhir - mulai, 0)
    params = [*kepala, periode.instansi_id, batas, mulai, *ekor]
    with kursor_siap() as cur:
        cur.execute(sql, params)
        rows = cur.fetchall()
    units: dict[int, UnitBaris] = {}
    counts: dict[int, dict[str, int]] = {}
    semua: dict[str, int] = {}
    just_unit: dict[int, list] = {}
    just_inst: list[JustifikasiBaris] = []
    top, jumlah = None, 0
    for k, _o1, o2, o3, ts, t1, t2, t3, i1, i2 in rows:
        if k == 0:
            if o2 not in units:
                units[o2] = UnitBaris(o2, t3, t1, t2)
                counts[o2] = {}
            if o3 is not None:
                counts[o2][o3] = i1
        elif k == 1:
            jumlah = i1
            if o2 is not None:
                top = UnitBaris(o2, t3, None, t2)
        elif k == 2:
            semua[o3] = i1
        else:
            j = JustifikasiBaris(i1, t3, ts)
            if t2 == "instansi":
                just_inst.append(j)
            else:
                just_unit.setdefault(i2, []).append(j)
    judul = periode.instansi.nama
    instansi = sd._dist_halaman(judul, semua, top.ko if top else None, unit=top)
    instansi.justifikasi = just_inst
    out = []
    for pk, unit in units.items():
        d = sd._dist_halaman(unit.nama, counts[pk], unit.ko, unit=unit)
        d.justifikasi = just_unit.get(pk, [])
        out.append(d)
    return HalamanAdmin(instansi, jumlah, out)


def baca_lama(periode: Any, w: jendela.Window, mulai: int, akhir: int | None) -> HalamanAdmin:
    """`baca` from the selectors it stands for (SQLite, and the tests' oracle)."""
    instansi, jumlah = sd.ringkasan_instansi(periode, w)
    units = sd.HalamanUnit(periode, w, jumlah)[mulai : jumlah if akhir is None else akhir]
    sd.pasang_justifikasi(periode, w, units, instansi)
    return HalamanAdmin(instansi, jumlah, units)


class HalamanUnit:
    """The instansi's units as a Paginator's object list, read with the rest of the page by one
    `baca` of the page the request asks for; another slice (the Paginator chose another page)
    reads again."""

    def __init__(self, periode: Any, w: jendela.Window, mulai: int, per_halaman: int):
        self.periode, self.w, self.mulai = periode, w, mulai
        self.data = (baca if dipakai() else baca_lama)(periode, w, mulai, mulai + per_halaman)

    def count(self) -> int:
        return self.data.jumlah

    def __len__(self) -> int:
        return self.data.jumlah

    def __getitem__(self, s: slice) -> list[sd.Distribusi]:
        mulai, akhir = s.start or 0, s.stop
        if mulai == self.mulai and akhir <= self.mulai + len(self.data.units):
            return self.data.units[: akhir - mulai]
        if akhir <= mulai:
            return []
        return (baca if dipakai() else baca_lama)(self.periode, self.w, mulai, akhir).units


def halaman_diminta(nomor: Any) -> int:
    """The page number a request asks for, as the Paginator will most likely read it (1 when it
    is not a whole number: `get_page`'s answer then); a wrong guess costs a second read."""
    try:
        n = int(nomor)
    except (TypeError, ValueError):
        return 1
    # Past any instansi's last page (and past a bigint OFFSET): the Paginator gives the last.
    return n if 1 <= n <= _HALAMAN_MAKS else 1


_HALAMAN_MAKS = 1_000_000
