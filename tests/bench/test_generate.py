"""The scale generator works (counts per stage, who-rates-whom, determinism) at 1,000 pegawai.

These check that it works, not how fast: its speed is `make bench`'s business.
"""

from __future__ import annotations

import hashlib
import io

import pytest
from django.apps import apps
from django.db import connection, transaction

from bench.generate import generate
from kinerja.models import Instansi, Pegawai, Periode, TimKerja, UnitKerja, User
from kinerja.services import penilai_refresh

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="generator skala memakai COPY PostgreSQL"
)


class _Rollback(Exception):
    pass


def _snapshot() -> str:
    h = hashlib.sha256()
    for row in Pegawai.objects.order_by("nip", "nama").values_list(
        "nip",
        "nama",
        "jenis_asn",
        "golongan",
        "jabatan__nama",
        "unit_kerja__nama",
        "pejabat_penilai__nama",
        "atasan_pejabat_penilai__nama",
    ):
        h.update(repr(row).encode())
    for label, fields in [
        ("skp.SKP", ("pegawai__nip", "versi", "status", "terkini")),
        ("skp.RencanaHasilKerja", ("skp__pegawai__nip", "urutan", "rencana", "kunci")),
        ("dialog.UmpanBalik", ("penerima__nip", "pemberi__nip", "jenis", "dibuat")),
        ("dialog.Realisasi", ("pegawai__nip", "urutan", "rhk_kunci", "angka")),
    ]:
        try:
            model = apps.get_model(label)
        except LookupError:
            continue
        for row in model.objects.order_by(*fields).values_list(*fields):
            h.update(repr(row).encode())
    return h.hexdigest()


def generated_hari_ini():
    from django.utils import timezone

    return timezone.localdate()


@pytest.fixture
def generated(db):
    out = io.StringIO()
    result = generate(pegawai=1000, seed=11, out=out)
    result["output"] = out.getvalue()
    return result


def test_generator_builds_a_consistent_organisation_and_every_available_stage(generated):
    assert Pegawai.objects.count() == 1000
    assert Instansi.objects.count() >= 2
    assert UnitKerja.objects.count() > 50
    assert TimKerja.objects.filter(anggota__isnull=False).distinct().count() >= 2
    assert Periode.objects.count() == Instansi.objects.count()
    # every pegawai can log in (username = NIP) and every instansi has an admin BKD
    assert User.objects.filter(pegawai__isnull=False).count() == 1000
    assert User.objects.filter(admin_instansi__isnull=False).count() == Instansi.objects.count()
    assert "100%" in generated["output"]
    # the units the bench measures exist with the promised sizes
    assert Pegawai.objects.filter(unit_kerja_id=generated["big_unit_id"]).count() == 200
    assert Pegawai.objects.filter(pejabat_penilai_id=generated["small_team_leader"]).count() == 5
    assert Pegawai.objects.filter(pejabat_penilai_id=generated["big_team_leader"]).count() >= 90

    # penilai_refresh recomputes from positions: nothing to change means the stored derivation
    # written by COPY is the kernel's own.
    assert [penilai_refresh(instansi=i) for i in Instansi.objects.all()] == [
        0
    ] * Instansi.objects.count()
    assert (
        Pegawai.objects.filter(pejabat_penilai__isnull=True)
        .exclude(jenis_asn="pejabat_negara")
        .count()
        == 0
    )

    # The organisation over time: one open position and one open rating stretch per pegawai,
    # agreeing with today's columns; some staff have a closed earlier stretch under another
    # penilai; the year's completeness page counts every ASN of the instansi.
    from evaluasi import selectors as ev_selectors
    from kinerja import masa
    from kinerja.models import MasaPenilai, RiwayatJabatan

    assert MasaPenilai.objects.filter(selesai__isnull=True).count() == 1000
    assert RiwayatJabatan.objects.filter(selesai__isnull=True).count() == 1000
    moved = MasaPenilai.objects.filter(selesai__isnull=False)
    assert 50 <= moved.count() <= 250
    assert moved.exclude(pejabat_penilai=None).count() == moved.count()
    for p in Pegawai.objects.order_by("pk")[:200]:
        now = masa.penilai_pada(p.pk, generated_hari_ini())
        assert now is not None and now.pejabat_penilai_id == p.pejabat_penilai_id, p
    periode = Periode.objects.order_by("pk").first()
    lengkap = ev_selectors.kelengkapan(periode)
    assert (
        lengkap["jumlah_pegawai"]
        == Pegawai.objects.filter(instansi_id=periode.instansi_id)
        .exclude(jenis_asn="pejabat_negara")
        .count()
    )

    counts = generated["counts"]
    skipped = generated["skipped"]
    assert "organisasi" not in skipped
    if "skp" not in skipped:
        rated = Pegawai.objects.exclude(jenis_asn="pejabat_negara").count()
        SKP = apps.get_model("skp.SKP")
        assert SKP.objects.filter(terkini=True, status="disetujui").count() == rated
        assert counts["skp.RencanaHasilKerja"] >= 3 * rated
        assert counts["skp.EkspektasiPerilaku"] == 7 * counts["skp.SKP"]
        assert SKP.objects.filter(versi=2).exists()
    if "dialog" not in skipped:
        assert counts["dialog.UmpanBalik"] > 1000
        assert counts["dialog.Realisasi"] > 3000
        assert counts["dialog.Penugasan"] > 0
    if "evaluasi" not in skipped:
        Evaluasi = apps.get_model("evaluasi.Evaluasi")
        predikat = set(Evaluasi.objects.values_list("predikat", flat=True).distinct())
        assert {"sangat_baik", "baik", "butuh_perbaikan", "kurang", "sangat_kurang"} <= predikat
    for name, reason in skipped.items():
        assert f"tahap {name} dilewati" in generated["output"], reason


def test_same_seed_gives_the_same_data_and_a_second_run_is_a_no_op(db):
    with pytest.raises(_Rollback), transaction.atomic():
        generate(pegawai=1000, seed=5, out=None)
        first = _snapshot()
        raise _Rollback
    assert Pegawai.objects.count() == 0
    generate(pegawai=1000, seed=5, out=None)
    assert _snapshot() == first
    again = generate(pegawai=1000, seed=5, out=None)
    assert again["dilewati"] is True
    assert Pegawai.objects.count() == 1000
