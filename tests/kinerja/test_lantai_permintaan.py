"""What every signed-in request pays (the floor, bench row "lantai"): the user's load is one
query by its key without ORDER BY, and still reads the account's state on every request."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

pytestmark = pytest.mark.django_db


def _muat_user(sql: list[str]) -> list[str]:
    return [q for q in sql if q.startswith('SELECT "kinerja_user"."id"') and "LIMIT 1" in q]


def test_the_users_load_is_one_unordered_query(org, client_as):
    c = client_as(org.user("pegawai"))
    with CaptureQueriesContext(connection) as ctx:
        assert c.get("/sandi/").status_code == 200
    muat = _muat_user([q["sql"] for q in ctx.captured_queries])
    assert len(muat) == 1
    assert "ORDER BY" not in muat[0]  # a key lookup needs none; ordering costs compilation
    assert "kinerja_hakakseskhusus" in muat[0] and "kinerja_pegawai" in muat[0]


def test_a_deactivated_account_is_signed_out_at_the_next_request(org, client_as):
    user = org.user("pegawai")
    c = client_as(user)
    assert c.get("/sandi/").status_code == 200
    type(user).objects.filter(pk=user.pk).update(is_active=False)
    assert c.get("/sandi/").status_code == 302
