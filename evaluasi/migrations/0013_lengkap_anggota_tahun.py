"""Who belonged to an instansi in a year, kept by PostgreSQL triggers (evaluasi.anggota_tahun):
the table, its triggers, and its rows from the records that exist. No model: only the
completeness page reads it, by hand; on SQLite nothing is created (the page probes the records).

The SQL as it stood when this migration was written, frozen here so that a later change to
evaluasi/anggota_tahun.py needs a migration of its own (tests/evaluasi/test_anggota_tahun.py
compares the module's SQL with this)."""

from django.db import migrations

TABEL_SQL = """
CREATE TABLE evaluasi_anggotatahun (
    pegawai_id integer NOT NULL,
    dari integer NOT NULL,
    sampai integer NOT NULL,
    instansi_id integer,
    n integer NOT NULL,
    PRIMARY KEY (pegawai_id, dari, sampai)
);
-- The page's read: an instansi's pegawai in id order (DISTINCT without a sort), index-only.
CREATE INDEX evaluasi_anggotatahun_instansi ON evaluasi_anggotatahun (instansi_id, pegawai_id) INCLUDE (dari, sampai)
    WHERE instansi_id IS NOT NULL;
"""

FUNGSI_SQL = """
CREATE OR REPLACE FUNCTION evaluasi_anggota_masa() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- Once per statement (a restructuring closes and opens thousands of records at once).
    IF TG_OP = 'INSERT' THEN
        WITH d AS (SELECT pegawai_id, mulai, selesai, 1 AS n FROM masa_baru)
    , s AS (
        SELECT pegawai_id, EXTRACT(YEAR FROM mulai)::integer AS dari, COALESCE(EXTRACT(YEAR FROM selesai)::integer, 9999) AS sampai, SUM(n) AS n FROM d
        GROUP BY 1, 2, 3 HAVING SUM(n) <> 0
    ), p AS (
        SELECT p.id, CASE WHEN p.status <> 'berhenti' AND p.jenis_asn <> 'pejabat_negara' THEN p.instansi_id END AS instansi_id FROM kinerja_pegawai p
        WHERE p.id IN (SELECT pegawai_id FROM s) ORDER BY p.id FOR SHARE
    )
    INSERT INTO evaluasi_anggotatahun (pegawai_id, dari, sampai, instansi_id, n)
    SELECT s.pegawai_id, s.dari, s.sampai, p.instansi_id, s.n FROM s JOIN p ON p.id = s.pegawai_id
    ORDER BY 1, 2, 3
    ON CONFLICT (pegawai_id, dari, sampai) DO UPDATE
    SET n = evaluasi_anggotatahun.n + EXCLUDED.n, instansi_id = EXCLUDED.instansi_id;

    ELSIF TG_OP = 'DELETE' THEN
        WITH d AS (SELECT pegawai_id, mulai, selesai, -1 AS n FROM masa_lama)
    , s AS (
        SELECT pegawai_id, EXTRACT(YEAR FROM mulai)::integer AS dari, COALESCE(EXTRACT(YEAR FROM selesai)::integer, 9999) AS sampai, SUM(n) AS n FROM d
        GROUP BY 1, 2, 3 HAVING SUM(n) <> 0
    ), p AS (
        SELECT p.id, CASE WHEN p.status <> 'berhenti' AND p.jenis_asn <> 'pejabat_negara' THEN p.instansi_id END AS instansi_id FROM kinerja_pegawai p
        WHERE p.id IN (SELECT pegawai_id FROM s) ORDER BY p.id FOR SHARE
    )
    INSERT INTO evaluasi_anggotatahun (pegawai_id, dari, sampai, instansi_id, n)
    SELECT s.pegawai_id, s.dari, s.sampai, p.instansi_id, s.n FROM s JOIN p ON p.id = s.pegawai_id
    ORDER BY 1, 2, 3
    ON CONFLICT (pegawai_id, dari, sampai) DO UPDATE
    SET n = evaluasi_anggotatahun.n + EXCLUDED.n, instansi_id = EXCLUDED.instansi_id;

        DELETE FROM evaluasi_anggotatahun a WHERE a.pegawai_id IN (SELECT pegawai_id FROM masa_lama) AND a.n <= 0;
    ELSE
        WITH d AS (
            SELECT pegawai_id, mulai, selesai, -1 AS n FROM masa_lama
            UNION ALL SELECT pegawai_id, mulai, selesai, 1 FROM masa_baru
        )
    , s AS (
        SELECT pegawai_id, EXTRACT(YEAR FROM mulai)::integer AS dari, COALESCE(EXTRACT(YEAR FROM selesai)::integer, 9999) AS sampai, SUM(n) AS n FROM d
        GROUP BY 1, 2, 3 HAVING SUM(n) <> 0
    ), p AS (
        SELECT p.id, CASE WHEN p.status <> 'berhenti' AND p.jenis_asn <> 'pejabat_negara' THEN p.instansi_id END AS instansi_id FROM kinerja_pegawai p
        WHERE p.id IN (SELECT pegawai_id FROM s) ORDER BY p.id FOR SHARE
    )
    INSERT INTO evaluasi_anggotatahun (pegawai_id, dari, sampai, instansi_id, n)
    SELECT s.pegawai_id, s.dari, s.sampai, p.instansi_id, s.n FROM s JOIN p ON p.id = s.pegawai_id
    ORDER BY 1, 2, 3
    ON CONFLICT (pegawai_id, dari, sampai) DO UPDATE
    SET n = evaluasi_anggotatahun.n + EXCLUDED.n, instansi_id = EXCLUDED.instansi_id;

        DELETE FROM evaluasi_anggotatahun a WHERE a.pegawai_id IN (SELECT pegawai_id FROM masa_lama UNION SELECT pegawai_id FROM masa_baru) AND a.n <= 0;
    END IF;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION evaluasi_anggota_pegawai() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- Moved to another instansi, left, returned, became or stopped being a pejabat negara.
    UPDATE evaluasi_anggotatahun a SET instansi_id = m.instansi_id
    FROM (
        SELECT b.id, CASE WHEN b.status <> 'berhenti' AND b.jenis_asn <> 'pejabat_negara' THEN b.instansi_id END AS instansi_id
        FROM anggota_baru b JOIN anggota_lama l ON l.id = b.id
        WHERE (CASE WHEN l.status <> 'berhenti' AND l.jenis_asn <> 'pejabat_negara' THEN l.instansi_id END) IS DISTINCT FROM (CASE WHEN b.status <> 'berhenti' AND b.jenis_asn <> 'pejabat_negara' THEN b.instansi_id END)
    ) m
    WHERE a.pegawai_id = m.id;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION evaluasi_anggota_kosong() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- A TRUNCATE (the test suite's flush, a restore): rebuilt from what is left.
    DELETE FROM evaluasi_anggotatahun;
    INSERT INTO evaluasi_anggotatahun (pegawai_id, dari, sampai, instansi_id, n)
SELECT m.pegawai_id, m.dari, m.sampai, CASE WHEN p.status <> 'berhenti' AND p.jenis_asn <> 'pejabat_negara' THEN p.instansi_id END, COUNT(*)
FROM (
    SELECT pegawai_id, EXTRACT(YEAR FROM mulai)::integer AS dari, COALESCE(EXTRACT(YEAR FROM selesai)::integer, 9999) AS sampai FROM kinerja_masapenilai
    UNION ALL SELECT pegawai_id, EXTRACT(YEAR FROM mulai)::integer AS dari, COALESCE(EXTRACT(YEAR FROM selesai)::integer, 9999) AS sampai FROM kinerja_riwayatjabatan
) m JOIN kinerja_pegawai p ON p.id = m.pegawai_id
GROUP BY 1, 2, 3, 4
;
    RETURN NULL;
END $$;
"""

PEMICU_SQL = """
CREATE TRIGGER evaluasi_anggota_sisip AFTER INSERT ON kinerja_masapenilai
    REFERENCING NEW TABLE AS masa_baru
    FOR EACH STATEMENT EXECUTE FUNCTION evaluasi_anggota_masa();
CREATE TRIGGER evaluasi_anggota_ubah AFTER UPDATE ON kinerja_masapenilai
    REFERENCING OLD TABLE AS masa_lama NEW TABLE AS masa_baru
    FOR EACH STATEMENT EXECUTE FUNCTION evaluasi_anggota_masa();
CREATE TRIGGER evaluasi_anggota_hapus AFTER DELETE ON kinerja_masapenilai
    REFERENCING OLD TABLE AS masa_lama
    FOR EACH STATEMENT EXECUTE FUNCTION evaluasi_anggota_masa();
CREATE TRIGGER evaluasi_anggota_kosong AFTER TRUNCATE ON kinerja_masapenilai
    FOR EACH STATEMENT EXECUTE FUNCTION evaluasi_anggota_kosong();

CREATE TRIGGER evaluasi_anggota_sisip AFTER INSERT ON kinerja_riwayatjabatan
    REFERENCING NEW TABLE AS masa_baru
    FOR EACH STATEMENT EXECUTE FUNCTION evaluasi_anggota_masa();
CREATE TRIGGER evaluasi_anggota_ubah AFTER UPDATE ON kinerja_riwayatjabatan
    REFERENCING OLD TABLE AS masa_lama NEW TABLE AS masa_baru
    FOR EACH STATEMENT EXECUTE FUNCTION evaluasi_anggota_masa();
CREATE TRIGGER evaluasi_anggota_hapus AFTER DELETE ON kinerja_riwayatjabatan
    REFERENCING OLD TABLE AS masa_lama
    FOR EACH STATEMENT EXECUTE FUNCTION evaluasi_anggota_masa();
CREATE TRIGGER evaluasi_anggota_kosong AFTER TRUNCATE ON kinerja_riwayatjabatan
    FOR EACH STATEMENT EXECUTE FUNCTION evaluasi_anggota_kosong();

CREATE TRIGGER evaluasi_anggota_ubah AFTER UPDATE ON kinerja_pegawai
    REFERENCING OLD TABLE AS anggota_lama NEW TABLE AS anggota_baru
    FOR EACH STATEMENT EXECUTE FUNCTION evaluasi_anggota_pegawai();
CREATE TRIGGER evaluasi_anggota_kosong AFTER TRUNCATE ON kinerja_pegawai
    FOR EACH STATEMENT EXECUTE FUNCTION evaluasi_anggota_kosong();
"""

ISI_SQL = """INSERT INTO evaluasi_anggotatahun (pegawai_id, dari, sampai, instansi_id, n)
SELECT m.pegawai_id, m.dari, m.sampai, CASE WHEN p.status <> 'berhenti' AND p.jenis_asn <> 'pejabat_negara' THEN p.instansi_id END, COUNT(*)
FROM (
    SELECT pegawai_id, EXTRACT(YEAR FROM mulai)::integer AS dari, COALESCE(EXTRACT(YEAR FROM selesai)::integer, 9999) AS sampai FROM kinerja_masapenilai
    UNION ALL SELECT pegawai_id, EXTRACT(YEAR FROM mulai)::integer AS dari, COALESCE(EXTRACT(YEAR FROM selesai)::integer, 9999) AS sampai FROM kinerja_riwayatjabatan
) m JOIN kinerja_pegawai p ON p.id = m.pegawai_id
GROUP BY 1, 2, 3, 4
"""

HAPUS_SQL = """DROP TRIGGER IF EXISTS evaluasi_anggota_sisip ON kinerja_masapenilai;
DROP TRIGGER IF EXISTS evaluasi_anggota_ubah ON kinerja_masapenilai;
DROP TRIGGER IF EXISTS evaluasi_anggota_hapus ON kinerja_masapenilai;
DROP TRIGGER IF EXISTS evaluasi_anggota_kosong ON kinerja_masapenilai;
DROP TRIGGER IF EXISTS evaluasi_anggota_sisip ON kinerja_riwayatjabatan;
DROP TRIGGER IF EXISTS evaluasi_anggota_ubah ON kinerja_riwayatjabatan;
DROP TRIGGER IF EXISTS evaluasi_anggota_hapus ON kinerja_riwayatjabatan;
DROP TRIGGER IF EXISTS evaluasi_anggota_kosong ON kinerja_riwayatjabatan;
DROP TRIGGER IF EXISTS evaluasi_anggota_sisip ON kinerja_pegawai;
DROP TRIGGER IF EXISTS evaluasi_anggota_ubah ON kinerja_pegawai;
DROP TRIGGER IF EXISTS evaluasi_anggota_hapus ON kinerja_pegawai;
DROP TRIGGER IF EXISTS evaluasi_anggota_kosong ON kinerja_pegawai;
DROP FUNCTION IF EXISTS evaluasi_anggota_masa();
DROP FUNCTION IF EXISTS evaluasi_anggota_pegawai();
DROP FUNCTION IF EXISTS evaluasi_anggota_kosong();
DROP TABLE IF EXISTS evaluasi_anggotatahun;
"""


def _postgresql(schema_editor) -> bool:
    return schema_editor.connection.vendor == "postgresql"


def pasang(apps, schema_editor):
    """PostgreSQL: the table, the triggers that keep it, then the rows of what exists."""
    if not _postgresql(schema_editor):
        return
    schema_editor.execute(TABEL_SQL)
    schema_editor.execute(FUNGSI_SQL)
    schema_editor.execute(PEMICU_SQL)
    schema_editor.execute(ISI_SQL)
    schema_editor.execute("ANALYZE evaluasi_anggotatahun")


def lepas(apps, schema_editor):
    if _postgresql(schema_editor):
        schema_editor.execute(HAPUS_SQL)


class Migration(migrations.Migration):
    dependencies = [
        ("evaluasi", "0012_evaluasi_indeks_tahunan_final"),
        ("kinerja", "0013_hak_akses_khusus"),
    ]

    operations = [migrations.RunPython(pasang, lepas)]
