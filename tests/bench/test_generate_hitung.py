"""`manage.py bench --generate N` leaves data the pages can read as they are: the generator writes
with triggers off, so the command counts the kept predikat counts once afterwards (as the bench
run's ensure_data does). Without it the distribution page showed zeros for every unit."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.db import connection

from bench import generate as bench_generate
from evaluasi import anggota_tahun, hitung_predikat
from evaluasi.models import Evaluasi, HitungPredikat

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="generator skala memakai COPY PostgreSQL"
)


@pytest.mark.django_db(transaction=True)
def test_generate_command_leaves_the_kept_predikat_counts_built(monkeypatch):
    # The triggers-off path the command takes at scale (>= 5,000 pegawai), on a small run.
    asli = bench_generate.generate
    monkeypatch.setattr(bench_generate, "generate", lambda **kw: asli(fast=True, **kw))
    call_command("bench", generate=300, seed=7, stdout=io.StringIO(), stderr=io.StringIO())
    rated = Evaluasi.objects.exclude(predikat="").count()
    assert rated > 0
    kept = sorted(
        HitungPredikat.objects.values_list(
            "periode_id", "jenis", "urutan", "instansi_id", "unit_kerja_id", "predikat", "n"
        )
    )
    assert kept and sum(r[-1] for r in kept) > 0
    # What the command left equals a rebuild from the evaluations.
    hitung_predikat.bangun_ulang()
    again = sorted(
        HitungPredikat.objects.values_list(
            "periode_id", "jenis", "urutan", "instansi_id", "unit_kerja_id", "predikat", "n"
        )
    )
    assert kept == again


@pytest.mark.django_db(transaction=True)
def test_generate_command_leaves_who_belonged_built(monkeypatch):
    # The completeness page reads who belonged to an instansi in a year from a table PostgreSQL
    # keeps by trigger (evaluasi.anggota_tahun): written with triggers off, it must be built.
    asli = bench_generate.generate
    monkeypatch.setattr(bench_generate, "generate", lambda **kw: asli(fast=True, **kw))
    call_command("bench", generate=300, seed=7, stdout=io.StringIO(), stderr=io.StringIO())
    with connection.cursor() as c:
        c.execute(f"SELECT COUNT(*) FROM {anggota_tahun.TABEL}")
        kept = c.fetchone()[0]
    assert kept > 0
    assert anggota_tahun.selisih() == []
