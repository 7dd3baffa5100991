"""The recap's per-unit counts (evaluasi.rekap: one integer count key per final evaluation, made
by the pegawai statement): by predikat, with a final evaluation whose predikat is empty counted
in its unit's total only, a pegawai who left counted but not listed, a draft not counted, and a
final evaluation without a unit counted apart."""

from __future__ import annotations

import pytest

from evaluasi import rekap
from evaluasi.models import Evaluasi

pytestmark = pytest.mark.django_db


def test_counts_per_unit_and_predikat_from_the_count_key():
    from kinerja.models import Pegawai
    from tests.factories import InstansiFactory, PegawaiFactory, PeriodeFactory, UnitKerjaFactory

    inst = InstansiFactory(kode="HIT1")
    periode = PeriodeFactory(instansi=inst, tahun=2026)
    a, b = (UnitKerjaFactory(instansi=inst, nama=n) for n in ("Bidang A", "Bidang B"))

    def ev(unit, predikat, status="final", nama="Pegawai"):
        p = PegawaiFactory(instansi=inst, unit_kerja=unit, nama=nama)
        Evaluasi.objects.create(
            pegawai=p, periode=periode, jenis="tahunan", status=status, predikat=predikat
        )
        return p

    ev(a, "baik"), ev(a, "baik"), ev(a, "sangat_kurang"), ev(a, "")  # empty: total only
    ev(a, "kurang", status="draft")  # not counted
    keluar = ev(b, "kurang")
    Pegawai.objects.filter(pk=keluar.pk).update(status="berhenti")  # counted, not listed
    ev(b, "sangat_baik"), ev(None, "baik", nama="Tanpa Unit")

    data = rekap.data_rekap(periode)

    per_unit = {u["unit"]: (u["counts"], u["jumlah"]) for u in data["per_unit"]}
    assert per_unit == {"Bidang A": ([0, 2, 0, 0, 1], 4), "Bidang B": ([1, 0, 0, 1, 0], 2)}
    assert data["ringkas"] == {"tanpa_evaluasi_final": 1, "tanpa_unit": 1}
    assert len(data["per_pegawai"]) == 7 and keluar.nip not in [r[0] for r in data["per_pegawai"]]
