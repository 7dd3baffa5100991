"""`data_rekap` pauses the cyclic garbage collector while it reads and counts an instansi's rows
(bench/temuan.md, putaran kesembilan, "tutup") and leaves it as it found it, also on error."""

from __future__ import annotations

import gc

import pytest

from evaluasi import rekap
from tests.evaluasi import test_tutup_tahun

tahun_siap = test_tutup_tahun.tahun_siap  # the fixture


@pytest.fixture
def gc_dipulihkan():
    aktif = gc.isenabled()
    yield
    if aktif:
        gc.enable()
    else:
        gc.disable()


@pytest.mark.parametrize("semula", [True, False])
def test_data_rekap_pauses_the_collector_and_restores_it(monkeypatch, gc_dipulihkan, semula):
    seen = []
    monkeypatch.setattr(rekap, "_data_rekap", lambda periode: seen.append(gc.isenabled()) or {})
    gc.enable() if semula else gc.disable()
    assert rekap.data_rekap(object()) == {}
    assert seen == [False] and gc.isenabled() is semula


def test_data_rekap_restores_the_collector_on_error(monkeypatch, gc_dipulihkan):
    def gagal(periode):
        raise RuntimeError("basis data putus")

    monkeypatch.setattr(rekap, "_data_rekap", gagal)
    gc.enable()
    with pytest.raises(RuntimeError):
        rekap.data_rekap(object())
    assert gc.isenabled()


@pytest.mark.django_db
def test_the_close_writes_the_recap_with_the_collector_paused(tahun_siap, gc_dipulihkan):
    """The close's final step keeps the collector paused until the recap's rows are freed (the
    xlsx is written from them meanwhile), then turns it back on."""
    from evaluasi.models import PenutupanTahun

    org = tahun_siap
    PenutupanTahun.objects.create(periode=org.periode_a, dimulai_oleh=org.admin_a)
    real, seen = rekap.xlsx_rekap, []

    def xlsx(**kw):
        seen.append(gc.isenabled())
        return real(**kw)

    gc.enable()
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(rekap, "xlsx_rekap", xlsx)
        hasil, _, _ = test_tutup_tahun._run(org)
    assert hasil["dokumen"] == 4 and seen == [False] and gc.isenabled()
