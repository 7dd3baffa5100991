from __future__ import annotations

import pytest


@pytest.fixture
def org(db, monkeypatch):
    """The persona organisation with NIPs that always pass validation.

    tests/personas.py numbers people with a module-wide counter and a fixed TMT (2010), so
    depending on how many organisations were built before, someone born in 1994 gets a TMT at
    16 — a NIP `Pegawai.clean` rightly refuses, which made saves in these tests flaky. Until the
    personas are fixed, the TMT is moved to age 18 here.
    """
    import tests.personas as personas

    real = personas.make_nip

    def valid_nip(lahir, tmt, pria, urut, *, pppk=False):
        if tmt.year < lahir.year + 18:
            tmt = tmt.replace(year=lahir.year + 18)
        return real(lahir, tmt, pria, urut, pppk=pppk)

    monkeypatch.setattr(personas, "make_nip", valid_nip)
    return personas.build_org()
