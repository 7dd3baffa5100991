"""The SKP page's choice labels (skp.templatetags.skp_baris._label) are the models' own
`get_<field>_display()`, per value and language, kept once per process."""

from __future__ import annotations

import pytest
from django.utils import translation

from skp.models import SKP, Indikator, RencanaHasilKerja
from skp.templatetags import skp_baris

_FIELDS = (
    (SKP, ("status", "jenis", "pendekatan")),
    (RencanaHasilKerja, ("sumber", "perspektif")),
    (Indikator, ("aspek",)),
)


@pytest.mark.parametrize("bahasa", ["id", "en"])
def test_every_label_is_the_models_display_in_the_active_language(bahasa):
    with translation.override(bahasa):
        for model, fields in _FIELDS:
            for field in fields:
                for value, _label in [*model._meta.get_field(field).flatchoices, ("", "")]:
                    obj = model(**{field: value})
                    want = str(getattr(obj, f"get_{field}_display")())
                    # twice: the kept label is the same
                    assert skp_baris._label(obj, field) == want == skp_baris._label(obj, field)


def test_a_label_is_kept_per_language():
    obj = SKP(status=SKP.Status.DRAFT)
    skp_baris._label_teks.clear()
    with translation.override("id"):
        skp_baris._label(obj, "status")
    with translation.override("en"):
        skp_baris._label(obj, "status")
    assert {k[3] for k in skp_baris._label_teks} == {"id", "en"}


@pytest.mark.django_db
def test_a_deferred_field_is_not_kept(org):
    from tests.skp.factories import skp_draft

    skp = skp_draft(org, n_rhk=0)
    lean = SKP.objects.only("id").get(pk=skp.pk)
    skp_baris._label_teks.clear()
    assert skp_baris._label(lean, "status") == skp.get_status_display()
    assert not skp_baris._label_teks
