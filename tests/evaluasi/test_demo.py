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

    from evaluasi import jendela
    from kinerja.rules import jendela_pada

    now = jendela_pada(org.periode_a.tahun, org.periode_a.frekuensi, timezone.localdate())
    # December is rated once: the last window has no periodic evaluation of its own.
    urutan = min(now.urutan, jendela.terakhir(org.periode_a) - 1)
    assert not Evaluasi.objects.filter(
        pegawai__pejabat_penilai=org.kasubbid, periode=org.periode_a, urutan=urutan
    ).exists()
    assert Evaluasi.objects.filter(
        pegawai=org.staf_dinas, periode=org.periode_a, urutan=urutan
    ).exists()
    assert not Evaluasi.objects.filter(
        periode=org.periode_a, jenis="periodik", urutan=jendela.terakhir(org.periode_a)
    ).exists()


def test_seed_tolerates_an_empty_context(org):
    demo.seed({})
    demo.seed({"instansi": None, "periode": "x"})


def test_demo_results_were_finalised_after_their_windows_so_old_ones_offer_no_keberatan(org):
    from django.utils import timezone

    from evaluasi import rules
    from evaluasi.models import Keberatan

    ctx = {"instansi": org.instansi_a, "periode": org.periode_a, "admin": org.admin_a,
           "kasubbid": org.kasubbid, "pegawai": org.pegawai, "seed": 7}  # fmt: skip
    demo.seed(ctx)
    now = timezone.now()
    final = Evaluasi.objects.filter(pegawai__instansi=org.instansi_a, status="final")
    terbuka = [e for e in final if rules.keberatan_masih_dibuka(e.finalisasi_pada, now)]
    # two years back and last year's results are long past their 14 days...
    lalu2 = final.filter(periode__tahun=org.periode_a.tahun - 2)
    assert lalu2.exists() and not any(e in terbuka for e in lalu2)
    assert all(e.finalisasi_pada <= now for e in final)
    # ...except the one the demo's open keberatan is about
    k = Keberatan.objects.get(pegawai=org.pegawai)
    assert k.evaluasi in terbuka and len(terbuka) < final.count() / 2
