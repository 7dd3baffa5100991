"""The restructuring bench row (bench/restrukturisasi.py) measures what it says: n pegawai
moved by one restructuring, previewed and applied, against the hand-written SQL; everything
rolled back. Small here (20 pegawai); `make bench` runs it with 1,000 on the 100k data."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.db import connection

from kinerja.models import Jabatan, Mutasi, Pegawai, Restrukturisasi

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="SQL tangan untuk PostgreSQL"),
]


def test_the_row_times_preview_apply_and_sql_and_leaves_the_data_as_found(org):
    from bench import restrukturisasi as bench_sotk

    pos = Jabatan.objects.create(
        unit_kerja=org.unit_bidang,
        nama="Pengadministrasi Umum",
        jenis="pelaksana",
        atasan=org.kasubbid.jabatan,
    )
    Pegawai.objects.bulk_create(
        [
            Pegawai(
                instansi=org.instansi_a,
                nama=f"Staf {i:02d}",
                jenis_asn="pejabat_negara",
                jabatan=pos,
                unit_kerja=org.unit_bidang,
            )
            for i in range(25)
        ]
    )
    before = (Mutasi.objects.count(), Restrukturisasi.objects.count())
    row = SimpleNamespace(kinerja="", limit="", ratio="", ok=False, note="")
    hasil = bench_sotk.ukur(
        row, instansi_id=org.instansi_a.pk, admin_user_id=org.admin_a.pk, n=20, ulang=1
    )
    assert hasil["pratinjau"] > 0 and hasil["terapkan"] > 0 and hasil["sql"] > 0
    assert row.kinerja.startswith("pratinjau ") and "SQL" in row.limit and row.ratio
    assert "20 pegawai dipindah" in row.note
    assert (Mutasi.objects.count(), Restrukturisasi.objects.count()) == before
