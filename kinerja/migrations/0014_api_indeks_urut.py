"""Two ordered reads of the uncached bench pages, served by an index in their own order
(bench/temuan.md, "Putaran kedua belas", api):

- `api_pegawai_daftar`: the pegawai API list (`/api/v1/pegawai/`, kinerja/api_base.HalamanJson)
  reads an instansi's pegawai by (nama, id) with the columns the list shows. With this index the
  page is an index-only scan that stops after its rows, whatever the plan: the statement is now
  prepared once per connection (kinerja.db_siap), and PostgreSQL's generic plan for
  `instansi_id = $1` without it sorted every pegawai of the instansi (6,976 rows, ±4 ms) rather
  than walk (instansi_id, nama) and fetch the heap.
- `api_unitkerja_urut`: the distribution page (evaluasi/distribusi_admin.py) numbers an
  instansi's units by (nama, id) for its page of 50; without it, a sort of all 663 units
  (±0.3 ms of the statement's ±1.1 ms).

PostgreSQL only (INCLUDE); SQLite, the zero-setup default, sorts as before. Not in the models'
Meta: plain indexes the ORM never names.
"""

from django.db import migrations

INDEXES = {
    "api_pegawai_daftar": (
        "kinerja_pegawai (instansi_id, nama, id) INCLUDE (nip, jenis_asn, golongan, jabatan_id, "
        "unit_kerja_id, status, pejabat_penilai_id, atasan_pejabat_penilai_id, diubah)"
    ),
    "api_unitkerja_urut": "kinerja_unitkerja (instansi_id, nama, id) INCLUDE (induk_id)",
}


def buat(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, definisi in INDEXES.items():
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {definisi}")


def hapus(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("kinerja", "0013_hak_akses_khusus")]
    operations = [migrations.RunPython(buat, hapus)]
