"""Reads of the evaluation stage. Page-level reads cost a fixed number of queries whatever the
size of the team or the instansi (aggregates and dict look-ups, no per-row queries)."""

from __future__ import annotations

from collections import defaultdict
from functools import cache
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.models import Exists, OuterRef, Prefetch

from evaluasi import jendela, rules
from evaluasi.models import (
    Evaluasi,
    Jenis,
    KasusSanksi,
    LangkahSanksi,
    Potensi,
    TabelTindakLanjut,
)
from evaluasi.selectors_distribusi import (  # noqa: F401  (re-exported)
    Distribusi,
    HalamanUnit,
    _dist,
    _hitung,
    _jendela_sql,
    _ko_kolom,
    _ko_map,
    _ko_satu,
    _window_filter,
    distribusi_instansi,
    distribusi_per_unit,
    distribusi_tim,
    distribusi_unit,
    pasang_justifikasi,
    ringkasan_instansi,
    unit_instansi,
    unit_tim,
)
from evaluasi.selectors_kelengkapan import _kelengkapan_pegawai, kelengkapan  # noqa: F401
from kinerja import policy
from kinerja.db_siap import kursor_siap
from kinerja.models import Pegawai, Periode, UnitKerja


def tahun_list(user: Any) -> list[int]:
    inst = policy.instansi_of(user)
    return list(
        Periode.objects.filter(instansi_id=inst).order_by("-tahun").values_list("tahun", flat=True)
    )


def periode_evaluasi(user: Any, tahun: str | int | None = None) -> Periode | None:
    """For the year-end pages: the given year, else the newest year being evaluated (status
    `evaluasi`), else the usual default."""
    if not tahun:
        inst = policy.instansi_of(user)
        p = (
            Periode.objects.select_related("instansi")
            .filter(instansi_id=inst, status=Periode.Status.EVALUASI)
            .order_by("-tahun")
            .first()
        )
        if p is not None:
            return p
    return periode_untuk(user, tahun)


def periode_untuk(user: Any, tahun: str | int | None = None) -> Periode | None:
    """The user's instansi's period: the given year, else the newest one not closed."""
    inst = policy.instansi_of(user)
    qs = Periode.objects.select_related("instansi")
    if inst:
        qs = qs.filter(instansi_id=inst)
    elif not policy.may(user, "semua_instansi"):
        return None
    if tahun:
        try:
            return qs.filter(tahun=int(tahun)).first()
        except (TypeError, ValueError):
            return None
    return (
        qs.exclude(status=Periode.Status.DITUTUP).order_by("-tahun").first()
        or qs.order_by("-tahun").first()
    )


def periode_dan_tahun(user: Any, tahun: str | int | None = None) -> tuple[Periode | None, list]:
    """`periode_untuk` and `tahun_list` together, for the pages that show both: an instansi has
    a handful of periods, so one query reads them all and the choice is made here."""
    inst = policy.instansi_of(user)
    if not inst:
        return periode_untuk(user, tahun), tahun_list(user)
    semua = _periode_instansi(inst)
    semua.sort(key=lambda p: -p.tahun)
    return pilih_periode(semua, tahun)


def pilih_periode(semua: Any, tahun: str | int | None) -> tuple[Any, list[int]]:
    """The choice among an instansi's periods (newest first): the asked year, else the newest
    not closed, else the newest; and the years for the tabs. Also the team page's
    (selectors_tim, whose periods are plain rows)."""
    daftar = [p.tahun for p in semua]
    if tahun:
        try:
            t = int(tahun)
        except (TypeError, ValueError):
            return None, daftar
        return next((p for p in semua if p.tahun == t), None), daftar
    buka = [p for p in semua if p.status != Periode.Status.DITUTUP]
    return (buka or semua or [None])[0], daftar


def _periode_instansi(instansi_id: int) -> list[Periode]:
    """`Periode.objects.select_related("instansi").filter(instansi_id=…)` in plain SQL: the
    ORM built this one-table join in ±0.8 ms of Python per page (bench/temuan.md, "Putaran
    ketujuh"); the same instances (from_db, the instansi in its field cache)."""
    from kinerja.models import Instansi

    q = connection.ops.quote_name
    p_names, p_cols = _kolom(Periode, "p")
    i_names, i_cols = _kolom(Instansi, "i")
    instansi = Periode._meta.get_field("instansi")
    out = []
    with kursor_siap() as cur:
        cur.execute(
            f"SELECT {p_cols}, {i_cols} FROM {q(Periode._meta.db_table)} p "
            f"JOIN {q(Instansi._meta.db_table)} i ON i.id = p.instansi_id "
            "WHERE p.instansi_id = %s ORDER BY p.tahun DESC",
            [instansi_id],
        )
        for row in cur.fetchall():
            p, i = _dari_baris(row, (Periode, p_names), (Instansi, i_names))
            instansi.set_cached_value(p, i)
            out.append(p)
    return out


# --- one window, one penilai -----------------------------------------------------------------
def jendela_penilai(user: Any, pegawai: Pegawai, periode: Periode, w: jendela.Window):
    """The window a penilai's link means: the AKHIR window is the penilai in place's; a former
    penilai who held the pegawai in part of the last window rates that part as a periodic
    evaluation of its own."""
    from kinerja.masa import bagian_dalam

    a = policy.actor(user)
    if w.jenis != Jenis.TAHUNAN or a.pegawai_id is None:
        return w
    if a.pegawai_id == pegawai.pejabat_penilai_id:
        return w
    akhir = jendela.dari_jenis(periode, Jenis.PERIODIK, jendela.terakhir(periode))
    if any(
        b.pejabat_penilai_id == a.pegawai_id
        for b in bagian_dalam(pegawai.pk, akhir.mulai, akhir.selesai)
    ):
        return akhir
    return w


def evaluasi_jendela(user: Any, pegawai: Pegawai, periode: Periode, w: jendela.Window, qs):
    """The evaluation of window `w` the user's page shows: their own part's when they rated
    part of it, else the (latest) one they may read."""
    from evaluasi.services.evaluasi import _bagian_untuk, _evaluasi_bagian

    lookup = {"pegawai": pegawai, "periode": periode, "jenis": w.jenis, "urutan": w.urutan}
    try:
        b = _bagian_untuk(user, pegawai, w)
    except PermissionDenied:
        return qs.filter(**lookup).order_by("-mulai", "-pk").first()
    ev = _evaluasi_bagian(lookup, b, w)
    return qs.filter(pk=ev.pk).first() if ev else None


# --- team page -----------------------------------------------------------------------------
def _kolom(model, alias: str, only: tuple[str, ...] = ()) -> tuple[tuple[str, ...], str]:
    """The model's concrete columns (attnames, for `from_db`) and their SELECT list; with
    `only`, those attnames (in the model's field order; `from_db` defers the others)."""
    q = connection.ops.quote_name
    fields = [f for f in model._meta.concrete_fields if not only or f.attname in only]
    names = tuple(f.attname for f in fields)
    return names, ", ".join(f"{alias}.{q(f.column)}" for f in fields)


@cache
def _konverter(model, alias: str, names: tuple[str, ...] | None = None) -> list:
    """The backend's converters for the model's columns (what the ORM applies to every row: on
    SQLite a raw cursor gives dates as text and booleans as 0/1; PostgreSQL needs none)."""
    fields = [f for f in model._meta.concrete_fields if names is None or f.attname in set(names)]
    cols = [f.get_col(model._meta.db_table) for f in fields]
    compiler = model.objects.none().query.get_compiler(alias)
    return list(compiler.get_converters(cols).items())


def _dari_baris(row: tuple, *models: tuple) -> list:
    """Model instances from one row of `_kolom` column lists, in order ((model, names), ...);
    None where the (left-joined) row's primary key is NULL. What select_related builds."""
    out, i = [], 0
    for model, names in models:
        vals = list(row[i : i + len(names)])
        i += len(names)
        if vals[names.index(model._meta.pk.attname)] is None:
            out.append(None)
            continue
        for pos, (convs, col) in _konverter(model, connection.alias, tuple(names)):
            for conv in convs:
                vals[pos] = conv(vals[pos], col, connection)
        out.append(model.from_db(connection.alias, names, vals))
    return out


# The team page's rows read only what the page, its export and "save and next" use (the other
# columns are deferred, as `.only()` would): a third of the row-building time at 10 rows.
_TIM_PEGAWAI = (
    "id",
    "user_id",
    "instansi_id",
    "nip",
    "nama",
    "jabatan_id",
    "unit_kerja_id",
    "status",
    "pejabat_penilai_id",
    "atasan_pejabat_penilai_id",
)
_TIM_JABATAN = ("id", "unit_kerja_id", "nama", "jenis", "kepala_unit")
_TIM_UNIT = ("id", "instansi_id", "induk_id", "nama", "singkatan")
_TIM_EVALUASI = (
    "id",
    "pegawai_id",
    "periode_id",
    "skp_id",
    "jenis",
    "urutan",
    "pejabat_penilai_id",
    "atasan_pejabat_penilai_id",
    "mulai",
    "selesai",
    "rating_hasil_kerja",
    "rating_perilaku_kerja",
    "predikat",
    "status",
)


def _tim_syarat(penilai_id: int, periode: Periode, w: jendela.Window) -> tuple:
    """The team's conditions in window `w`, shared by `_tim_baris` and the team page's one
    statement (selectors_tim): (who is in the team: ids SQL and params, the feedback condition
    on `u` and its params, and the member `p`'s evaluation of the window by this penilai — the
    `FROM … LIMIT 1` of a subquery on `x` — and its params)."""
    from kinerja.models import MasaPenilai

    q = connection.ops.quote_name
    peg, masa = q(Pegawai._meta.db_table), q(MasaPenilai._meta.db_table)
    if w.jenis != Jenis.PERIODIK:
        # The AKHIR window: the penilai in place, and a former penilai's part of the last
        # window (rated as a periodic evaluation of its own).
        akhir = jendela.dari_jenis(periode, Jenis.PERIODIK, jendela.terakhir(periode))
        ids_sql = (
            f"SELECT s.id FROM {peg} s WHERE s.pejabat_penilai_id = %s UNION "
            f"SELECT m.pegawai_id FROM {masa} m WHERE m.pejabat_penilai_id = %s "
            "AND m.mulai <= %s AND (m.selesai IS NULL OR m.selesai >= %s)"
        )
        ids_params = [penilai_id, penilai_id, akhir.selesai, akhir.mulai]
    else:
        ids_sql = (
            f"SELECT m.pegawai_id FROM {masa} m WHERE m.pejabat_penilai_id = %s "
            "AND m.mulai <= %s AND (m.selesai IS NULL OR m.selesai >= %s) UNION "
            f"SELECT s.id FROM {peg} s WHERE s.pejabat_penilai_id = %s "
            f"AND NOT EXISTS (SELECT 1 FROM {masa} t WHERE t.pegawai_id = s.id)"
        )
        ids_params = [penilai_id, w.selesai, w.mulai, penilai_id]
    ub_sql, ub_params = "u.penerima_id = p.id AND u.periode_id = %s", [periode.pk]
    if w.urutan:
        ub_sql, ub_params = f"{ub_sql} AND u.urutan = %s", [*ub_params, w.urutan]
    # The evaluation: the window's, or (AKHIR) a former penilai's part of the last window.
    ev_sql, ev_params = "x.jenis = %s", [w.jenis]
    if w.urutan:
        ev_sql, ev_params = f"{ev_sql} AND x.urutan = %s", [*ev_params, w.urutan]
    if w.jenis == Jenis.TAHUNAN:
        ev_sql = f"(({ev_sql}) OR (x.jenis = %s AND x.urutan = %s AND x.pejabat_penilai_id = %s))"
        ev_params += [Jenis.PERIODIK, jendela.terakhir(periode), penilai_id]
    ev_where = (
        f"FROM {q(Evaluasi._meta.db_table)} x WHERE x.pegawai_id = p.id AND x.periode_id = %s "
        f"AND {ev_sql} AND COALESCE(x.pejabat_penilai_id, %s) = %s "  # this penilai's, or nobody's
        "ORDER BY x.jenis DESC, x.id DESC LIMIT 1"  # tahunan after periodik: the AKHIR one
    )
    ev_params = [periode.pk, *ev_params, penilai_id, penilai_id]
    return ids_sql, ids_params, ub_sql, ub_params, ev_where, ev_params


def _tim_baris(penilai_id: int, periode: Periode, w: jendela.Window) -> list[Pegawai]:
    """Whom a penilai evaluates in window `w`, by name, each with its jabatan and unit kerja,
    `_skp_ok`, `_ub_n`, `_ub_tugas` (approved SKP, feedback and feedback from assigning officials
    in the window) and `_evaluasi`, their evaluation of the window by this penilai (a window cut
    by a change of penilai has one per part; the other part is the other penilai's; the AKHIR
    one wins over a former penilai's part of the last window). For a periodic window: everyone
    they held in it (also those who have moved on since; not those who came after it); the
    AKHIR evaluation is made by the penilai in place at year end. Pegawai with no dated record:
    the penilai now.

    One hand-written statement: the page's hottest read; the ORM took several times longer to
    build it than PostgreSQL to run it (bench/temuan.md, "Putaran kelima"); the evaluations
    came in a second one until "Putaran ketujuh". The ids are one `id IN (… UNION …)`, not
    `penilai = x OR id IN (…)` (policy.id_salah_satu)."""
    from dialog.models import UmpanBalik
    from kinerja.models import Jabatan
    from skp.models import SKP

    q = connection.ops.quote_name
    pg = connection.vendor == "postgresql"
    peg = q(Pegawai._meta.db_table)
    ids_sql, ids_params, ub_sql, ub_params, ev_where, ev_params = _tim_syarat(
        penilai_id, periode, w
    )
    ev_tabel = q(Evaluasi._meta.db_table)
    ub = q(UmpanBalik._meta.db_table)
    p_names, p_cols = _kolom(Pegawai, "p", _TIM_PEGAWAI)
    j_names, j_cols = _kolom(Jabatan, "j", _TIM_JABATAN)
    u_names, u_cols = _kolom(UnitKerja, "k", _TIM_UNIT)
    e_names, e_cols = _kolom(Evaluasi, "e", _TIM_EVALUASI)
    jab, unit = q(Jabatan._meta.db_table), q(UnitKerja._meta.db_table)
    if pg:
        # The team as a fenced subquery, each joined row a fenced LATERAL: the planner then
        # does not search join orders over every table (plain joins planned in 0.9-1.2 ms,
        # this 0.6 ms; EXPLAIN ANALYZE at 100,000 pegawai). SQLite has no LATERAL.
        # Each subquery names its columns (no `SELECT *`: the page-cache coverage test reads a
        # star next to skp_skp as reading the SKP's stamps).
        x_cols = _kolom(Evaluasi, "x", _TIM_EVALUASI)[1]
        dari = (
            f"(SELECT {p_cols} FROM {peg} p WHERE p.id IN ({ids_sql}) AND p.id <> %s OFFSET 0) p "
            f"LEFT JOIN LATERAL (SELECT {j_cols} FROM {jab} j WHERE j.id = p.jabatan_id "
            f"OFFSET 0) j ON true LEFT JOIN LATERAL (SELECT {u_cols} FROM {unit} k "
            f"WHERE k.id = p.unit_kerja_id OFFSET 0) k ON true "
            f"LEFT JOIN LATERAL (SELECT {x_cols} {ev_where}) e ON true"
        )
        dari_params, where, where_params = [*ids_params, penilai_id, *ev_params], "", []
    else:
        dari = (
            f"{peg} p LEFT JOIN {jab} j ON j.id = p.jabatan_id "
            f"LEFT JOIN {unit} k ON k.id = p.unit_kerja_id "
            f"LEFT JOIN {ev_tabel} e ON e.id = (SELECT x.id {ev_where})"
        )
        dari_params = ev_params
        where, where_params = (
            f"WHERE p.id IN ({ids_sql}) AND p.id <> %s ",
            [*ids_params, penilai_id],
        )
    sql = (
        f"SELECT {p_cols}, {j_cols}, {u_cols}, {e_cols}, "
        f"EXISTS (SELECT 1 FROM {q(SKP._meta.db_table)} v WHERE v.pegawai_id = p.id "
        "AND v.periode_id = %s AND v.status = %s), "
        f"(SELECT COUNT(*) FROM {ub} u WHERE {ub_sql}), "
        f"(SELECT COUNT(*) FROM {ub} u WHERE {ub_sql} AND u.hubungan = %s) "
        f"FROM {dari} {where}ORDER BY p.nama, p.id"
    )
    params = [
        periode.pk,
        SKP.Status.DISETUJUI,
        *ub_params,
        *ub_params,
        "pemberi_tugas",
        *dari_params,
        *where_params,
    ]
    jabatan = Pegawai._meta.get_field("jabatan")
    unit_f = Pegawai._meta.get_field("unit_kerja")
    bentuk = ((Pegawai, p_names), (Jabatan, j_names), (UnitKerja, u_names), (Evaluasi, e_names))
    team = []
    with kursor_siap() as cur:
        cur.execute(sql, params)
        for row in cur.fetchall():
            p, j, k, e = _dari_baris(row, *bentuk)
            jabatan.set_cached_value(p, j)
            unit_f.set_cached_value(p, k)
            p._skp_ok, p._ub_n, p._ub_tugas = bool(row[-3]), row[-2], row[-1]
            p._evaluasi = e
            team.append(p)
    return team


def tim_evaluasi(user: Any, periode: Periode, w: jendela.Window) -> list[dict]:
    """The penilai's people with their evaluation, SKP and feedback status for one window."""
    a = policy.actor(user)
    if not a.pegawai_id:
        return []
    return [
        {
            "pegawai": p,
            "evaluasi": p._evaluasi,
            "skp_disetujui": p._skp_ok,
            "umpan_balik": p._ub_n,
            "umpan_balik_tugas": p._ub_tugas,
        }
        for p in _tim_baris(a.pegawai_id, periode, w)
    ]


def _atasan_ids(pegawai_id: int, periode: Periode, w: jendela.Window) -> tuple[str, list]:
    """`e.id IN (…)`: the window's evaluations whose atasan is `pegawai_id`, or whose pegawai's
    atasan is, as a UNION of two indexed reads (a join OR scanned all pegawai, and an OR with an
    IN subquery planned a hashed subplan over the period's evaluations, 9 ms). Shared by
    `evaluasi_sebagai_atasan` and the team page's statement on SQLite (selectors_tim)."""
    q = connection.ops.quote_name
    ev, peg = q(Evaluasi._meta.db_table), q(Pegawai._meta.db_table)
    jendela_sql, jendela_params = _jendela_sql("x", periode, w)
    ids = (
        f"e.id IN (SELECT x.id FROM {ev} x WHERE {jendela_sql} "
        "AND x.atasan_pejabat_penilai_id = %s UNION "
        f"SELECT x.id FROM {ev} x JOIN {peg} y ON y.id = x.pegawai_id WHERE {jendela_sql} "
        "AND y.atasan_pejabat_penilai_id = %s)"
    )
    return ids, [*jendela_params, pegawai_id, *jendela_params, pegawai_id]


def evaluasi_sebagai_atasan(user: Any, periode: Periode, w: jendela.Window) -> list[Evaluasi]:
    """Evaluations in the window of the people the user is atasan pejabat penilai of (read)."""
    a = policy.actor(user)
    if not a.pegawai_id:
        return []
    from kinerja.models import Jabatan

    q = connection.ops.quote_name
    ev, peg = q(Evaluasi._meta.db_table), q(Pegawai._meta.db_table)
    e_names, e_cols = _kolom(Evaluasi, "e")
    p_names, p_cols = _kolom(Pegawai, "p")
    j_names, j_cols = _kolom(Jabatan, "j")
    n_names, n_cols = _kolom(Pegawai, "n")
    # One statement, like select_related("pegawai__jabatan", "pejabat_penilai") would read.
    ids, ids_params = _atasan_ids(a.pegawai_id, periode, w)
    jab = q(Jabatan._meta.db_table)
    if connection.vendor == "postgresql":
        # Fenced subqueries, as in _tim_baris: planning 0.8-1.2 -> 0.5-0.75 ms.
        dari = (
            f"(SELECT * FROM {ev} e WHERE {ids} OFFSET 0) e "
            f"JOIN LATERAL (SELECT * FROM {peg} p WHERE p.id = e.pegawai_id OFFSET 0) p ON true "
            f"LEFT JOIN LATERAL (SELECT * FROM {jab} j WHERE j.id = p.jabatan_id OFFSET 0) j "
            f"ON true LEFT JOIN LATERAL (SELECT * FROM {peg} n "
            "WHERE n.id = e.pejabat_penilai_id OFFSET 0) n ON true"
        )
    else:
        dari = (
            f"{ev} e JOIN {peg} p ON p.id = e.pegawai_id "
            f"LEFT JOIN {jab} j ON j.id = p.jabatan_id "
            f"LEFT JOIN {peg} n ON n.id = e.pejabat_penilai_id WHERE {ids}"
        )
    sql = f"SELECT {e_cols}, {p_cols}, {j_cols}, {n_cols} FROM {dari} ORDER BY n.nama, p.nama, e.id"
    params = ids_params
    pegawai, jabatan = Evaluasi._meta.get_field("pegawai"), Pegawai._meta.get_field("jabatan")
    penilai = Evaluasi._meta.get_field("pejabat_penilai")
    out = []
    with kursor_siap() as cur:
        cur.execute(sql, params)
        for row in cur.fetchall():
            e, p, j, n = _dari_baris(
                row, (Evaluasi, e_names), (Pegawai, p_names), (Jabatan, j_names), (Pegawai, n_names)
            )
            jabatan.set_cached_value(p, j)
            pegawai.set_cached_value(e, p)
            penilai.set_cached_value(e, n)
            out.append(e)
    return out


# --- one person's evaluation ----------------------------------------------------------------
def skp_tahun(pegawai_id: int, periode_id: int) -> list:
    """The SKPs a pegawai held in a year, in date order: per stretch (berlaku_mulai) the latest
    version, with its penilai. One query."""
    from skp.models import SKP

    out: dict = {}
    for s in (
        SKP.objects.filter(pegawai_id=pegawai_id, periode_id=periode_id)
        .select_related("pejabat_penilai")
        .order_by("berlaku_mulai", "-versi")
    ):
        out.setdefault(s.berlaku_mulai, s)
    return sorted(out.values(), key=lambda s: (s.berlaku_mulai is not None, s.berlaku_mulai))


def konteks_penilaian(ev: Evaluasi) -> dict[str, Any]:
    """Everything the penilai weighs: approved SKP, realisasi and bukti per RHK, ALL feedback
    (assigning officials' marked), periodic results of the year, ekspektasi perilaku."""
    from dialog.models import BuktiDukung, Realisasi, UmpanBalik
    from evaluasi.services import kepala_unit, kinerja_organisasi_untuk
    from skp.models import Indikator, RencanaHasilKerja
    from skp.rules import BERAKHLAK

    w = jendela.dari_jenis(ev.periode, ev.jenis, ev.urutan)
    rhk: list = []
    perilaku_ekspektasi: dict[str, str] = {}
    if not ev.is_final:
        from skp.selectors import skp_disetujui, skp_pada

        # A draft shows the latest approved version of the SKP in force for what it rates (the
        # next save records it).
        terbaru = (
            skp_pada(pegawai=ev.pegawai_id, periode=ev.periode_id, tanggal=ev.selesai)
            if ev.selesai
            else None
        ) or skp_disetujui(pegawai=ev.pegawai_id, periode=ev.periode_id)
        if terbaru is not None and terbaru.pk != ev.skp_id:
            ev.skp = terbaru
    if ev.skp_id:
        rhk = list(
            RencanaHasilKerja.objects.filter(skp_id=ev.skp_id)
            .select_related("pemberi_tugas", "rhk_atasan")
            .prefetch_related(
                Prefetch("indikator_set", queryset=Indikator.objects.order_by("urutan", "id"))
            )
            .order_by("jenis", "urutan", "id")
        )
        perilaku_ekspektasi = dict(ev.skp.perilaku_set.values_list("nilai", "ekspektasi_khusus"))
    real = Realisasi.objects.filter(pegawai_id=ev.pegawai_id, periode_id=ev.periode_id)
    if w.urutan:
        real = real.filter(urutan=w.urutan)
    realisasi: dict[str, list] = defaultdict(list)
    for r in real.prefetch_related(
        Prefetch("bukti_set", queryset=BuktiDukung.objects.order_by("dibuat", "id"))
    ).order_by("urutan", "id"):
        realisasi[str(r.rhk_kunci)].append(r)
    ub = UmpanBalik.objects.filter(penerima_id=ev.pegawai_id, periode_id=ev.periode_id)
    if w.urutan:
        ub = ub.filter(urutan=w.urutan)
    umpan_balik = list(
        ub.select_related("pemberi__jabatan", "rencana_hasil_kerja").order_by("-dibuat")
    )
    nilai_rhk = {str(p.rhk_kunci): p for p in ev.rhk_set.all()}
    catatan = {c.nilai: c.catatan for c in ev.perilaku_set.all()}
    baris = []
    for r in rhk:
        k = str(r.kunci)
        baris.append(
            {
                "rhk": r,
                "kunci": k,
                "realisasi": realisasi.get(k, []),
                "penilaian": nilai_rhk.get(k),
                "umpan_balik": [u for u in umpan_balik if u.rencana_hasil_kerja_id == r.pk],
            }
        )
    perilaku = [
        {
            "kode": kode,
            "label": label,
            "panduan": panduan,
            "ekspektasi": perilaku_ekspektasi.get(kode, ""),
            "catatan": catatan.get(kode, ""),
            "umpan_balik": [u for u in umpan_balik if u.perilaku == kode],
        }
        for kode, label, panduan in BERAKHLAK
    ]
    periodik = list(
        Evaluasi.objects.filter(
            pegawai_id=ev.pegawai_id, periode_id=ev.periode_id, jenis=Jenis.PERIODIK
        )
        .select_related("pejabat_penilai")
        .order_by("urutan", "mulai", "id")
    )
    ko = kinerja_organisasi_untuk(ev.pegawai.unit_kerja_id, ev.periode, w)
    return {
        "w": w,
        "baris": baris,
        "perilaku": perilaku,
        "umpan_balik": umpan_balik,
        "umpan_balik_tugas": sum(1 for u in umpan_balik if u.hubungan == "pemberi_tugas"),
        "periodik": [
            {"label": jendela.dari_jenis(ev.periode, p.jenis, p.urutan).label, "ev": p}
            for p in periodik
        ],
        # Every SKP of the year (a change of penilai closes one and starts another).
        "skp_tahun": skp_tahun(ev.pegawai_id, ev.periode_id),
        "ko": ko,
        "kepala_unit": kepala_unit(ev.pegawai),
    }


# --- follow-up ------------------------------------------------------------------------------
def tindak_lanjut(periode: Periode) -> dict[str, Any]:
    """Talent pool, development priority, the nine-box, sanction candidates and cases."""
    tahun = periode.tahun
    final = Evaluasi.objects.filter(
        pegawai__instansi_id=periode.instansi_id,
        periode__tahun__in=[tahun, tahun - 1],
        jenis=Jenis.TAHUNAN,
        status=Evaluasi.Status.FINAL,
    ).order_by()
    # The results as plain values and each pegawai once, with only what the page shows: an
    # instansi of 7,000 read as evaluation + pegawai + jabatan + unit + periode objects cost
    # seconds per request (bench/temuan.md).
    hasil: dict[int, dict[int, str]] = defaultdict(dict)
    for pid, th, pred in final.values_list("pegawai_id", "periode__tahun", "predikat"):
        hasil[pid][th] = pred
    pegawai: dict[int, Pegawai] = {
        p.pk: p
        for p in Pegawai.objects.filter(pk__in=final.values("pegawai_id"))
        .select_related("unit_kerja")
        .only("pk", "nama", "nip", "instansi_id", "unit_kerja__nama", "unit_kerja__instansi_id")
        .order_by("nama", "pk")
    }
    riwayat: dict[int, dict[int, str]] = {pid: hasil[pid] for pid in pegawai}
    talent, pengembangan = [], []
    for pid, r in riwayat.items():
        hasil = rules.penghargaan(r, tahun)
        row = {"pegawai": pegawai[pid], "ini": r.get(tahun), "lalu": r.get(tahun - 1)}
        if hasil == rules.TALENT_POOL:
            talent.append(row)
        elif hasil == rules.PENGEMBANGAN:
            pengembangan.append(row)
    potensi = dict(
        Potensi.objects.filter(pegawai__instansi_id=periode.instansi_id, tahun=tahun).values_list(
            "pegawai_id", "potensi"
        )
    )
    kotak: dict[int, dict] = {}
    for (pot, kin), k in rules.KOTAK.items():
        kotak[k.nomor] = {"kotak": k, "potensi": pot, "kinerja": kin, "pegawai": []}
    tanpa_potensi = []
    # One row per pegawai with a final annual result in either year: the follow-up list.
    baris: dict[int, dict[str, Any]] = {
        pid: {
            "pegawai": pegawai[pid],
            "ini": r.get(tahun, ""),
            "lalu": r.get(tahun - 1, ""),
            "penghargaan": rules.penghargaan(r, tahun) or "",
            "potensi": potensi.get(pid, ""),
            "kotak": None,
            "sanksi": "",
        }
        for pid, r in riwayat.items()
    }
    for pid, r in riwayat.items():
        pred = r.get(tahun)
        if not pred:
            continue
        pot = potensi.get(pid)
        if not pot:
            tanpa_potensi.append(pegawai[pid])
            continue
        k = rules.kotak_talenta(pred, pot)
        kotak[k.nomor]["pegawai"].append(pegawai[pid])
        baris[pid]["kotak"] = k.nomor
    grid = [
        [
            kotak[rules.KOTAK[(pot, kin)].nomor]
            for kin in (rules.DIBAWAH, rules.SESUAI, rules.DIATAS)
        ]
        for pot in (rules.TINGGI, rules.MENENGAH, rules.RENDAH)
    ]
    kasus = list(
        KasusSanksi.objects.filter(pegawai__instansi_id=periode.instansi_id)
        .select_related("pegawai__jabatan", "periode")
        .prefetch_related(
            Prefetch(
                "langkah_set",
                queryset=LangkahSanksi.objects.select_related("diputuskan_oleh").order_by(
                    "diputuskan_pada", "id"
                ),
            )
        )
    )
    terbuka = {k.pegawai_id for k in kasus if k.status == KasusSanksi.Status.TERBUKA}
    for pid in terbuka & baris.keys():
        baris[pid]["sanksi"] = "kasus terbuka"
    for pid, r in riwayat.items():
        if r.get(tahun) in rules.PERLU_SANKSI and pid not in terbuka:
            baris[pid]["sanksi"] = "calon"
    kandidat = [
        {"pegawai": pegawai[pid], "predikat": r.get(tahun)}
        for pid, r in riwayat.items()
        if r.get(tahun) in rules.PERLU_SANKSI and pid not in terbuka
    ]
    tabel: dict[str, dict[str, str]] = defaultdict(dict)
    for t in TabelTindakLanjut.objects.filter(instansi_id=periode.instansi_id):
        tabel[t.jenis][t.predikat] = t.nilai
    tabel_rows = [
        {
            "jenis": jenis,
            "label": label,
            "isi": [(p, rules.PREDIKAT_LABEL[p], tabel[jenis].get(p, "")) for p in rules.PREDIKAT],
            "kosong": not tabel[jenis],
        }
        for jenis, label in TabelTindakLanjut.Jenis.choices
    ]
    return {
        "talent_pool": talent,
        "pengembangan": pengembangan,
        "grid": grid,
        "tanpa_potensi": tanpa_potensi,
        "kasus": kasus,
        "kandidat_sanksi": kandidat,
        "tabel": tabel_rows,
        "baris": list(baris.values()),
    }


# --- keberatan ------------------------------------------------------------------------------
def _keberatan_qs():
    from evaluasi.models import Keberatan

    return Keberatan.objects.select_related(
        "evaluasi__periode",
        "pegawai__instansi",
        "pegawai__unit_kerja",
        "pejabat_penilai",
        "pemutus",
        "diputus_oleh",
    )


def keberatan_untuk(user: Any, pk: Any):
    """One keberatan through the policy (404 for whoever may not see it)."""
    return policy.get_for_user(user, _keberatan_qs(), pk=pk)


def keberatan_evaluasi(user: Any, ev: Evaluasi, sekarang: Any = None) -> dict[str, Any]:
    """What an evaluation's page says about keberatan: the latest one on it the user may see,
    and, for the pegawai themself, whether they may file one now and until when."""
    from django.utils import timezone

    sekarang = sekarang or timezone.now()
    k = policy.scope(user, _keberatan_qs().filter(evaluasi=ev)).order_by("-diajukan", "-id").first()
    batas = (
        rules.batas_keberatan(ev.finalisasi_pada) if ev.is_final and ev.finalisasi_pada else None
    )
    milik = policy.actor(user).pegawai_id == ev.pegawai_id
    # A decided keberatan on this very result is final; a reopened and re-finalised evaluation
    # is a new result with its own window.
    selesai = k is not None and (k.terbuka or k.finalisasi_pada == ev.finalisasi_pada)
    dibuka = bool(milik and batas and rules.keberatan_masih_dibuka(ev.finalisasi_pada, sekarang))
    return {
        "keberatan": k,
        "milik": milik,
        "batas": batas,
        "batas_label": waktu_label(batas) if batas else "",
        "sisa_hari": rules.sisa_hari(batas, sekarang) if batas else 0,
        "sisa_label": rules.sisa_label(batas, sekarang) if batas else "",
        "bisa_ajukan": dibuka and not selesai,
        "lewat": bool(milik and batas and sekarang > batas),
    }


def waktu_label(t: Any) -> str:
    from django.utils import timezone

    return rules.waktu_label(timezone.localtime(t), timezone.get_current_timezone_name())


def keberatan_daftar(user: Any, *, semua: bool = False):
    """The keberatan the user may see (open ones unless `semua`), newest deadline first, with
    whether an explanation is awaited from each party. Fixed query count: annotations only."""
    from evaluasi.models import Keberatan, PenjelasanKeberatan

    def menunggu(kepada: str):
        return Exists(
            PenjelasanKeberatan.objects.filter(
                keberatan=OuterRef("pk"),
                jenis=PenjelasanKeberatan.Jenis.PERMINTAAN,
                kepada=kepada,
                jawaban_set__isnull=True,
            )
        )

    qs = policy.scope(user, _keberatan_qs()).annotate(
        menunggu_pegawai=menunggu("pegawai"), menunggu_penilai=menunggu("pejabat_penilai")
    )
    if not semua:
        qs = qs.exclude(status=Keberatan.Status.DIPUTUS)
    return qs.order_by("status", "batas_putusan", "pk")


def keberatan_terbuka(periode: Periode) -> list:
    """Open keberatan on the period's evaluations (the year-end close lists them)."""
    from evaluasi.models import Keberatan

    return list(
        _keberatan_qs()
        .filter(evaluasi__periode=periode)
        .exclude(status=Keberatan.Status.DIPUTUS)
        .order_by("batas_putusan", "pk")
    )


def keberatan_terakhir(user: Any, evaluasi_ids: list[int]) -> dict[int, Any]:
    """evaluasi id -> its latest keberatan the user may see (one query for a whole list)."""
    out: dict[int, Any] = {}
    if not evaluasi_ids:
        return out
    for k in (
        policy.scope(user, _keberatan_qs())
        .filter(evaluasi_id__in=evaluasi_ids)
        .order_by("evaluasi_id", "diajukan", "pk")
    ):
        out[k.evaluasi_id] = k
    return out
