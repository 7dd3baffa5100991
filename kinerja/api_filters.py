"""Filters as part of the API contract (api.md, "Filters are part of the contract").

Every list declares a FilterSet built from these: a value that is not valid (a word for an id,
an id beyond bigint, an unknown code, a boolean other than true/false/1/0) is a 400 naming the
parameter; an unknown parameter is refused by `kinerja.api_base.PolicyScopedMixin`. Ids filter
by plain number: an id the caller may not see simply matches nothing (neither confirmed nor
denied).
"""

from __future__ import annotations

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

ID_MAKS = 2**63 - 1  # bigint: a larger number is no row of ours (and overflows SQLite)


class IdField(forms.IntegerField):
    default_error_messages = {
        "invalid": "Harus berupa id (bilangan bulat positif).",
        "min_value": "Harus berupa id (bilangan bulat positif).",
        "max_value": "Id terlalu besar.",
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", ID_MAKS)
        super().__init__(**kwargs)


@extend_schema_field(OpenApiTypes.INT64)
class IdFilter(django_filters.NumberFilter):
    """A foreign key by id, bounded to bigint."""

    field_class = IdField


class AngkaField(forms.IntegerField):
    default_error_messages = {
        "invalid": "Harus berupa bilangan bulat.",
        "min_value": "Nilai terlalu kecil (paling kecil %(limit_value)s).",
        "max_value": "Nilai terlalu besar (paling besar %(limit_value)s).",
    }


@extend_schema_field(OpenApiTypes.INT)
class TahunFilter(django_filters.NumberFilter):
    field_class = AngkaField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 2000)
        kwargs.setdefault("max_value", 2999)
        kwargs.setdefault("help_text", "Tahun kinerja, mis. 2026.")
        super().__init__(*args, **kwargs)


@extend_schema_field(OpenApiTypes.INT)
class UrutanFilter(django_filters.NumberFilter):
    field_class = AngkaField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", 12)
        super().__init__(*args, **kwargs)


class BoolField(forms.Field):
    """true/false/1/0 only: anything else is an error, never "no filter"."""

    BENAR = {"true": True, "1": True, "false": False, "0": False}

    def to_python(self, value):
        if value in (None, ""):
            return None
        if isinstance(value, bool):
            return value
        try:
            return self.BENAR[str(value).strip().lower()]
        except KeyError:
            raise ValidationError("Harus true atau false.", code="invalid") from None


@extend_schema_field(OpenApiTypes.BOOL)
class BoolFilter(django_filters.Filter):
    field_class = BoolField


class StrictFilterSet(django_filters.FilterSet):
    """Base of every list's filters. Fields named in `Meta.fields` become: a foreign key an
    `IdFilter` (never "choose an existing object", which would confirm foreign ids), a boolean a
    `BoolFilter`; choices keep django-filter's ChoiceFilter (an unknown code is a 400)."""

    @classmethod
    def filter_for_lookup(cls, field, lookup_type):
        from django.db import models

        if lookup_type == "exact" and isinstance(field, models.ForeignKey):
            return IdFilter, {}
        if lookup_type == "exact" and isinstance(field, models.BooleanField):
            return BoolFilter, {}
        return super().filter_for_lookup(field, lookup_type)
