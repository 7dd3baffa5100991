"""`data_rekap` pauses the cyclic garbage collector while it reads and counts an instansi's rows
(bench/temuan.md, putaran kesembilan, "tutup") and leaves it as it found it, also on error."""

from __future__ import annotations

import gc

import pytest

from evaluasi import rekap


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
