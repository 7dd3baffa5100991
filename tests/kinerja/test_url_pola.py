"""kinerja.url_pola: one reverse() cut around the row's slots gives what reverse() gives."""

from __future__ import annotations

from django.urls import reverse

from kinerja import url_pola


def test_the_parts_around_the_slots_give_reverse_for_any_ids():
    parts = url_pola.pola("skp:pdf_unduh", (url_pola.ISI, url_pola.ISI))
    assert len(parts) == 3
    for a, b in ((1, 2), (18, 123456), (7, 7)):
        assert f"{parts[0]}{a}{parts[1]}{b}{parts[2]}" == reverse("skp:pdf_unduh", args=[a, b])
    fixed = url_pola.pola("skp:rhk_pindah", (5, url_pola.ISI, "naik"))
    assert f"{fixed[0]}9{fixed[1]}" == reverse("skp:rhk_pindah", args=[5, 9, "naik"])
    assert url_pola.pola("skp:index") == (reverse("skp:index"),)


def test_a_fixed_argument_holding_the_sentinel_gives_none():
    assert url_pola.pola("skp:rhk_ubah", (url_pola.SENTINEL, url_pola.ISI)) is None
