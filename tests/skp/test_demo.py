from __future__ import annotations

from skp import demo
from skp.models import SKP, MatriksPeranHasil, PeranHasil


def test_demo_seeds_every_state_and_a_filled_matrix_idempotently(org):
    ctx = {
        "periode": org.periode_a,
        "kepala_bkd": org.kepala_bkd,
        "kabid": org.kabid,
        "kasubbid": org.kasubbid,
        "pegawai": org.pegawai,
        "rekan": org.rekan,
        "fungsional": org.fungsional,
        "tim": org.tim,
    }
    demo.seed(ctx)
    states = set(SKP.objects.values_list("status", flat=True))
    assert states == {"draft", "diajukan", "disetujui"}
    assert PeranHasil.objects.filter(na=True).exists() and MatriksPeranHasil.objects.count() >= 3
    assert (
        SKP.objects.get(pegawai=org.pegawai).rencana_set.filter(rhk_atasan__isnull=False).exists()
    )
    before = (SKP.objects.count(), PeranHasil.objects.count())
    demo.seed(ctx)
    assert (SKP.objects.count(), PeranHasil.objects.count()) == before


def test_demo_finds_people_in_the_database_without_a_context(org):
    demo.seed({})
    assert SKP.objects.filter(pegawai=org.kepala_bkd, status="disetujui").exists()
