"""The year-end completeness report the BKD admin chases before the close (a noun of its own,
split from evaluasi.selectors, which re-exports it)."""

from __future__ import annotations

from typing import Any

from django.db import connection

from evaluasi import anggota_tahun
from evaluasi.models import Jenis, KinerjaOrganisasi
from kinerja.models import Pegawai, Periode, UnitKerja


class Kurang:
    """What the page shows of a pegawai without a final annual evaluation (a row of the
    statement, not a Pegawai: ±1,000 model objects with their unit and penilai were most of the
    page's Python at 7,000 pegawai, bench/temuan.md "Putaran kesebelas")."""

    __slots__ = ("pk", "nama", "unit_kerja_id", "unit_nama", "penilai_nama", "skp_ok")

    def __init__(self, pk, nama, unit_kerja_id, unit_nama, penilai_nama, skp_ok) -> None:
        self.pk, self.nama, self.unit_kerja_id = pk, nama, unit_kerja_id
        self.unit_nama, self.penilai_nama, self.skp_ok = unit_nama, penilai_nama, skp_ok

    def __repr__(self) -> str:
        return f"Kurang({self.pk}, {self.nama!r})"


class UnitTanpaKO:
    """A unit without its annual kinerja organisasi (what the page shows: its name)."""

    __slots__ = ("pk", "nama")

    def __init__(self, pk: int, nama: str) -> None:
        self.pk, self.nama = pk, nama

    def __str__(self) -> str:
        return self.nama


class Orang:
    """A pegawai named on the page (a keberatan's pegawai with their unit, or its pemutus)."""

    __slots__ = ("pk", "nama", "unit_kerja")

    def __init__(self, pk: int, nama: str, unit_kerja: UnitTanpaKO | None = None) -> None:
        self.pk, self.nama, self.unit_kerja = pk, nama, unit_kerja

    def __str__(self) -> str:
        return self.nama


class KeberatanTerbuka:
    """What the page shows of an open keberatan."""

    __slots__ = ("pk", "pegawai", "pemutus", "diajukan", "batas_putusan")

    def __init__(self, pk, pegawai, pemutus, diajukan, batas_putusan) -> None:
        self.pk, self.pegawai, self.pemutus = pk, pegawai, pemutus
        self.diajukan, self.batas_putusan = diajukan, batas_putusan


# --- year-end completeness ------------------------------------------------------------------
def kelengkapan(periode: Periode) -> dict[str, Any]:
    """Who has no approved SKP, who has no final annual evaluation, which units have no annual
    kinerja organisasi, and which results are under an open keberatan.

    A year counts the pegawai who belonged to the instansi in that year: who held a position
    (RiwayatJabatan) or was rated by someone (MasaPenilai) on a day of it, not whoever is on the
    staff list today (a 2025 report never lists someone who joined in 2026). A pegawai whose
    annual evaluation is final is not chased for the SKP it was rated on."""
    jumlah, rows, jumlah_unit, unit_tanpa_ko, ada_penutupan = _baca(periode)
    return {
        # Whether a PenutupanTahun of the year exists (the page reads it only then).
        "ada_penutupan": ada_penutupan,
        "jumlah_pegawai": jumlah,
        "tanpa_skp": [p for p in rows if not p.skp_ok],
        "tanpa_evaluasi": rows,
        "unit_tanpa_ko": unit_tanpa_ko,
        "jumlah_unit": jumlah_unit,
        # A result under objection may still change (and its document with it).
        "keberatan_terbuka": _keberatan_terbuka(periode),
    }


def _keberatan_terbuka(periode: Periode) -> list[KeberatanTerbuka]:
    """`selectors.keberatan_terbuka` as the page shows it (its pegawai with their unit, its
    pemutus), by the deadline: by hand, as the ORM's six select_related joins cost more Python
    to compile than the rest of the page's reads (bench/temuan.md "Putaran kesebelas")."""
    from evaluasi.models import Evaluasi, Keberatan

    q = connection.ops.quote_name
    peg, unit = q(Pegawai._meta.db_table), q(UnitKerja._meta.db_table)
    kb, ev = q(Keberatan._meta.db_table), q(Evaluasi._meta.db_table)
    sql = (
        "SELECT k.id, k.diajukan, k.batas_putusan, p.id, p.nama, u.id, u.nama, m.id, m.nama "
        f"FROM {kb} k JOIN {ev} e ON e.id = k.evaluasi_id JOIN {peg} p ON p.id = k.pegawai_id "
        f"LEFT JOIN {unit} u ON u.id = p.unit_kerja_id LEFT JOIN {peg} m ON m.id = k.pemutus_id "
        "WHERE e.periode_id = %s AND k.status <> %s ORDER BY k.batas_putusan, k.id"
    )
    with connection.cursor() as cur:
        cur.execute(sql, [periode.pk, Keberatan.Status.DIPUTUS])
        fetched = cur.fetchall()
    if connection.vendor != "postgresql":
        # SQLite's raw rows are naive UTC (the ORM's converters make them aware): shown as
        # local dates, they would be a day early in the evening (tests/evaluasi/
        # test_kelengkapan_halaman.py on SQLite after 16:00 UTC).
        fetched = [(r[0], _sadar(r[1]), _sadar(r[2]), *r[3:]) for r in fetched]
    return [
        KeberatanTerbuka(
            pk,
            Orang(p_id, p_nama, UnitTanpaKO(u_id, u_nama) if u_id is not None else None),
            Orang(m_id, m_nama) if m_id is not None else None,
            diajukan,
            batas,
        )
        for pk, diajukan, batas, p_id, p_nama, u_id, u_nama, m_id, m_nama in fetched
    ]


def _sadar(v):
    """A naive UTC datetime made aware when the project uses time zones."""
    import datetime as dt

    from django.conf import settings
    from django.utils import timezone

    if v is None or not settings.USE_TZ or not isinstance(v, dt.datetime):
        return v
    return timezone.make_aware(v, dt.UTC) if timezone.is_naive(v) else v


def _kelengkapan_pegawai(periode: Periode) -> tuple[int, list[Kurang]]:
    """(how many pegawai belonged to the instansi in the year, those of them without a final
    annual evaluation, each with `skp_ok`, its unit's and its penilai's names)."""
    jumlah, rows, _n, _u, _p = _baca(periode)
    return jumlah, rows


def _sql(periode: Periode) -> tuple[str, dict]:
    """The report's pegawai and units in one statement (`k` 0: the pegawai without a final
    annual evaluation, with the count of those who belonged; `k` 1: the units without an annual
    kinerja organisasi, with the instansi's unit count; `k` 2: the year's close, if any).

    Hand-written: the ORM's `Exists(...) | Exists(...)` became hashed subplans reading all of
    the province's MasaPenilai and a hash of all 100,000 pegawai for a few hundred names (0.5 s
    at 100k, and ~0.4 s of Python for 7,000 model objects). Here who belonged comes from the
    spans PostgreSQL keeps (evaluasi.anggota_tahun; on SQLite the dated records are probed per
    pegawai of the instansi), the count comes with the rows, and names and approved SKPs are
    looked up only for the rows listed (a probe per row, not a hash of the period's 7,000 SKPs).
    tests/evaluasi/test_kelengkapan.py compares it with the ORM reading."""
    import datetime as dt

    from evaluasi.models import Evaluasi, PenutupanTahun
    from kinerja.models import MasaPenilai, RiwayatJabatan
    from skp.models import SKP

    q = connection.ops.quote_name
    peg, unit = q(Pegawai._meta.db_table), q(UnitKerja._meta.db_table)
    masa, riwayat = q(MasaPenilai._meta.db_table), q(RiwayatJabatan._meta.db_table)
    ev, skp = q(Evaluasi._meta.db_table), q(SKP._meta.db_table)
    ko = q(KinerjaOrganisasi._meta.db_table)
    pen = q(PenutupanTahun._meta.db_table)
    materialized = "MATERIALIZED " if connection.vendor == "postgresql" else ""

    def ada(tabel: str, syarat: str) -> str:
        # A scalar probe, not EXISTS: PostgreSQL turns an EXISTS under OR into a hashed subplan
        # over the whole table.
        return f"(SELECT 1 FROM {tabel} d WHERE {syarat} LIMIT 1) IS NOT NULL"

    if anggota_tahun.dipelihara():
        # Who belonged, from the kept spans (evaluasi.anggota_tahun): an index-only range of
        # the instansi's rows in pegawai order, ±1 ms for 7,000 pegawai where probing each
        # pegawai's records cost ±17 ms (bench/temuan.md, "Putaran kedua belas"). Only the
        # pegawai listed (no final annual evaluation: a hashed anti-probe) are read.
        kand = (
            f"SELECT DISTINCT a.pegawai_id AS id FROM {anggota_tahun.TABEL} a "
            "WHERE a.instansi_id = %(instansi)s AND a.dari <= %(tahun)s "
            "AND a.sampai >= %(tahun)s"
        )
        tanpa_ev = (
            f"FROM kand k JOIN {peg} p ON p.id = k.id WHERE k.id NOT IN ("
            f"SELECT e.pegawai_id FROM {ev} e WHERE e.periode_id = %(periode)s "
            "AND e.jenis = %(tahunan)s AND e.status = %(final)s)"
        )
    else:
        dalam_tahun = (
            "d.pegawai_id = p.id AND d.mulai <= %(akhir)s "
            "AND (d.selesai IS NULL OR d.selesai >= %(awal)s)"
        )
        kand = (
            "SELECT p.id, p.nama, p.unit_kerja_id, p.pejabat_penilai_id, "
            f"EXISTS (SELECT 1 FROM {ev} e WHERE e.pegawai_id = p.id "
            "AND e.periode_id = %(periode)s "
            "AND e.jenis = %(tahunan)s AND e.status = %(final)s) AS ev_ok "
            f"FROM {peg} p WHERE p.instansi_id = %(instansi)s AND p.status <> %(berhenti)s "
            f"AND p.jenis_asn <> %(pejabat_negara)s AND ({ada(masa, dalam_tahun)} "
            f"OR {ada(riwayat, dalam_tahun)})"
        )
        tanpa_ev = "FROM kand p WHERE NOT p.ev_ok"
    sql = (
        f"WITH kand AS {materialized}({kand}), "
        "kurang AS (SELECT p.id, p.nama, p.unit_kerja_id, "
        f"(SELECT u.nama FROM {unit} u WHERE u.id = p.unit_kerja_id) AS unit_nama, "
        f"(SELECT t.nama FROM {peg} t WHERE t.id = p.pejabat_penilai_id) AS penilai_nama, "
        + ada(
            skp,
            "d.pegawai_id = p.id AND d.periode_id = %(periode)s AND d.status = %(disetujui)s",
        )
        + f" AS skp_ok {tanpa_ev}), "
        f"tanpa_ko AS (SELECT u.id, u.nama FROM {unit} u WHERE u.instansi_id = %(instansi)s "
        f"AND NOT EXISTS (SELECT 1 FROM {ko} o WHERE o.unit_kerja_id = u.id "
        "AND o.periode_id = %(periode)s AND o.jenis = %(tahunan)s)) "
        # One row of each kind even when nothing is missing: it carries the count.
        "SELECT 0 AS k, (SELECT COUNT(*) FROM kand) AS n, kurang.id, kurang.nama, "
        "kurang.unit_kerja_id, kurang.unit_nama AS o, kurang.penilai_nama, kurang.skp_ok "
        "FROM (SELECT 1 AS satu) s LEFT JOIN kurang ON 1 = 1 "
        "UNION ALL "
        f"SELECT 1, (SELECT COUNT(*) FROM {unit} x WHERE x.instansi_id = %(instansi)s), "
        "tanpa_ko.id, tanpa_ko.nama, NULL, tanpa_ko.nama, NULL, NULL "
        "FROM (SELECT 1 AS satu) s LEFT JOIN tanpa_ko ON 1 = 1 "
        # Whether the year has a close (the page then reads it with its job and archives).
        f"UNION ALL SELECT 2, NULL, c.id, NULL, NULL, NULL, NULL, NULL FROM {pen} c "
        "WHERE c.periode_id = %(periode)s "
        # The pegawai by unit name, name, id; the units by name (then id, for ties).
        "ORDER BY 1, 6, 4, 3"
    )
    params = {
        "awal": dt.date(periode.tahun, 1, 1),
        "akhir": dt.date(periode.tahun, 12, 31),
        "periode": periode.pk,
        "instansi": periode.instansi_id,
        "tahunan": Jenis.TAHUNAN,
        "final": Evaluasi.Status.FINAL,
        "berhenti": Pegawai.Status.BERHENTI,
        "pejabat_negara": Pegawai.JenisASN.PEJABAT_NEGARA,
        "disetujui": SKP.Status.DISETUJUI,
        "tahun": periode.tahun,
    }
    return sql, params


def _baca(periode: Periode) -> tuple[int, list[Kurang], int, list[UnitTanpaKO], bool]:
    """(pegawai count, those without a final annual evaluation, unit count, units without an
    annual kinerja organisasi, whether the year has a close): one statement."""
    sql, params = _sql(periode)
    # Not prepared: a generic plan for one instansi's thousands and another's hundreds
    # would fit neither (the distribution page's statements measured slower prepared).
    with connection.cursor() as cur:
        cur.execute(sql, params)
        fetched = cur.fetchall()
    jumlah = jumlah_unit = 0
    rows: list[Kurang] = []
    units: list[UnitTanpaKO] = []
    ada_penutupan = False
    for k, n, pk, nama, unit_id, unit_nama, penilai_nama, skp_ok in fetched:
        if k == 0:
            jumlah = n
            if pk is not None:
                rows.append(Kurang(pk, nama, unit_id, unit_nama, penilai_nama, bool(skp_ok)))
        elif k == 1:
            jumlah_unit = n
            if pk is not None:
                units.append(UnitTanpaKO(pk, nama))
        else:
            ada_penutupan = True
    return jumlah, rows, jumlah_unit, units, ada_penutupan
