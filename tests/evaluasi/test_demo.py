"""The evaluation demo seed: idempotent, defensive about ctx, shows every kind of row."""

from __future__ import annotations

from evaluasi import demo, selectors
from evaluasi.models import Evaluasi, KasusSanksi, KinerjaOrganisasi, Potensi
from kinerja.models import Periode


def _counts():
    return (
        Evaluasi.objects.count(),
        KinerjaOrganisasi.objects.count(),
        Potensi.objects.count(),
        KasusSanksi.objects.count(),
    )


def test_seed_is_idempotent_and_fills_last_year(org):
    ctx = {
        "instansi": org.instansi_a,
        "periode": org.periode_a,
        "admin": org.admin_a,
        "kasubbid": org.kasubbid,
        "kadis": org.kadis,
        "pegawai": org.pegawai,
        "seed": 7,
    }
    demo.seed(ctx)
    first = _counts()
    assert first[0] > 0 and first[1] > 0
    demo.seed(ctx)
    assert _counts() == first
    lalu = Periode.objects.get(instansi=org.instansi_a, tahun=org.periode_a.tahun - 1)
    assert lalu.status == "evaluasi"
    evs = Evaluasi.objects.filter(periode=lalu, jenis="tahunan")
    assert evs.count() == evs.filter(status="final").count() > 0
    from evaluasi import rules

    for e in evs:  # the stored predikat always follows the quadrant
        assert e.predikat == rules.predikat(e.rating_hasil_kerja, e.rating_perilaku_kerja)
    data = selectors.tindak_lanjut(lalu)
    assert sum(len(c["pegawai"]) for row in data["grid"] for c in row) > 0
    # the persona penilai's team is left unevaluated in the current window (for the journey)
    from django.utils import timezone

    from kinerja.rules import jendela_pada

    now = jendela_pada(org.periode_a.tahun, org.periode_a.frekuensi, timezone.localdate())
    assert not Evaluasi.objects.filter(
        pegawai__pejabat_penilai=org.kasubbid, periode=org.periode_a, urutan=now.urutan
    ).exists()
    assert Evaluasi.objects.filter(
        pegawai=org.staf_dinas, periode=org.periode_a, urutan=now.urutan
    ).exists()


def test_seed_tolerates_an_empty_context(org):
    demo.seed({})
    demo.seed({"instansi": None, "periode": "x"})
