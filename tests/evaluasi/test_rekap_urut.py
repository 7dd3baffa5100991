"""The recap's pegawai rows are in the order of their unit's name, then name and id, whatever the
unit: units sharing a name, and units of another instansi (a pegawai whose unit is elsewhere,
named through its key) whose name comes before, between (two names in the same gap), equal to or
after the instansi's own. A guard for any change to how the statement sorts."""

from __future__ import annotations

import pytest

from evaluasi import rekap
from evaluasi.models import Evaluasi

pytestmark = pytest.mark.django_db


def test_pegawai_rows_follow_the_unit_name_whatever_the_unit():
    from tests.factories import InstansiFactory, PegawaiFactory, PeriodeFactory, UnitKerjaFactory

    inst, lain = InstansiFactory(kode="URT1"), InstansiFactory(kode="URT2")
    periode = PeriodeFactory(instansi=inst, tahun=2026)
    unit = {}
    for nama in ("Bidang B", "Bidang D", "Bidang F"):
        unit[nama] = UnitKerjaFactory(instansi=inst, nama=nama)
    unit["Bidang D kedua"] = UnitKerjaFactory(instansi=inst, nama="Bidang D")  # same name
    for nama in ("Bidang A", "Bidang C", "Bidang Z"):  # before, between, after the instansi's
        unit[f"{nama} lain"] = UnitKerjaFactory(instansi=lain, nama=nama)
    unit["Bidang C lain kedua"] = UnitKerjaFactory(instansi=lain, nama="Bidang C")
    unit["Bidang Cc lain"] = UnitKerjaFactory(instansi=lain, nama="Bidang Cc")  # same gap as C
    unit["Bidang D lain"] = UnitKerjaFactory(instansi=lain, nama="Bidang D")  # equal to its own
    orang = []
    for i, (_kunci, u) in enumerate(sorted(unit.items())):
        # names that interleave across the units sharing a name
        for nama in (f"Pegawai {i % 3}", f"Pegawai {(i + 2) % 5}"):
            orang.append(PegawaiFactory(instansi=inst, unit_kerja=u, nama=nama))
    orang.append(PegawaiFactory(instansi=inst, unit_kerja=None, nama="Pegawai 0"))
    Evaluasi.objects.create(
        pegawai=orang[0], periode=periode, jenis="tahunan", status="final", predikat="baik"
    )

    got = [(r[3], r[1], r[0]) for r in rekap.data_rekap(periode)["per_pegawai"]]

    def urut(p):
        return (p.unit_kerja is None, p.unit_kerja.nama if p.unit_kerja else "", p.nama, p.pk)

    assert got == [
        (p.unit_kerja.nama if p.unit_kerja else "", p.nama, p.nip or "")
        for p in sorted(orang, key=urut)
    ]
    assert len(got) == 2 * 10 + 1
