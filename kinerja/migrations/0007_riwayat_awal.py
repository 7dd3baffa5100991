"""Existing pegawai have held their position, and their penilai, since records began (2022-01-01):
one open RiwayatJabatan per held position and one open MasaPenilai each."""

import datetime as dt

from django.db import migrations

MULAI = dt.date(2022, 1, 1)


def isi(apps, schema_editor):
    Pegawai = apps.get_model("kinerja", "Pegawai")
    RiwayatJabatan = apps.get_model("kinerja", "RiwayatJabatan")
    MasaPenilai = apps.get_model("kinerja", "MasaPenilai")
    riwayat, masa = [], []
    for p in Pegawai.objects.exclude(status="berhenti").values(
        "id", "jabatan_id", "unit_kerja_id", "plt_jabatan_id", "plt_jenis",
        "pejabat_penilai_id", "atasan_pejabat_penilai_id",
    ).iterator(chunk_size=5000):
        if p["jabatan_id"]:
            riwayat.append(RiwayatJabatan(pegawai_id=p["id"], jabatan_id=p["jabatan_id"],
                                          unit_kerja_id=p["unit_kerja_id"], jenis="definitif",
                                          mulai=MULAI))
        if p["plt_jabatan_id"]:
            riwayat.append(RiwayatJabatan(pegawai_id=p["id"], jabatan_id=p["plt_jabatan_id"],
                                          jenis=p["plt_jenis"] or "plt", mulai=MULAI))
        masa.append(MasaPenilai(pegawai_id=p["id"], pejabat_penilai_id=p["pejabat_penilai_id"],
                                atasan_pejabat_penilai_id=p["atasan_pejabat_penilai_id"],
                                mulai=MULAI))
    RiwayatJabatan.objects.bulk_create(riwayat, batch_size=5000)
    MasaPenilai.objects.bulk_create(masa, batch_size=5000)


class Migration(migrations.Migration):
    dependencies = [("kinerja", "0006_organisasi_dari_waktu_ke_waktu")]
    operations = [migrations.RunPython(isi, migrations.RunPython.noop)]
