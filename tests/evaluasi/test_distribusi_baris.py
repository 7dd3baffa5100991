"""The per-unit table's rows remembered by what they show (evaluasi/html_distribusi._BARIS): a
row served from the memo is the row drawn afresh, whatever was drawn before it, for rows that
differ only in a count, in a justification, in the kinerja organisasi or in the parent unit."""

from __future__ import annotations

from types import SimpleNamespace

from evaluasi import html_distribusi as h
from evaluasi.distribusi_admin import UnitBaris
from evaluasi.selectors_distribusi import _dist_halaman


def _d(counts, just=False, ko="baik", induk="Induk", nama="Unit A"):
    d = _dist_halaman(nama, counts, ko, unit=UnitBaris(7, nama, induk, ko))
    d.justifikasi = [object()] if just else []
    return d


def test_a_remembered_row_is_the_row_drawn_afresh():
    w, periode = SimpleNamespace(kode="akhir"), SimpleNamespace(tahun=2026)
    cases = [
        _d({"baik": 5}),
        _d({"baik": 5, "kurang": 1}),
        _d({"sangat_kurang": 5}),  # outside the guidance
        _d({"sangat_kurang": 5}, just=True),  # ... with its justification
        _d({"baik": 2}),  # small
        _d({"baik": 5}, ko=None),
        _d({"baik": 5}, ko="istimewa"),
        _d({"baik": 5}, induk=None),
        _d({"baik": 5}, nama="Unit <B>"),
    ]
    fresh = []
    for d in cases:
        h._BARIS.clear()
        fresh.append(str(h.baris_unit([d], w, periode)))
    assert len(set(fresh)) == len(cases)
    h._BARIS.clear()
    for d in cases:
        h.baris_unit([d], w, periode)
    assert [str(h.baris_unit([d], w, periode)) for d in cases] == fresh
    assert str(h.baris_unit(cases, w, SimpleNamespace(tahun=2025))).count("tahun=2025") == 9
