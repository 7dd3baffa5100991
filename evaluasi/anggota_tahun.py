"""Who belonged to an instansi in a year, kept by the database (`evaluasi_anggotatahun`), so the
completeness page does not probe the dated records of an instansi's 7,000 pegawai on every
request (bench/temuan.md, "Putaran kedua belas": 6,975 index probes into MasaPenilai, ±19 ms of
PostgreSQL CPU of the page's ±19 ms statement at 100,000 pegawai).

What is kept is what `selectors_kelengkapan` counted: a pegawai belongs to their instansi *now*
in year Y when they are not berhenti, not a pejabat negara, and held a position (RiwayatJabatan)
or were rated by someone (MasaPenilai) on a day of Y. One row per pegawai and span of years
(`dari`..`sampai`, the years of a record's first and last day; 9999 while open) with how many
records have that span (`n`), and the pegawai's instansi when they count (NULL when berhenti or
a pejabat negara). A record's span covers Y exactly when the record has a day in Y, so "a row of
the instansi with dari <= Y <= sampai" is the old probe's answer.

The records are written by many paths (mutasi, restrukturisasi, penilai_refresh, the SIASN sync,
the admin, the import, bulk updates), so the rows are kept like an index: statement triggers on
kinerja_masapenilai, kinerja_riwayatjabatan and kinerja_pegawai, in the writing statement's own
transaction. A record's change is `n = n + delta` on its span (INSERT ... ON CONFLICT takes the
row lock: concurrent records lose nothing) with the pegawai's instansi read FOR SHARE, so a move
or a status change of that pegawai committing at the same time waits for it or is waited for
(and its trigger then sees the span: READ COMMITTED, each statement sees what committed before
it). A pegawai's move, leaving, or status change rewrites the instansi of their spans; a deleted
pegawai's spans go with their records (deleted first, by Django's cascade: the foreign keys
have no ON DELETE in the database); a TRUNCATE of any of the three tables rebuilds all (the test suite's flush).

PostgreSQL only; on SQLite (`make run`) the page probes the records as before. `bangun_ulang`
rebuilds the rows from the records (the repair path, and the bench generator, which writes with
triggers off); `selisih` compares them.
"""

from __future__ import annotations

from django.db import connection, transaction

TABEL = "evaluasi_anggotatahun"

# `sampai` of a record still open (no last day): every year from `dari` on.
BUKA = 9999

# The pegawai's instansi when they count in the report (kinerja.models.Pegawai: status
# "berhenti", jenis_asn "pejabat_negara" never count), NULL otherwise.
_INSTANSI = (
    "CASE WHEN {p}.status <> 'berhenti' AND {p}.jenis_asn <> 'pejabat_negara' "
    "THEN {p}.instansi_id END"
)

# A record's span of years.
_RENTANG = (
    "EXTRACT(YEAR FROM mulai)::integer AS dari, "
    f"COALESCE(EXTRACT(YEAR FROM selesai)::integer, {BUKA}) AS sampai"
)

# The deltas `d (pegawai_id, mulai, selesai, n)` applied in key order (two transactions changing
# the same spans lock them in the same order), the pegawai FOR SHARE in id order; then the
# spans no record has any more go.
_TERAPKAN = f"""
    , s AS (
        SELECT pegawai_id, {_RENTANG}, SUM(n) AS n FROM d
        GROUP BY 1, 2, 3 HAVING SUM(n) <> 0
    ), p AS (
        SELECT p.id, {_INSTANSI.format(p="p")} AS instansi_id FROM kinerja_pegawai p
        WHERE p.id IN (SELECT pegawai_id FROM s) ORDER BY p.id FOR SHARE
    )
    INSERT INTO {TABEL} (pegawai_id, dari, sampai, instansi_id, n)
    SELECT s.pegawai_id, s.dari, s.sampai, p.instansi_id, s.n FROM s JOIN p ON p.id = s.pegawai_id
    ORDER BY 1, 2, 3
    ON CONFLICT (pegawai_id, dari, sampai) DO UPDATE
    SET n = {TABEL}.n + EXCLUDED.n, instansi_id = EXCLUDED.instansi_id;
"""

_NOL = f"DELETE FROM {TABEL} a WHERE a.pegawai_id IN ({{t}}) AND a.n <= 0;"

# The spans as they are now, from the records (what the triggers keep).
_SEGAR = f"""
SELECT m.pegawai_id, m.dari, m.sampai, {_INSTANSI.format(p="p")}, COUNT(*)
FROM (
    SELECT pegawai_id, {_RENTANG} FROM kinerja_masapenilai
    UNION ALL SELECT pegawai_id, {_RENTANG} FROM kinerja_riwayatjabatan
) m JOIN kinerja_pegawai p ON p.id = m.pegawai_id
GROUP BY 1, 2, 3, 4
"""

TABEL_SQL = f"""
CREATE TABLE {TABEL} (
    pegawai_id integer NOT NULL,
    dari integer NOT NULL,
    sampai integer NOT NULL,
    instansi_id integer,
    n integer NOT NULL,
    PRIMARY KEY (pegawai_id, dari, sampai)
);
-- The page's read: an instansi's pegawai in id order (DISTINCT without a sort), index-only.
CREATE INDEX {TABEL}_instansi ON {TABEL} (instansi_id, pegawai_id) INCLUDE (dari, sampai)
    WHERE instansi_id IS NOT NULL;
"""

FUNGSI_SQL = f"""
CREATE OR REPLACE FUNCTION evaluasi_anggota_masa() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- Once per statement (a restructuring closes and opens thousands of records at once).
    IF TG_OP = 'INSERT' THEN
        WITH d AS (SELECT pegawai_id, mulai, selesai, 1 AS n FROM masa_baru){_TERAPKAN}
    ELSIF TG_OP = 'DELETE' THEN
        WITH d AS (SELECT pegawai_id, mulai, selesai, -1 AS n FROM masa_lama){_TERAPKAN}
        {_NOL.format(t="SELECT pegawai_id FROM masa_lama")}
    ELSE
        WITH d AS (
            SELECT pegawai_id, mulai, selesai, -1 AS n FROM masa_lama
            UNION ALL SELECT pegawai_id, mulai, selesai, 1 FROM masa_baru
        ){_TERAPKAN}
        {_NOL.format(t="SELECT pegawai_id FROM masa_lama UNION SELECT pegawai_id FROM masa_baru")}
    END IF;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION evaluasi_anggota_pegawai() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- Moved to another instansi, left, returned, became or stopped being a pejabat negara.
    UPDATE {TABEL} a SET instansi_id = m.instansi_id
    FROM (
        SELECT b.id, {_INSTANSI.format(p="b")} AS instansi_id
        FROM anggota_baru b JOIN anggota_lama l ON l.id = b.id
        WHERE ({_INSTANSI.format(p="l")}) IS DISTINCT FROM ({_INSTANSI.format(p="b")})
    ) m
    WHERE a.pegawai_id = m.id;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION evaluasi_anggota_kosong() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- A TRUNCATE (the test suite's flush, a restore): rebuilt from what is left.
    DELETE FROM {TABEL};
    INSERT INTO {TABEL} (pegawai_id, dari, sampai, instansi_id, n){_SEGAR};
    RETURN NULL;
END $$;
"""

_MASA = ("kinerja_masapenilai", "kinerja_riwayatjabatan")

PEMICU_SQL = (
    "".join(
        f"""
CREATE TRIGGER evaluasi_anggota_sisip AFTER INSERT ON {t}
    REFERENCING NEW TABLE AS masa_baru
    FOR EACH STATEMENT EXECUTE FUNCTION evaluasi_anggota_masa();
CREATE TRIGGER evaluasi_anggota_ubah AFTER UPDATE ON {t}
    REFERENCING OLD TABLE AS masa_lama NEW TABLE AS masa_baru
    FOR EACH STATEMENT EXECUTE FUNCTION evaluasi_anggota_masa();
CREATE TRIGGER evaluasi_anggota_hapus AFTER DELETE ON {t}
    REFERENCING OLD TABLE AS masa_lama
    FOR EACH STATEMENT EXECUTE FUNCTION evaluasi_anggota_masa();
CREATE TRIGGER evaluasi_anggota_kosong AFTER TRUNCATE ON {t}
    FOR EACH STATEMENT EXECUTE FUNCTION evaluasi_anggota_kosong();
"""
        for t in _MASA
    )
    + """
CREATE TRIGGER evaluasi_anggota_ubah AFTER UPDATE ON kinerja_pegawai
    REFERENCING OLD TABLE AS anggota_lama NEW TABLE AS anggota_baru
    FOR EACH STATEMENT EXECUTE FUNCTION evaluasi_anggota_pegawai();
CREATE TRIGGER evaluasi_anggota_kosong AFTER TRUNCATE ON kinerja_pegawai
    FOR EACH STATEMENT EXECUTE FUNCTION evaluasi_anggota_kosong();
"""
)

HAPUS_SQL = (
    "".join(
        f"DROP TRIGGER IF EXISTS evaluasi_anggota_{n} ON {t};\n"
        for t in (*_MASA, "kinerja_pegawai")
        for n in ("sisip", "ubah", "hapus", "kosong")
    )
    + """DROP FUNCTION IF EXISTS evaluasi_anggota_masa();
DROP FUNCTION IF EXISTS evaluasi_anggota_pegawai();
DROP FUNCTION IF EXISTS evaluasi_anggota_kosong();
"""
    + f"DROP TABLE IF EXISTS {TABEL};\n"
)

ISI_SQL = f"INSERT INTO {TABEL} (pegawai_id, dari, sampai, instansi_id, n){_SEGAR}"


def dipelihara(conn=None) -> bool:
    """Whether this database keeps the rows (PostgreSQL: the triggers of the migration)."""
    return (conn or connection).vendor == "postgresql"


def bangun_ulang() -> int:
    """Rebuild the kept rows from the records; returns the rows. Locks the table against the
    triggers meanwhile, so no change is counted twice or lost."""
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(f"LOCK TABLE {TABEL} IN EXCLUSIVE MODE")
        cur.execute(f"DELETE FROM {TABEL}")
        cur.execute(ISI_SQL)
        return cur.rowcount


def selisih() -> list[tuple]:
    """Spans whose kept row differs from a fresh one: (pegawai, dari, sampai, kept, fresh),
    each side (instansi, n) or None. Empty: all kept."""
    with connection.cursor() as cur:
        cur.execute(f"SELECT pegawai_id, dari, sampai, instansi_id, n FROM {TABEL}")
        simpan = {tuple(r[:3]): tuple(r[3:]) for r in cur.fetchall()}
        cur.execute(_SEGAR)
        segar = {tuple(r[:3]): tuple(r[3:]) for r in cur.fetchall()}
    return sorted(
        (*k, simpan.get(k), segar.get(k))
        for k in simpan.keys() | segar.keys()
        if simpan.get(k) != segar.get(k)
    )
