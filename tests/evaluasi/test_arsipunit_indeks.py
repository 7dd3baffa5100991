"""ArsipUnit's indexes: the close inserts a province's units at once, so no index twice."""

from __future__ import annotations

import pytest
from django.db import connection

from evaluasi.models import ArsipUnit

pytestmark = pytest.mark.django_db


def _indeks_kolom() -> list[tuple[str, list[str]]]:
    with connection.cursor() as cursor:
        found = connection.introspection.get_constraints(cursor, ArsipUnit._meta.db_table)
    return [(name, c["columns"]) for name, c in found.items() if c["index"] or c["unique"]]


def test_penutupan_is_served_by_the_unique_index_alone() -> None:
    starting = [(name, cols) for name, cols in _indeks_kolom() if cols[0] == "penutupan_id"]
    # One index leads with penutupan_id: the unique pair, which also serves the FK's lookups
    # (the close page's list and the CASCADE delete).
    assert [cols for _name, cols in starting] == [["penutupan_id", "unit_kerja_id"]]
