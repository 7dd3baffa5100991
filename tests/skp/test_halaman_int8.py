"""The SKP page's statement is one preparation per connection whatever the size of its ids
(bench/temuan.md, "skp: ..."): psycopg types a Python int by its size (int2 below 32,768, then
int4) and prepares once per set of parameter types, so ids on both sides of 32,768 made two
preparations of the same statement, each planned ten times before PostgreSQL kept a generic
plan. Its integers go as int8 (skp.selectors_halaman._int8)."""

from __future__ import annotations

import pytest
from django.db import connection

from skp import selectors
from skp.models import SKP
from tests.skp.factories import skp_draft

pytestmark = pytest.mark.django_db


def _page_statements() -> list[list[str]]:
    """The parameter types of each preparation of the page's first statement."""
    with connection.cursor() as cur:
        cur.execute(
            "SELECT parameter_types::text[] FROM pg_prepared_statements "
            "WHERE statement LIKE %s AND statement LIKE %s",
            ['%FROM "skp_skp" s %', "%WHERE s.id = $%"],
        )
        return [r[0] for r in cur.fetchall()]


def test_small_and_large_ids_share_one_preparation_of_the_page_statement(org):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    kecil = skp_draft(org, n_rhk=1)
    with connection.cursor() as cur:
        cur.execute("SELECT pg_get_serial_sequence('skp_skp', 'id')")
        seq = cur.fetchone()[0]
        cur.execute("SELECT last_value, is_called FROM " + seq)
        last, called = cur.fetchone()
        # The next SKP's id past int2 (sequences are not rolled back: restored below).
        cur.execute("SELECT setval(%s, 40000)", [seq])
    try:
        besar = skp_draft(org, "rekan", n_rhk=1)
    finally:
        with connection.cursor() as cur:
            cur.execute("SELECT setval(%s, %s, %s)", [seq, last, called])
    assert kecil.pk < 32768 <= besar.pk
    for _ in range(6):  # past psycopg's prepare threshold for each
        for s, user in ((kecil, org.pegawai.user), (besar, org.rekan.user)):
            assert selectors.skp_for_user(user, s.pk).pk == s.pk
    prepared = _page_statements()
    assert prepared, "the page statement was not prepared"
    # One preparation of this statement text, its integers int8 (no int2/int4 twin).
    for types in prepared:
        assert set(types) <= {"bigint", "text"}, prepared
    assert SKP.objects.filter(pk=besar.pk).exists()
