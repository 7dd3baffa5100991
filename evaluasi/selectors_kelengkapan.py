"""The year-end completeness report the BKD admin chases before the close (a noun of its own,
split from evaluasi.selectors, which re-exports it)."""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.db.models import Exists, OuterRef

from evaluasi.models import Jenis, KinerjaOrganisasi
from kinerja.models import Pegawai, Periode, UnitKerja


# --- year-end completeness ------------------------------------------------------------------
def kelengkapan(periode: Periode) -> dict[str, Any]:
    """Who has no approved SKP, who has no final annual evaluation, which units have no annual
    kinerja organisasi, and which results are under an open keberatan.

    A year counts the pegawai who belonged to the instansi in that year: who held a position
    (RiwayatJabatan) or was rated by someone (MasaPenilai) on a day of it, not whoever is on the
    staff list today (a 2025 report never lists someone who joined in 2026). A pegawai whose
    annual evaluation is final is not chased for the SKP it was rated on."""
    from evaluasi.selectors import keberatan_terbuka  # that module re-exports this one

    jumlah, rows = _kelengkapan_pegawai(periode)
    units = UnitKerja.objects.filter(instansi_id=periode.instansi_id)
    jumlah_unit = units.count()
    unit_tanpa_ko = list(
        units.exclude(
            Exists(
                KinerjaOrganisasi.objects.filter(
                    unit_kerja=OuterRef("pk"), periode=periode, jenis=Jenis.TAHUNAN
                )
            )
        )
        .only("nama")
        .order_by("nama")
    )
    return {
        "jumlah_pegawai": jumlah,
        "tanpa_skp": [p for p in rows if not p.skp_ok],
        "tanpa_evaluasi": rows,
        "unit_tanpa_ko": unit_tanpa_ko,
        "jumlah_unit": jumlah_unit,
        # A result under objection may still change (and its document with it).
        "keberatan_terbuka": keberatan_terbuka(periode),
    }


def _kelengkapan_pegawai(periode: Periode) -> tuple[int, list[Pegawai]]:
    """(how many pegawai belonged to the instansi in the year, those of them without a final
    annual evaluation, each with `skp_ok`, its unit and its penilai), in one statement.

    Hand-written: the ORM's `Exists(...) | Exists(...)` became hashed subplans reading all of
    the province's MasaPenilai and a hash of all 100,000 pegawai for a few hundred names (0.5 s
    at 100k, and ~0.4 s of Python for 7,000 model objects). Here the dated records are probed
    per pegawai of the instansi, the count comes with the rows, and names are looked up only
    for the rows listed. tests/evaluasi/test_kelengkapan.py compares it with the ORM reading."""
    import datetime as dt

    from evaluasi.models import Evaluasi
    from kinerja.models import MasaPenilai, RiwayatJabatan
    from skp.models import SKP

    q = connection.ops.quote_name
    peg, unit = q(Pegawai._meta.db_table), q(UnitKerja._meta.db_table)
    masa, riwayat = q(MasaPenilai._meta.db_table), q(RiwayatJabatan._meta.db_table)
    ev, skp = q(Evaluasi._meta.db_table), q(SKP._meta.db_table)
    materialized = "MATERIALIZED " if connection.vendor == "postgresql" else ""

    def dalam_tahun(tabel: str) -> str:
        # A scalar probe, not EXISTS: PostgreSQL turns an EXISTS under OR into a hashed subplan
        # over the whole table.
        return (
            f"(SELECT 1 FROM {tabel} d WHERE d.pegawai_id = p.id AND d.mulai <= %(akhir)s "
            "AND (d.selesai IS NULL OR d.selesai >= %(awal)s) LIMIT 1) IS NOT NULL"
        )

    sql = (
        f"WITH kand AS {materialized}("
        "SELECT p.id, p.nama, p.unit_kerja_id, p.pejabat_penilai_id, "
        f"EXISTS (SELECT 1 FROM {ev} e WHERE e.pegawai_id = p.id AND e.periode_id = %(periode)s "
        "AND e.jenis = %(tahunan)s AND e.status = %(final)s) AS ev_ok "
        f"FROM {peg} p WHERE p.instansi_id = %(instansi)s AND p.status <> %(berhenti)s "
        f"AND p.jenis_asn <> %(pejabat_negara)s AND ({dalam_tahun(masa)} "
        f"OR {dalam_tahun(riwayat)})), "
        "kurang AS (SELECT k.id, k.nama, k.unit_kerja_id, k.pejabat_penilai_id, "
        f"(SELECT u.nama FROM {unit} u WHERE u.id = k.unit_kerja_id) AS unit_nama, "
        f"(SELECT t.nama FROM {peg} t WHERE t.id = k.pejabat_penilai_id) AS penilai_nama, "
        f"EXISTS (SELECT 1 FROM {skp} v WHERE v.pegawai_id = k.id "
        "AND v.periode_id = %(periode)s AND v.status = %(disetujui)s) AS skp_ok "
        "FROM kand k WHERE NOT k.ev_ok) "
        "SELECT (SELECT COUNT(*) FROM kand), kurang.id, kurang.nama, kurang.unit_kerja_id, "
        "kurang.unit_nama, kurang.pejabat_penilai_id, kurang.penilai_nama, kurang.skp_ok "
        # One row even when nobody is missing: it carries the count.
        "FROM (SELECT 1 AS satu) s LEFT JOIN kurang ON 1 = 1 "
        "ORDER BY kurang.unit_nama, kurang.nama, kurang.id"
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
    }
    # Not prepared: a generic plan for one instansi's thousands and another's hundreds
    # would fit neither (the distribution page's statements measured slower prepared).
    with connection.cursor() as cur:
        cur.execute(sql, params)
        fetched = cur.fetchall()
    jumlah = fetched[0][0] if fetched else 0
    rows = []
    for _n, pk, nama, unit_id, unit_nama, penilai_id, penilai_nama, skp_ok in fetched:
        if pk is None:
            continue
        p = Pegawai(id=pk, nama=nama, unit_kerja_id=unit_id, pejabat_penilai_id=penilai_id)
        p._state.adding, p._state.db = False, connection.alias
        # What the page shows of them, as select_related would have set it.
        p.unit_kerja = UnitKerja(id=unit_id, nama=unit_nama) if unit_id else None
        p.pejabat_penilai = Pegawai(id=penilai_id, nama=penilai_nama) if penilai_id else None
        p.skp_ok = bool(skp_ok)
        rows.append(p)
    return jumlah, rows
