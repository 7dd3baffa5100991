"""The lampiran form's fields drawn in Python (skp_halaman.skp_lampiran_isian) give the bytes of
the template they replace (templates/skp/partials/lampiran_isian.html, the lines detail.html
had), for the texts an SKP may hold and for the forms the Python leaves to the template."""

from __future__ import annotations

import pytest
from django import forms
from django.template import Context, engines

from skp.forms import LampiranForm
from skp.models import SKP
from skp.templatetags import skp_halaman

_ENGINE = engines["django"].engine
BARU = _ENGINE.from_string("{% load skp_halaman %}[{% skp_lampiran_isian lampiran_form %}]")
LAMA = _ENGINE.from_string(
    "[{{ lampiran_form.non_field_errors }}\n    {% for f in lampiran_form %}<label "
    'for="{{ f.id_for_label }}">{{ f.label|capfirst }}</label>{{ f }}{% for e in f.errors %}'
    '<div class="error">{{ e }}</div>{% endfor %}{% endfor %}]'
)

TEKS = ["", 'Anggaran & "SDM"\nbaris <dua>', "\nbaris baru di depan", "  spasi  ", "ü ’ é"]


def _sama(form) -> str:
    baru = BARU.render(Context({"lampiran_form": form}))
    assert baru == LAMA.render(Context({"lampiran_form": form}))
    return baru


@pytest.mark.parametrize("teks", TEKS)
def test_unbound_form_is_drawn_in_python(teks):
    skp = SKP(dukungan_sumber_daya=teks, skema_pertanggungjawaban="Laporan", konsekuensi=teks)
    form = LampiranForm(instance=skp)
    assert skp_halaman._lampiran_isian(form) is not None  # the Python path, not the partial
    assert "<textarea" in _sama(form)


def test_a_bound_form_with_errors_renders_through_the_template():
    form = LampiranForm({"dukungan_sumber_daya": "a <b>", "konsekuensi": "x"})
    assert form.is_valid()
    form.add_error(None, "Versi berubah <lagi>.")
    form.add_error("konsekuensi", "Terlalu & panjang.")
    assert skp_halaman._lampiran_isian(form) is None
    assert 'class="error"' in _sama(form)


@pytest.mark.parametrize(
    "ubah",
    [
        lambda f: setattr(f, "required", True),
        lambda f: setattr(f, "disabled", True),
        lambda f: setattr(f, "help_text", "Bantuan"),
        lambda f: setattr(f, "widget", forms.TextInput()),
    ],
)
def test_a_field_the_python_does_not_draw_goes_to_the_template(ubah):
    form = LampiranForm(instance=SKP(konsekuensi="k"))
    ubah(form.fields["konsekuensi"])
    assert skp_halaman._lampiran_isian(form) is None
    _sama(form)
