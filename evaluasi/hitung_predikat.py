"""The rated evaluations per predikat kept per period, window, instansi and unit (`HitungPredikat`),
so the distribution page does not count an instansi's 7,000 evaluations on every request
(bench/temuan.md, "Putaran kedelapan": that count was 3.7-7.9 ms of PostgreSQL per request at
100,000 pegawai, most of the page's database time).

What is counted is what `selectors_distribusi._hitung` counts: evaluations with a predikat, by
the pegawai's instansi and unit *now*. So a count changes when an evaluation's predikat (or its
pegawai, period, window) changes and when a pegawai moves to another unit or instansi. Those rows
are written by a dozen paths (the evaluation services, the keberatan decision, mutasi,
restrukturisasi, the spreadsheet import, the SIASN sync, the admin, bulk updates and raw SQL), so
the counts are kept by the database, like an index: row triggers on evaluasi_evaluasi and
kinerja_pegawai, in the writing statement's own transaction. Concurrent writes lose nothing:
each change is `n = n + delta` on the counted row (INSERT ... ON CONFLICT DO UPDATE takes the row
lock); an evaluation's trigger reads its pegawai's unit FOR SHARE, so a move of that pegawai
committing at the same time either waits for it (and then moves the new count along: the
trigger's statements see what committed before them, READ COMMITTED) or is waited for (and the
evaluation is counted in the new unit). PostgreSQL only; on SQLite (`make run`) the selectors
count afresh. `bangun_ulang` rebuilds the rows from the evaluations (the repair path: `manage.py
hitung_predikat`, the bench generator that writes with triggers off); `selisih` compares them.
"""

from __future__ import annotations

from django.db import connection, transaction

TABEL = "evaluasi_hitungpredikat"

# The key of a counted evaluation: urutan and unit 0 when empty, so the unique key holds.
_KUNCI = "periode_id, jenis, urutan, instansi_id, unit_kerja_id, predikat"

# unit_kerja_id of the instansi's total (a unit's id is positive; 0: pegawai without a unit).
INSTANSI = -1

# Every change is applied as one INSERT of its deltas in key order: two transactions changing
# the same counts lock them in the same order (no deadlock between, e.g., a -> b and b -> a).
_TERAPKAN = f"""
    INSERT INTO {TABEL} ({_KUNCI}, n)
    SELECT {_KUNCI}, SUM(n) FROM d WHERE instansi_id IS NOT NULL AND predikat <> ''
    GROUP BY {_KUNCI} HAVING SUM(n) <> 0 ORDER BY {_KUNCI}
    ON CONFLICT ({_KUNCI}) DO UPDATE SET n = {TABEL}.n + EXCLUDED.n;
"""

FUNGSI_SQL = f"""
CREATE OR REPLACE FUNCTION evaluasi_hitung_evaluasi() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    o_periode integer; o_jenis text; o_urutan integer; o_predikat text := '';
    o_instansi integer; o_unit integer;
    n_periode integer; n_jenis text; n_urutan integer; n_predikat text := '';
    n_instansi integer; n_unit integer;
BEGIN
    -- The pegawai's unit FOR SHARE: a move of this pegawai in a concurrent transaction waits
    -- for this one, or this one for it (and then reads where it moved).
    IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.predikat <> '' THEN
        o_periode := OLD.periode_id; o_jenis := OLD.jenis; o_urutan := COALESCE(OLD.urutan, 0);
        o_predikat := OLD.predikat;
        SELECT p.instansi_id, COALESCE(p.unit_kerja_id, 0) INTO o_instansi, o_unit
        FROM kinerja_pegawai p WHERE p.id = OLD.pegawai_id FOR SHARE;
    END IF;
    IF TG_OP IN ('UPDATE', 'INSERT') AND NEW.predikat <> '' THEN
        n_periode := NEW.periode_id; n_jenis := NEW.jenis; n_urutan := COALESCE(NEW.urutan, 0);
        n_predikat := NEW.predikat;
        SELECT p.instansi_id, COALESCE(p.unit_kerja_id, 0) INTO n_instansi, n_unit
        FROM kinerja_pegawai p WHERE p.id = NEW.pegawai_id FOR SHARE;
    END IF;
    WITH d ({_KUNCI}, n) AS (VALUES
        (o_periode, o_jenis, o_urutan, o_instansi, o_unit, o_predikat, -1),
        (o_periode, o_jenis, o_urutan, o_instansi, {INSTANSI}, o_predikat, -1),
        (n_periode, n_jenis, n_urutan, n_instansi, n_unit, n_predikat, 1),
        (n_periode, n_jenis, n_urutan, n_instansi, {INSTANSI}, n_predikat, 1)
    ){_TERAPKAN}
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION evaluasi_hitung_pegawai() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- Once per statement: the moved pegawai's counted evaluations leave the old instansi and
    -- unit for the new ones (a move within the instansi leaves its total alone: its deltas sum
    -- to 0). A row trigger cost 1.7 ms per pegawai for a unit of 1,000 moved at once.
    WITH m AS (
        SELECT b.id, l.instansi_id AS o_instansi, COALESCE(l.unit_kerja_id, 0) AS o_unit,
               b.instansi_id AS n_instansi, COALESCE(b.unit_kerja_id, 0) AS n_unit
        FROM pindah_baru b JOIN pindah_lama l ON l.id = b.id
        WHERE l.instansi_id IS DISTINCT FROM b.instansi_id
           OR l.unit_kerja_id IS DISTINCT FROM b.unit_kerja_id
    ), e AS (
        SELECT m.*, v.periode_id, v.jenis, COALESCE(v.urutan, 0) AS urutan, v.predikat
        FROM m JOIN evaluasi_evaluasi v ON v.pegawai_id = m.id AND v.predikat <> ''
    ), d ({_KUNCI}, n) AS (
        SELECT periode_id, jenis, urutan, o_instansi, o_unit, predikat, -1 FROM e
        UNION ALL SELECT periode_id, jenis, urutan, o_instansi, {INSTANSI}, predikat, -1 FROM e
        UNION ALL SELECT periode_id, jenis, urutan, n_instansi, n_unit, predikat, 1 FROM e
        UNION ALL SELECT periode_id, jenis, urutan, n_instansi, {INSTANSI}, predikat, 1 FROM e
    ){_TERAPKAN}
    RETURN NULL;
END $$;
"""

PEMICU_SQL = """
CREATE TRIGGER evaluasi_hitung_sisip AFTER INSERT ON evaluasi_evaluasi
    FOR EACH ROW WHEN (NEW.predikat <> '') EXECUTE FUNCTION evaluasi_hitung_evaluasi();
CREATE TRIGGER evaluasi_hitung_ubah AFTER UPDATE ON evaluasi_evaluasi
    FOR EACH ROW WHEN (
        OLD.predikat IS DISTINCT FROM NEW.predikat
        OR (NEW.predikat <> '' AND (
            OLD.pegawai_id IS DISTINCT FROM NEW.pegawai_id
            OR OLD.periode_id IS DISTINCT FROM NEW.periode_id
            OR OLD.jenis IS DISTINCT FROM NEW.jenis
            OR OLD.urutan IS DISTINCT FROM NEW.urutan))
    ) EXECUTE FUNCTION evaluasi_hitung_evaluasi();
CREATE TRIGGER evaluasi_hitung_hapus AFTER DELETE ON evaluasi_evaluasi
    FOR EACH ROW WHEN (OLD.predikat <> '') EXECUTE FUNCTION evaluasi_hitung_evaluasi();
CREATE TRIGGER evaluasi_hitung_pindah AFTER UPDATE ON kinerja_pegawai
    REFERENCING OLD TABLE AS pindah_lama NEW TABLE AS pindah_baru
    FOR EACH STATEMENT EXECUTE FUNCTION evaluasi_hitung_pegawai();
"""

HAPUS_SQL = """
DROP TRIGGER IF EXISTS evaluasi_hitung_sisip ON evaluasi_evaluasi;
DROP TRIGGER IF EXISTS evaluasi_hitung_ubah ON evaluasi_evaluasi;
DROP TRIGGER IF EXISTS evaluasi_hitung_hapus ON evaluasi_evaluasi;
DROP TRIGGER IF EXISTS evaluasi_hitung_pindah ON kinerja_pegawai;
DROP FUNCTION IF EXISTS evaluasi_hitung_pegawai();
DROP FUNCTION IF EXISTS evaluasi_hitung_evaluasi();
"""

# The counts as they are now, from the evaluations (what the triggers keep).
_SEGAR = """
SELECT e.periode_id, e.jenis, COALESCE(e.urutan, 0), p.instansi_id,
       u.unit, e.predikat, COUNT(*)
FROM evaluasi_evaluasi e JOIN kinerja_pegawai p ON p.id = e.pegawai_id
CROSS JOIN LATERAL (VALUES (COALESCE(p.unit_kerja_id, 0)), ({instansi})) u (unit)
WHERE e.predikat <> '' {syarat}
GROUP BY 1, 2, 3, 4, 5, 6
"""


def dipelihara(conn=None) -> bool:
    """Whether this database keeps the counts (PostgreSQL: the triggers of migration 0011)."""
    return (conn or connection).vendor == "postgresql"


def bangun_ulang(periode_id: int | None = None) -> int:
    """Rebuild the kept counts (of one period, or all) from the evaluations; returns the rows.
    Locks the table against the triggers meanwhile, so no change is counted twice or lost."""
    syarat, params = ("AND e.periode_id = %s", [periode_id]) if periode_id else ("", [])
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(f"LOCK TABLE {TABEL} IN EXCLUSIVE MODE")
        if periode_id:
            cur.execute(f"DELETE FROM {TABEL} WHERE periode_id = %s", [periode_id])
        else:
            cur.execute(f"DELETE FROM {TABEL}")
        cur.execute(
            f"INSERT INTO {TABEL} ({_KUNCI}, n) {_SEGAR.format(syarat=syarat, instansi=INSTANSI)}",
            params,
        )
        return cur.rowcount


def selisih(periode_id: int | None = None) -> list[tuple]:
    """Keys whose kept count differs from a fresh count: (key..., kept, fresh). Empty: all kept."""
    syarat, params = ("AND e.periode_id = %s", [periode_id]) if periode_id else ("", [])
    dimana = "WHERE periode_id = %s" if periode_id else ""
    with connection.cursor() as cur:
        cur.execute(
            f"SELECT {_KUNCI}, n FROM {TABEL} {dimana}",
            [periode_id] if periode_id else [],
        )
        simpan = {tuple(r[:6]): r[6] for r in cur.fetchall() if r[6]}
        cur.execute(_SEGAR.format(syarat=syarat, instansi=INSTANSI), params)
        segar = {tuple(r[:6]): r[6] for r in cur.fetchall()}
    return sorted(
        (*k, simpan.get(k, 0), segar.get(k, 0))
        for k in simpan.keys() | segar.keys()
        if simpan.get(k, 0) != segar.get(k, 0)
    )
