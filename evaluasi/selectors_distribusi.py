"""Reads of the evaluation stage: the distribution of predikat against the guidance, for a
team, a unit, the instansi and the per-unit table (split from evaluasi.selectors, which
re-exports these names). A fixed number of queries whatever the size of the instansi."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property, lru_cache

from django.db import connection
from django.db.models import OuterRef, Q, Subquery

from evaluasi import hitung_predikat, jendela, rules
from evaluasi.models import Evaluasi, JustifikasiDistribusi, KinerjaOrganisasi
from kinerja.baris_sql import kolom, objek
from kinerja.models import Pegawai, Periode, UnitKerja


def _window_filter(w: jendela.Window) -> Q:
    return Q(jenis=w.jenis, urutan=w.urutan) if w.urutan else Q(jenis=w.jenis)


@dataclass
class Distribusi:
    judul: str
    counts: dict[str, int]
    predikat_org: str | None
    pedoman: rules.Pedoman | None = None
    pelanggaran: list[rules.Pelanggaran] = field(default_factory=list)  # needing justification
    banding: list[rules.Pelanggaran] = field(default_factory=list)  # every broken bound
    justifikasi: list[JustifikasiDistribusi] = field(default_factory=list)
    unit: UnitKerja | None = None

    # Computed once: the per-unit table reads them for 50 units, each several times per row.
    @cached_property
    def total(self) -> int:
        return sum(self.counts.values())

    @cached_property
    def kecil(self) -> bool:
        return 0 < self.total < rules.BATAS_UNIT_KECIL

    @cached_property
    def jumlah(self) -> list[int]:
        """The counts in the order of rules.PREDIKAT (the per-unit table's cells)."""
        return [self.counts.get(kode, 0) for kode in rules.PREDIKAT]

    @cached_property
    def baris(self) -> list[dict]:
        out = []
        for kode in rules.PREDIKAT:
            n = self.counts.get(kode, 0)
            lo, hi = self.pedoman.rentang[kode] if self.pedoman else (None, None)
            out.append(
                {
                    "kode": kode,
                    "label": rules.PREDIKAT_LABEL[kode],
                    "n": n,
                    "persen": rules.persen(n, self.total),
                    "pedoman": _rentang_teks(lo, hi) if self.pedoman else "-",
                    "modus": bool(self.pedoman and self.pedoman.modus == kode),
                }
            )
        return out


def _rentang_teks(lo, hi) -> str:
    if lo == 0 and hi == 1:
        return "boleh ada"
    if lo == 0 and hi == 0:
        return "tidak ada"
    if lo and hi == 1:
        return f"≥ {int(lo * 100)}%"
    if hi < 1 and not lo:
        return f"≤ {int(hi * 100)}%"
    return f"{int(lo * 100)}–{int(hi * 100)}%"


# --- the hot aggregates in plain SQL --------------------------------------------------------
# The team and distribution pages are read by every penilai and admin in January, uncached once
# anything changes. Their aggregates are a millisecond or less in PostgreSQL, but building the
# same statements with the ORM cost several times that in Python per page (bench/temuan.md,
# "Putaran kelima"); they are written out here, once. Tests compare them with ORM oracles.
_EV, _PEG, _KO = Evaluasi._meta.db_table, Pegawai._meta.db_table, KinerjaOrganisasi._meta.db_table


def _jendela_sql(alias: str, periode: Periode, w: jendela.Window) -> tuple[str, list]:
    """`_window_filter` and the period, for the rows of table `alias`."""
    sql, params = f"{alias}.periode_id = %s AND {alias}.jenis = %s", [periode.pk, w.jenis]
    if w.urutan:
        sql, params = f"{sql} AND {alias}.urutan = %s", [*params, w.urutan]
    return sql, params


def _baca(sql: str, params: list) -> list[tuple]:
    with connection.cursor() as cur:
        cur.execute(sql, params)
        return cur.fetchall()


def _baca_siap(sql: str, params: list) -> list[tuple]:
    """`_baca` of the admin page's statements through kinerja.db_siap: planned once per
    connection. Their plans no longer depend on the instansi's size (the counts are kept rows),
    so a generic plan serves every instansi (bench/temuan.md, "Putaran kedelapan")."""
    from kinerja.db_siap import kursor_siap

    with kursor_siap() as cur:
        cur.execute(sql, params)
        return cur.fetchall()


def _hitung(
    periode: Periode,
    w: jendela.Window,
    *,
    penilai_id: int | None = None,
    instansi_id: int | None = None,
    unit_id: int | None = None,
    unit_ids: list[int] | None = None,
) -> dict:
    """Rated evaluations of the window per predikat: of a penilai, of the pegawai of an instansi
    or of a unit (by their unit now), or per unit for `unit_ids` ({unit: {predikat: n}})."""
    jendela_sql, params = _jendela_sql("e", periode, w)
    where, join, per_unit = [jendela_sql, "e.predikat <> ''"], "", unit_ids is not None
    if penilai_id is not None:
        where.append("e.pejabat_penilai_id = %s")
        params.append(penilai_id)
    if instansi_id is not None or unit_id is not None or per_unit:
        join = f" JOIN {_PEG} p ON p.id = e.pegawai_id"
    if instansi_id is not None:
        where.append("p.instansi_id = %s")
        params.append(instansi_id)
    if unit_id is not None:
        where.append("p.unit_kerja_id = %s")
        params.append(unit_id)
    if per_unit:
        if not unit_ids:
            return {}
        where.append(f"p.unit_kerja_id IN ({', '.join(['%s'] * len(unit_ids))})")
        params += unit_ids
    kolom = "p.unit_kerja_id, e.predikat" if per_unit else "e.predikat"
    rows = _baca(
        f"SELECT {kolom}, COUNT(*) FROM {_EV} e{join} WHERE {' AND '.join(where)} GROUP BY {kolom}",
        params,
    )
    if not per_unit:
        return dict(rows)
    out: dict[int, dict[str, int]] = defaultdict(dict)
    for unit, predikat, n in rows:
        out[unit][predikat] = n
    return out


def _unit_tim_sql(penilai_id: int, periode: Periode, w: jendela.Window) -> tuple[str, list]:
    """The statement of `_unit_tim_ko` (columns `unit`, `ko`), also a part of `distribusi_tim`."""
    ev_sql, ev_params = _jendela_sql("e", periode, w)
    ko_sql, ko_params = _jendela_sql("k", periode, w)
    return (
        f"SELECT p.unit_kerja_id AS unit, (SELECT k.predikat FROM {_KO} k WHERE {ko_sql} "
        f"AND k.unit_kerja_id = p.unit_kerja_id ORDER BY k.jenis, k.urutan LIMIT 1) AS ko "
        f"FROM {_PEG} p WHERE p.id IN ("
        f"SELECT s.id FROM {_PEG} s WHERE s.pejabat_penilai_id = %s UNION "
        f"SELECT e.pegawai_id FROM {_EV} e WHERE {ev_sql} AND e.pejabat_penilai_id = %s) "
        "AND p.unit_kerja_id IS NOT NULL "
        "GROUP BY p.unit_kerja_id ORDER BY COUNT(*) DESC, p.unit_kerja_id LIMIT 1",
        [*ko_params, penilai_id, *ev_params, penilai_id],
    )


def _unit_tim_ko(penilai_id: int, periode: Periode, w: jendela.Window) -> tuple | None:
    """(unit, its kinerja organisasi predikat) of the unit a penilai's team is judged by: the
    unit most of the team belongs to (those the penilai rates now and those they evaluated in
    the window), ties to the lowest unit id. One statement; the ids as one `id IN (… UNION …)`
    (see policy.id_salah_satu: an OR over a subquery walked all pegawai)."""
    rows = _baca(*_unit_tim_sql(penilai_id, periode, w))
    return rows[0] if rows else None


def _ko_map(periode: Periode, w: jendela.Window) -> dict[int, str]:
    return dict(
        KinerjaOrganisasi.objects.filter(_window_filter(w), periode=periode).values_list(
            "unit_kerja_id", "predikat"
        )
    )


def _ko_kolom(periode: Periode, w: jendela.Window, unit_ref: str = "pk") -> Subquery:
    """The unit's kinerja organisasi predikat as a column of the query that reads the unit (the
    row `_ko_satu` reads, without a round trip of its own)."""
    return Subquery(
        KinerjaOrganisasi.objects.filter(
            _window_filter(w), periode=periode, unit_kerja_id=OuterRef(unit_ref)
        ).values("predikat")[:1]
    )


def _ko_satu(periode: Periode, w: jendela.Window, unit_id: int | None) -> str | None:
    """One unit's kinerja organisasi predikat: one indexed row, not every unit of the instansi."""
    if not unit_id:
        return None
    return (
        KinerjaOrganisasi.objects.filter(_window_filter(w), periode=periode, unit_kerja_id=unit_id)
        .values_list("predikat", flat=True)
        .first()
    )


def _dist(judul, counts, org, unit=None, just=None) -> Distribusi:
    d = Distribusi(judul=judul, counts=counts, predikat_org=org, unit=unit, justifikasi=just or [])
    if org:
        d.pedoman = rules.pedoman(org)
        d.banding = rules.bandingkan(org, counts)
        d.pelanggaran = rules.periksa_distribusi(org, counts)
    return d


@lru_cache(maxsize=4096)
def _banding(org: str, jumlah: tuple[int, ...]) -> tuple[tuple, bool]:
    """`rules.bandingkan` of counts in rules.PREDIKAT order, and whether they call for a
    justification (`rules.periksa_distribusi`): a pure function of few distinct arguments,
    asked for 50 units per page (±1.8 ms of the page's CPU, bench/temuan.md, "Putaran
    kedelapan")."""
    banding = tuple(rules.bandingkan(org, dict(zip(rules.PREDIKAT, jumlah, strict=True))))
    return banding, rules.diperingatkan(list(banding), sum(jumlah))


def _dist_halaman(judul, counts, org, unit=None) -> Distribusi:
    """`_dist` for the admin page's panel and unit rows (the same fields), its comparisons
    remembered by `_banding`. `_dist` itself is the team page's and stays as it is."""
    if not org or not counts.keys() <= _PREDIKAT:
        return _dist(judul, counts, org, unit=unit)
    d = Distribusi(judul=judul, counts=counts, predikat_org=org, unit=unit)
    banding, peringatan = _banding(org, tuple([counts.get(k, 0) for k in rules.PREDIKAT]))
    d.pedoman = rules.pedoman(org)
    d.banding = list(banding)
    d.pelanggaran = list(banding) if peringatan else []
    return d


_PREDIKAT = frozenset(rules.PREDIKAT)


def unit_tim(penilai_id: int | None, periode: Periode, w: jendela.Window) -> int | None:
    """The unit a penilai's team is judged by, for the team page and for finalisation alike
    (`_unit_tim_ko`), so the answer never depends on who is finalised first."""
    if not penilai_id:
        return None
    row = _unit_tim_ko(penilai_id, periode, w)
    return row[0] if row else None


def distribusi_tim(penilai_id: int, periode: Periode, w: jendela.Window) -> Distribusi:
    """The penilai's team, judged by the guidance of the unit most of the team belongs to.

    One statement: the counts per predikat (`_hitung` of the penilai, as one row of sums), the
    team's unit and its predikat (`_unit_tim_sql`, the unit finalisation uses) and the team's
    justifications (a row each, newest first, like JustifikasiDistribusi's ordering); three
    statements until "Putaran ketujuh" (bench/temuan.md)."""
    from evaluasi.selectors import _dari_baris, _kolom

    jendela_sql, params = _jendela_sql("e", periode, w)
    sums = ", ".join(
        f"SUM(CASE WHEN e.predikat = %s THEN 1 ELSE 0 END) AS c{i}"
        for i in range(len(rules.PREDIKAT))
    )
    unit_sql, unit_params = _unit_tim_sql(penilai_id, periode, w)
    j_sql, j_params = _jendela_sql("j", periode, w)
    j_names, j_cols = _kolom(JustifikasiDistribusi, "j")
    c_cols = ", ".join(f"c.c{i}" for i in range(len(rules.PREDIKAT)))
    rows = _baca(
        f"SELECT {c_cols}, u.unit, u.ko, {j_cols} FROM (SELECT {sums} FROM {_EV} e "
        f"WHERE {jendela_sql} AND e.predikat <> '' AND e.pejabat_penilai_id = %s) c "
        f"LEFT JOIN ({unit_sql}) u ON 1 = 1 "
        f"LEFT JOIN {JustifikasiDistribusi._meta.db_table} j ON {j_sql} "
        "AND j.cakupan = %s AND j.pejabat_penilai_id = %s ORDER BY j.dibuat DESC",
        [
            *rules.PREDIKAT,
            *params,
            penilai_id,
            *unit_params,
            *j_params,
            JustifikasiDistribusi.Cakupan.TIM,
            penilai_id,
        ],
    )
    n = len(rules.PREDIKAT)
    first = rows[0]  # the sums row is always there (no justification: one row of NULLs)
    counts = {kode: first[i] for i, kode in enumerate(rules.PREDIKAT) if first[i]}
    just = [j for (j,) in (_dari_baris(r[n + 2 :], (JustifikasiDistribusi, j_names)) for r in rows)]
    return _dist("Tim yang saya nilai", counts, first[n + 1], just=[j for j in just if j])


def distribusi_unit(unit: UnitKerja, periode: Periode, w: jendela.Window) -> Distribusi:
    """Pegawai whose unit kerja is this unit (its sub-units have their own kinerja organisasi)."""
    counts = _hitung(periode, w, unit_id=unit.pk)
    org = _ko_satu(periode, w, unit.pk)
    just = list(
        JustifikasiDistribusi.objects.filter(
            _window_filter(w), periode=periode, cakupan="unit", unit_kerja=unit
        )
    )
    return _dist(unit.nama, counts, org, unit=unit, just=just)


def unit_instansi(periode: Periode, w: jendela.Window | None = None):
    """The instansi's units in the order the distribution page lists them, each with its parent's
    name (`induk_nama`); with a window, also its kinerja organisasi predikat (`ko`).

    Both are correlated subqueries, evaluated for the page's rows only: a join to the parent
    (select_related) was hashed over all 13,784 units of the province, 3 ms for a page of 50."""
    induk = UnitKerja.objects.filter(pk=OuterRef("induk_id")).values("nama")
    qs = (
        UnitKerja.objects.filter(instansi_id=periode.instansi_id)
        .annotate(induk_nama=Subquery(induk[:1]))
        .order_by("nama", "pk")
    )
    return qs.annotate(ko=_ko_kolom(periode, w)) if w is not None else qs


def distribusi_per_unit(
    periode: Periode, w: jendela.Window, units: list[UnitKerja] | None = None
) -> list[Distribusi]:
    """The given units of the instansi (default: all of them) in three queries; with a page of
    units, the counts are read for that page only."""
    if units is None:
        units = list(unit_instansi(periode))
    ids = [u.pk for u in units]
    # Units read by unit_instansi(periode, w) carry their predikat; others: one query for all.
    ko = (
        {u.pk: u.ko for u in units} if all(hasattr(u, "ko") for u in units) else _ko_map(periode, w)
    )
    per = _hitung(periode, w, instansi_id=periode.instansi_id, unit_ids=ids)
    just: dict[int, list] = defaultdict(list)
    for j in JustifikasiDistribusi.objects.filter(
        _window_filter(w), periode=periode, cakupan="unit", unit_kerja_id__in=ids
    ):
        just[j.unit_kerja_id].append(j)
    return [_dist(u.nama, per.get(u.pk, {}), ko.get(u.pk), unit=u, just=just[u.pk]) for u in units]


def distribusi_instansi(periode: Periode, w: jendela.Window) -> Distribusi:
    """The whole instansi, judged by the kinerja organisasi of its top unit when set."""
    counts = _hitung(periode, w, instansi_id=periode.instansi_id)
    top = (
        UnitKerja.objects.filter(instansi_id=periode.instansi_id, induk__isnull=True)
        .annotate(ko=_ko_kolom(periode, w))
        .first()
    )
    org = top.ko if top else None
    just = list(
        JustifikasiDistribusi.objects.filter(_window_filter(w), periode=periode, cakupan="instansi")
    )
    return _dist(periode.instansi.nama, counts, org, unit=top, just=just)


# --- the admin's page (the instansi panel and a page of the per-unit table) in three statements
# At 100,000 pegawai its nine statements were each well under a millisecond in PostgreSQL; their
# round trips and the ORM building them were most of the page (bench/temuan.md, "Putaran
# ketujuh"). The objects are those the ORM reading gave (kinerja.baris_sql);
# tests/evaluasi/test_distribusi_cepat.py compares them and the page bytes with the old reading.
def _ko_sql(periode: Periode, w: jendela.Window, unit_col: str) -> tuple[str, list]:
    """`_ko_kolom` written out: the unit's kinerja organisasi predikat in the model's order."""
    sql, params = _jendela_sql("k", periode, w)
    return (
        f"(SELECT k.predikat FROM {_KO} k WHERE {sql} AND k.unit_kerja_id = {unit_col} "
        "ORDER BY k.periode_id, k.unit_kerja_id, k.jenis, k.urutan LIMIT 1)",
        params,
    )


def _tersimpan_sql(periode: Periode, w: jendela.Window, unit_col: str | None) -> tuple[str, list]:
    """The kept counts (evaluasi.hitung_predikat, PostgreSQL) of the instansi's window as rows
    (predikat, n): of the whole instansi, or of the unit `unit_col` names. What `_hitung` counts
    afresh, without reading the instansi's evaluations."""
    sql, params = _jendela_sql("c", periode, w)
    sql, params = f"{sql} AND c.instansi_id = %s", [*params, periode.instansi_id]
    sql += f" AND c.unit_kerja_id = {hitung_predikat.INSTANSI if unit_col is None else unit_col}"
    return (
        f"SELECT c.predikat, SUM(c.n) AS n FROM {hitung_predikat.TABEL} c WHERE {sql} "
        "GROUP BY c.predikat HAVING SUM(c.n) > 0",
        params,
    )


def ringkasan_instansi(periode: Periode, w: jendela.Window) -> tuple[Distribusi, int]:
    """`distribusi_instansi` without its justifications (the page reads them with the units'),
    and the number of the instansi's units (the per-unit table's paginator): one statement."""
    _UK = UnitKerja._meta.db_table
    ko_sql, ko_params = _ko_sql(periode, w, "u.id")
    inst = periode.instansi_id
    if hitung_predikat.dipelihara():
        # The kept counts: counting the instansi's 7,000 evaluations afresh was most of the
        # page's database time (bench/temuan.md, "Putaran kedelapan").
        hitung_sql, hitung_params = _tersimpan_sql(periode, w, None)
    else:  # SQLite (make run): counted afresh
        ev_sql, ev_params = _jendela_sql("e", periode, w)
        hitung_sql = (
            f"SELECT e.predikat, COUNT(*) AS n FROM {_EV} e JOIN {_PEG} p "
            f"ON p.id = e.pegawai_id WHERE {ev_sql} AND e.predikat <> '' AND p.instansi_id = %s "
            "GROUP BY e.predikat"
        )
        hitung_params = [*ev_params, inst]
    rows = _baca_siap(
        f"SELECT {kolom(UnitKerja, 't')}, t.ko, "
        f"(SELECT COUNT(*) FROM {_UK} x WHERE x.instansi_id = %s), c.predikat, c.n "
        "FROM (SELECT 1 AS satu) o "
        f"LEFT JOIN (SELECT u.*, {ko_sql} AS ko FROM {_UK} u "
        "WHERE u.instansi_id = %s AND u.induk_id IS NULL ORDER BY u.instansi_id, u.nama LIMIT 1) t "
        "ON 1 = 1 "
        f"LEFT JOIN ({hitung_sql}) c ON 1 = 1",
        [inst, *ko_params, inst, *hitung_params],
    )
    top, i = objek(UnitKerja, "t", rows[0], 0)
    if top is not None:
        top.ko = rows[0][i]
    counts = {r[i + 2]: r[i + 3] for r in rows if r[i + 2] is not None}
    org = top.ko if top else None
    return _dist_halaman(periode.instansi.nama, counts, org, unit=top), rows[0][i + 1]


class HalamanUnit:
    """The instansi's units as a Paginator's object list: `count()` given (ringkasan_instansi's)
    or one COUNT; a slice is one statement: the units in `unit_instansi`'s order with their
    parent's name, kinerja organisasi predikat and counts, as `distribusi_per_unit` gives them
    (without justifications: `pasang_justifikasi`)."""

    def __init__(self, periode: Periode, w: jendela.Window, jumlah: int | None = None):
        self.periode, self.w, self._jumlah = periode, w, jumlah

    def count(self) -> int:
        if self._jumlah is None:
            self._jumlah = UnitKerja.objects.filter(instansi_id=self.periode.instansi_id).count()
        return self._jumlah

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, s: slice) -> list[Distribusi]:
        mulai, akhir = s.start or 0, s.stop  # the Paginator always gives both ends
        if akhir <= mulai:
            return []
        _UK = UnitKerja._meta.db_table
        periode, w, inst = self.periode, self.w, self.periode.instansi_id
        ev_sql, ev_params = _jendela_sql("e", periode, w)
        ko_sql, ko_params = _ko_sql(periode, w, "h.id")
        dari = (
            f"FROM {_PEG} p JOIN {_EV} e ON e.pegawai_id = p.id "
            f"WHERE {ev_sql} AND e.predikat <> '' AND p.instansi_id = %s"
        )
        hitung_params = [*ev_params, inst]
        if hitung_predikat.dipelihara():
            # Per unit of the page: its kept counts (evaluasi.hitung_predikat).
            hitung_sql, hitung_params = _tersimpan_sql(periode, w, "h.id")
            gabung = f"LEFT JOIN LATERAL ({hitung_sql}) c ON true"
        else:  # SQLite (make run): counted afresh, no LATERAL
            gabung = (
                f"LEFT JOIN (SELECT p.unit_kerja_id AS uid, e.predikat, COUNT(*) AS n {dari} "
                "AND p.unit_kerja_id IN (SELECT id FROM h) GROUP BY p.unit_kerja_id, e.predikat) c "
                "ON c.uid = h.id"
            )
        rows = _baca_siap(
            f"WITH h AS (SELECT * FROM {_UK} u WHERE u.instansi_id = %s ORDER BY u.nama, u.id "
            f"LIMIT %s OFFSET %s) SELECT {kolom(UnitKerja, 'h')}, "
            f"(SELECT i.nama FROM {_UK} i WHERE i.id = h.induk_id), {ko_sql}, c.predikat, c.n "
            f"FROM h {gabung} ORDER BY h.nama, h.id, c.predikat",
            [inst, akhir - mulai, mulai, *ko_params, *hitung_params],
        )
        out: list[Distribusi] = []
        counts: dict[int, dict[str, int]] = defaultdict(dict)
        units: dict[int, UnitKerja] = {}
        for row in rows:
            unit, i = objek(UnitKerja, "h", row, 0)
            if unit.pk not in units:
                unit.induk_nama, unit.ko = row[i], row[i + 1]
                units[unit.pk] = unit
            if row[i + 2] is not None:
                counts[unit.pk][row[i + 2]] = row[i + 3]
        for unit in units.values():
            out.append(_dist_halaman(unit.nama, counts.get(unit.pk, {}), unit.ko, unit=unit))
        return out


def pasang_justifikasi(
    periode: Periode, w: jendela.Window, units: list[Distribusi], instansi: Distribusi | None
) -> None:
    """The justifications of the page's units and of the instansi panel: one statement, in the
    model's order (newest first), as the two ORM reads gave them (building that query with the
    page's 50 ids cost 2.3 ms CPU for no rows)."""
    ids = [d.unit.pk for d in units]
    if not ids and instansi is None:
        return
    jendela_sql, params = _jendela_sql("j", periode, w)
    cakupan = []
    if ids and connection.vendor == "postgresql":
        # One array parameter: psycopg caches a statement's parsing only up to 50 parameters,
        # and 50 ids + the window's were parsed again on every request.
        cakupan.append("(j.cakupan = 'unit' AND j.unit_kerja_id = ANY(%s))")
        params.append(ids)
    elif ids:
        cakupan.append(
            f"(j.cakupan = 'unit' AND j.unit_kerja_id IN ({', '.join(['%s'] * len(ids))}))"
        )
        params += ids
    if instansi is not None:
        cakupan.append("j.cakupan = 'instansi'")
    per: dict[int | None, list] = defaultdict(list)
    for row in _baca_siap(
        f"SELECT {kolom(JustifikasiDistribusi, 'j')} FROM {JustifikasiDistribusi._meta.db_table} j "
        f"WHERE {jendela_sql} AND ({' OR '.join(cakupan)}) ORDER BY j.dibuat DESC",
        params,
    ):
        j = objek(JustifikasiDistribusi, "j", row, 0)[0]
        per[None if j.cakupan == "instansi" else j.unit_kerja_id].append(j)
    for d in units:
        d.justifikasi = per[d.unit.pk]
    if instansi is not None:
        instansi.justifikasi = per[None]
