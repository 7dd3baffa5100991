"""Search of the organisation pages at province size (14k units, 39k positions, 100k pegawai):
trigram indexes on UPPER(nama), the expression Django's `icontains` compiles to on PostgreSQL
(`UPPER("nama"::text) LIKE UPPER('%...%')`), so a search by any part of a name reads the index
instead of scanning the table. PostgreSQL only (pg_trgm); SQLite, the zero-setup default, scans.
"""

from django.db import migrations

INDEXES = {
    "pegawai_nama_trgm": "kinerja_pegawai",
    "unitkerja_nama_trgm": "kinerja_unitkerja",
    "jabatan_nama_trgm": "kinerja_jabatan",
}


def buat(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, table in INDEXES.items():
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin "
            f"((UPPER(nama::text)) gin_trgm_ops)"
        )


def hapus(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("kinerja", "0010_organisasi_dikelola")]
    operations = [migrations.RunPython(buat, hapus)]
