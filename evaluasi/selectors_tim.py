"""The team evaluation page's data (`/evaluasi/tim/`) in one statement, as plain rows.

Every penilai opens this page in January, uncached once anything in their team changes. Until
"Putaran kedelapan" (bench/temuan.md) the page read its team with evaluations, its distribution
panel and its "as atasan" rows in three statements and built ±40 model instances from them
(`from_db`, a third of the page's own Python). Here the three are the branches of one
`UNION ALL`, each row tagged with its kind, run on the connection's prepared-statement cursor
(kinerja.db_siap), and the page gets small plain objects with only what it shows.

The reads are the same as the selectors they stand for (tests compare them):
- kind 0, the team: `selectors._tim_baris` (whom the penilai evaluates in the window, with the
  evaluation of the window by this penilai, approved SKP and feedback counts);
- kind 1-3, the distribution panel: `selectors_distribusi.distribusi_tim` (counts per predikat,
  the team's unit with its kinerja organisasi — `_unit_tim_sql`, the statement finalisation
  uses — and the team's justifications);
- kind 4, the "as atasan" rows: `selectors.evaluasi_sebagai_atasan`;
- kind 5, the instansi's periods: what `selectors.periode_dan_tahun` chooses from. The page
  chose its period from the periods this process read last (`periode_tebakan`); the view
  compares them with these and reads again when they differ.
Who "the penilai" is comes from the policy (`policy.actor`), as in those selectors.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import connection

from evaluasi import jendela, rules
from evaluasi.models import Evaluasi, JustifikasiDistribusi
from evaluasi.selectors import (  # noqa: F401 (views use st.pilih_periode)
    _atasan_ids,
    _tim_syarat,
    pilih_periode,
)
from evaluasi.selectors_distribusi import Distribusi, _dist, _jendela_sql, _unit_tim_sql
from kinerja.db_siap import kursor_siap

_STATUS = {k: str(v) for k, v in Evaluasi.Status.choices}
_FINAL = Evaluasi.Status.FINAL.value


class _Kosong(str):
    """A jabatan whose name is empty: shown as "" like the model (truthy), not as "-"."""

    def __bool__(self) -> bool:
        return True


_JABATAN_KOSONG = _Kosong("")


class PegawaiTim:
    """What the page, its search and its export show of a member (Pegawai's names)."""

    __slots__ = ("pk", "nama", "nip", "jabatan")

    def __init__(self, pk: int, nama: str, nip: str | None, jabatan: str | None):
        self.pk, self.nama, self.nip, self.jabatan = pk, nama, nip, jabatan

    @property
    def id(self) -> int:
        return self.pk

    def __str__(self) -> str:
        return f"{self.nama} ({self.nip})" if self.nip else self.nama


class EvaluasiTim:
    """What the page shows of an evaluation (Evaluasi's names, `get_status_display`)."""

    __slots__ = ("pk", "rating_hasil_kerja", "rating_perilaku_kerja", "predikat", "status")

    def __init__(self, pk: int, hasil: str, perilaku: str, predikat: str, status: str):
        self.pk, self.rating_hasil_kerja, self.rating_perilaku_kerja = pk, hasil, perilaku
        self.predikat, self.status = predikat, status

    @property
    def id(self) -> int:
        return self.pk

    @property
    def is_final(self) -> bool:
        return self.status == _FINAL

    def get_status_display(self) -> str:
        return _STATUS.get(self.status, self.status)


class _Nama:
    __slots__ = ("nama",)

    def __init__(self, nama: str):
        self.nama = nama


class AtasanTim(EvaluasiTim):
    """An evaluation of someone the user is atasan pejabat penilai of: who, by whom."""

    __slots__ = ("pegawai", "pejabat_penilai")

    def __init__(self, pk: int, pegawai: str, penilai: str | None, predikat: str, status: str):
        super().__init__(pk, "", "", predikat, status)
        self.pegawai = _Nama(pegawai)
        self.pejabat_penilai = _Nama(penilai) if penilai is not None else None


@dataclass(slots=True)
class JustifikasiTim:
    pk: int
    isi: str
    dibuat: Any


@dataclass(slots=True)
class HalamanTim:
    rows: list[dict]  # the team: {"pegawai", "evaluasi", "skp_disetujui", "umpan_balik", ...}
    dist: Distribusi
    atasan_rows: list[AtasanTim]
    periode_semua: tuple[PeriodeTim, ...] | None  # the instansi's periods, read with the rest


@dataclass(slots=True, frozen=True)
class PeriodeTim:
    """What the page uses of a Periode (its year tabs, windows and statement)."""

    pk: int
    instansi_id: int
    tahun: int
    frekuensi: str
    status: str

    @property
    def id(self) -> int:
        return self.pk


def _periode_sql(instansi_id: int) -> tuple[str, list]:
    """Kind 5: the instansi's periods (`selectors._periode_instansi`'s rows, newest first)."""
    from kinerja.models import Periode

    kolom = _pilih(5, s1="p.status", s3="p.id", i1="p.instansi_id", i2="p.tahun", t1="p.frekuensi")
    return (
        f"SELECT {kolom} FROM {connection.ops.quote_name(Periode._meta.db_table)} p "
        "WHERE p.instansi_id = %s",
        [instansi_id],
    )


def _periode_baris(rows: Any) -> tuple[PeriodeTim, ...]:
    """The periods of kind-5 rows, newest year first."""
    out = [PeriodeTim(r[4], r[11], r[12], r[5], r[1]) for r in rows]
    out.sort(key=lambda p: -p.tahun)
    return tuple(out)


# Per process, the periods each instansi had when last read: the page chooses its period and
# window from them and its one statement reads them again (kind 5) in the same snapshot as the
# rest; when they differ, the page is read again from the fresh periods (views.tim). A guess,
# never an answer: nothing is shown that the statement did not read.
_PERIODE: dict[int, tuple[PeriodeTim, ...]] = {}


def periode_tebakan(instansi_id: int) -> tuple[PeriodeTim, ...] | None:
    return _PERIODE.get(instansi_id)


def periode_instansi(instansi_id: int) -> tuple[PeriodeTim, ...]:
    """The instansi's periods, newest first: one statement (for the first page of a process,
    or when the guess was wrong)."""
    sql, params = _periode_sql(instansi_id)
    with kursor_siap() as cur:
        cur.execute(sql, params)
        semua = _periode_baris(cur.fetchall())
    _PERIODE[instansi_id] = semua
    return semua


# The union's columns: kind, three sort keys (text, text, time; then a number), six texts, four
# numbers and a flag. A branch names the ones it fills; the others are NULL.
_KOLOM = ("k", "s1", "s2", "ts", "s3", "t1", "t2", "t3", "t4", "t5", "t6")
_KOLOM += ("i1", "i2", "i3", "i4", "b1")


def _pilih(k: int, **isi: str) -> str:
    """The SELECT list of one branch of the union (the first one casts its NULLs)."""
    return ", ".join(str(k) if c == "k" else isi.get(c, "NULL") for c in _KOLOM)


def _tim_sql(penilai_id: int, periode: Any, w: jendela.Window) -> tuple[str, list]:
    """Kind 0: `selectors._tim_baris`, only the columns the page shows (and sorts by)."""
    from dialog.models import UmpanBalik
    from kinerja.models import Jabatan, Pegawai
    from skp.models import SKP

    q = connection.ops.quote_name
    pg = connection.vendor == "postgresql"
    peg = q(Pegawai._meta.db_table)
    ids_sql, ids_params, ub_sql, ub_params, ev_where, ev_params = _tim_syarat(
        penilai_id, periode, w
    )
    ev_kolom = "x.id, x.rating_hasil_kerja, x.rating_perilaku_kerja, x.predikat, x.status"
    ub, jab = q(UmpanBalik._meta.db_table), q(Jabatan._meta.db_table)
    kolom = _pilih(
        0,
        s1="p.nama",
        s2="CAST(NULL AS text)",
        ts="CAST(NULL AS timestamptz)",
        s3="p.id",
        t1="p.nip",
        t2="j.nama",
        t3="e.rating_hasil_kerja",
        t4="e.rating_perilaku_kerja",
        t5="e.predikat",
        t6="e.status",
        i1="j.id",
        i2="e.id",
        # PostgreSQL: both feedback counts from one pass over the person's rows (LATERAL below).
        i3="ub.n" if pg else f"(SELECT COUNT(*) FROM {ub} u WHERE {ub_sql})",
        i4="ub.t" if pg else f"(SELECT COUNT(*) FROM {ub} u WHERE {ub_sql} AND u.hubungan = %s)",
        b1=f"EXISTS (SELECT 1 FROM {q(SKP._meta.db_table)} v WHERE v.pegawai_id = p.id "
        "AND v.periode_id = %s AND v.status = %s)",
    )
    skp_params = [periode.pk, SKP.Status.DISETUJUI]
    if pg:
        # Fenced subquery and LATERALs, as in `_tim_baris` (the planner's join search). The two
        # feedback counts are one aggregate over the person's feedback rows (the mix adds them
        # all January), not two correlated subqueries each reading them (bench/temuan.md,
        # "Putaran kedua belas").
        dari = (
            f"(SELECT p.id, p.nama, p.nip, p.jabatan_id FROM {peg} p WHERE p.id IN ({ids_sql}) "
            f"AND p.id <> %s OFFSET 0) p LEFT JOIN LATERAL (SELECT j.id, j.nama FROM {jab} j "
            "WHERE j.id = p.jabatan_id OFFSET 0) j ON true "
            f"LEFT JOIN LATERAL (SELECT {ev_kolom} {ev_where}) e ON true "
            "LEFT JOIN LATERAL (SELECT COUNT(*) AS n, COUNT(*) FILTER (WHERE u.hubungan = %s) "
            f"AS t FROM {ub} u WHERE {ub_sql}) ub ON true"
        )
        return f"SELECT {kolom} FROM {dari}", [
            *skp_params,
            *ids_params,
            penilai_id,
            *ev_params,
            "pemberi_tugas",
            *ub_params,
        ]
    kolom_params = [*ub_params, *ub_params, "pemberi_tugas", *skp_params]
    dari = (
        f"{peg} p LEFT JOIN {jab} j ON j.id = p.jabatan_id LEFT JOIN "
        f"{q(Evaluasi._meta.db_table)} e ON e.id = (SELECT x.id {ev_where}) "
        f"WHERE p.id IN ({ids_sql}) AND p.id <> %s"
    )
    return f"SELECT {kolom} FROM {dari}", [*kolom_params, *ev_params, *ids_params, penilai_id]


def _distribusi_sql(penilai_id: int, periode: Any, w: jendela.Window) -> tuple[str, list]:
    """Kinds 1-3: `distribusi_tim`'s counts (a row per predikat), the team's unit with its
    kinerja organisasi (`_unit_tim_sql`, the one finalisation uses) and the justifications."""
    ev_sql, ev_params = _jendela_sql("e", periode, w)
    unit_sql, unit_params = _unit_tim_sql(penilai_id, periode, w)
    j_sql, j_params = _jendela_sql("j", periode, w)
    hitung = (
        f"SELECT {_pilih(1, t1='e.predikat', i1='COUNT(*)')} FROM {Evaluasi._meta.db_table} e "
        f"WHERE {ev_sql} AND e.predikat <> '' AND e.pejabat_penilai_id = %s GROUP BY e.predikat"
    )
    unit = f"SELECT {_pilih(2, t1='u.ko', i1='u.unit')} FROM ({unit_sql}) u"
    just = (
        f"SELECT {_pilih(3, ts='j.dibuat', s3='j.id', t1='j.isi')} "
        f"FROM {JustifikasiDistribusi._meta.db_table} j WHERE {j_sql} AND j.cakupan = %s "
        "AND j.pejabat_penilai_id = %s"
    )
    return f"{hitung} UNION ALL {unit} UNION ALL {just}", [
        *ev_params,
        penilai_id,
        *unit_params,
        *j_params,
        JustifikasiDistribusi.Cakupan.TIM,
        penilai_id,
    ]


def _atasan_sql(penilai_id: int, periode: Any, w: jendela.Window) -> tuple[str, list]:
    """Kind 4: `evaluasi_sebagai_atasan`, the names the page shows."""
    from kinerja.models import Pegawai

    q = connection.ops.quote_name
    ev, peg = q(Evaluasi._meta.db_table), q(Pegawai._meta.db_table)
    kolom = _pilih(
        4, s1="n.nama", s2="p.nama", s3="e.id", t1="e.predikat", t2="e.status", i1="n.id"
    )
    if connection.vendor == "postgresql":
        # The window's evaluations whose atasan is the user, and those of the people whose
        # atasan the user is (the ones the first part has not read): two index-driven parts,
        # each row read once. Not one scan with `atasan = x OR pegawai_id = ANY(ids)`: for most
        # instansi PostgreSQL planned that OR as a scan of the whole period (its index, the OR
        # as a filter: 11,000-13,000 rows thrown away, 3-15 ms for a head of an instansi),
        # the BitmapOr only where its estimates happened to favour it (bench/temuan.md,
        # "Putaran ketiga belas"). Here the second part goes from each person (the pegawai's
        # atasan index) to their evaluation of the window (evaluasi_rekap_pegawai: period,
        # jenis, pegawai), in a nested loop the fences keep under custom and generic plans.
        jendela_sql, jendela_params = _jendela_sql("e", periode, w)
        ev_kolom = "e.id, e.pegawai_id, e.pejabat_penilai_id, e.predikat, e.status"
        dari = (
            f"(SELECT {ev_kolom} FROM {ev} e WHERE {jendela_sql} "
            "AND e.atasan_pejabat_penilai_id = %s UNION ALL "
            f"SELECT {ev_kolom} FROM (SELECT y.id FROM {peg} y "
            "WHERE y.atasan_pejabat_penilai_id = %s OFFSET 0) y JOIN LATERAL "
            f"(SELECT {ev_kolom} FROM {ev} e WHERE e.pegawai_id = y.id AND {jendela_sql} "
            "AND e.atasan_pejabat_penilai_id IS DISTINCT FROM %s OFFSET 0) e ON true "
            f"OFFSET 0) e JOIN LATERAL (SELECT p.nama FROM {peg} p "
            "WHERE p.id = e.pegawai_id OFFSET 0) p ON true LEFT JOIN LATERAL "
            f"(SELECT n.id, n.nama FROM {peg} n WHERE n.id = e.pejabat_penilai_id OFFSET 0) n "
            "ON true"
        )
        return f"SELECT {kolom} FROM {dari}", [
            *jendela_params,
            penilai_id,
            penilai_id,
            *jendela_params,
            penilai_id,
        ]
    ids, ids_params = _atasan_ids(penilai_id, periode, w)  # as evaluasi_sebagai_atasan
    dari = (
        f"{ev} e JOIN {peg} p ON p.id = e.pegawai_id "
        f"LEFT JOIN {peg} n ON n.id = e.pejabat_penilai_id WHERE {ids}"
    )
    return f"SELECT {kolom} FROM {dari}", ids_params


# The statement and its parameters are a pure function of the penilai, the period and the
# window: built once per process (±0.2 ms of string work a request), the text shared by shape.
_SQL: dict[tuple, tuple[str, tuple]] = {}
_BENTUK: dict[str, str] = {}
_SQL_BATAS = 4096


def _sql(penilai_id: int, periode: Any, w: jendela.Window, kind5: bool) -> tuple[str, tuple]:
    key = (
        kind5,
        connection.vendor,
        penilai_id,
        periode.instansi_id,
        periode.pk,
        periode.tahun,
        periode.frekuensi,
        w.kode,
    )
    got = _SQL.get(key)
    if got is not None:
        return got
    parts = [f(penilai_id, periode, w) for f in (_tim_sql, _distribusi_sql, _atasan_sql)]
    if kind5:
        parts.append(_periode_sql(periode.instansi_id))
    # By kind, then each kind's own order: the team by name (p.nama, p.id), the justifications
    # newest first, the atasan rows by penilai, pegawai, id (NULLs as the database puts them).
    sql = " UNION ALL ".join(s for s, _ in parts) + " ORDER BY 1, 2, 3, 4 DESC, 5"
    sql = _BENTUK.setdefault(sql, sql)
    if len(_SQL) >= _SQL_BATAS:
        _SQL.clear()
    _SQL[key] = got = (sql, tuple(p for _, params in parts for p in params))
    return got


def halaman_tim(
    penilai_id: int, periode: Any, w: jendela.Window, *, periode_dibaca: bool = False
) -> HalamanTim:
    """The team page's data for the penilai `penilai_id` (the user's pegawai, from the policy)
    in window `w`, and the periods of the period's instansi (unless the caller has just read
    them: `periode_dibaca`): one statement."""
    sql, params = _sql(penilai_id, periode, w, not periode_dibaca)
    with kursor_siap() as cur:
        cur.execute(sql, params)
        hasil = cur.fetchall()
    rows, atasan, just, counts, ko, semua = [], [], [], {}, None, []
    sqlite = connection.vendor != "postgresql"
    for k, s1, s2, ts, s3, t1, t2, t3, t4, t5, t6, i1, i2, i3, i4, b1 in hasil:
        if k == 0:
            jabatan = None if i1 is None else (t2 or _JABATAN_KOSONG)
            rows.append(
                {
                    "pegawai": PegawaiTim(s3, s1, t1, jabatan),
                    "evaluasi": None if i2 is None else EvaluasiTim(i2, t3, t4, t5, t6),
                    "skp_disetujui": bool(b1),
                    "umpan_balik": i3,
                    "umpan_balik_tugas": i4,
                }
            )
        elif k == 1:
            counts[t1] = i1
        elif k == 2:
            ko = t1
        elif k == 3:
            if sqlite and isinstance(ts, str):
                ts = connection.ops.convert_datetimefield_value(ts, None, connection)
            just.append(JustifikasiTim(s3, t1, ts))
        elif k == 4:
            atasan.append(AtasanTim(s3, s2, s1 if i1 is not None else None, t1, t2))
        else:
            semua.append((k, s1, s2, ts, s3, t1, t2, t3, t4, t5, t6, i1, i2, i3, i4, b1))
    counts = {kode: counts[kode] for kode in rules.PREDIKAT if counts.get(kode)}
    dist = _dist("Tim yang saya nilai", counts, ko, just=just)
    periode_semua = None
    if not periode_dibaca:
        _PERIODE[periode.instansi_id] = periode_semua = _periode_baris(semua)
    return HalamanTim(rows, dist, atasan, periode_semua)
