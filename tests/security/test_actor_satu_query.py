"""The request's user is loaded with what the policy needs of them (kinerja.policy.dengan_actor):
the pegawai row and whether any explicit grant is held, in the one query that loads the user for
the session or the token. The policy then asks nothing more for its actor, and a grant given or
revoked shows on the very next request, as when the actor had its own query."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kinerja import policy
from kinerja.akses import hibah
from kinerja.akses.backends import KinerjaBackend
from kinerja.akses.services import token_pribadi_buat
from tests.personas import beri_plh
from tests.skp.factories import skp_diajukan

pytestmark = pytest.mark.django_db

FIELDS = ("pegawai_id", "instansi_id", "admin_instansi_id", "superuser", "punya_hibah")


def _fakta(a: policy.Actor) -> tuple:
    return tuple(getattr(a, f) for f in FIELDS)


def _actor_queries(sql: list[str]) -> list[str]:
    # The actor's own query: the pegawai of a user with the grant EXISTS, not the user's load.
    return [
        q
        for q in sql
        if q.startswith('SELECT "kinerja_pegawai"."id"')
        and "EXISTS" in q
        and "kinerja_hakakseskhusus" in q
        and '"kinerja_pegawai"."user_id" =' in q
    ]


@pytest.mark.parametrize("who", ["pegawai", "kasubbid", "admin_a", "superuser"])
def test_backend_user_gives_the_same_actor_without_a_query(org, who, django_user_model):
    if who == "admin_a":
        user = org.admin_a
    elif who == "superuser":
        user = django_user_model.objects.create_superuser("root_lantai", "r@x.id", "x")
    else:
        user = org.user(who)
    loaded = KinerjaBackend().get_user(user.pk)
    with CaptureQueriesContext(connection) as ctx:
        a = policy.actor(loaded)
    assert not ctx.captured_queries
    # The fallback (a user loaded any other way) asks the database and agrees.
    plain = get_user_model().objects.get(pk=user.pk)
    with CaptureQueriesContext(connection) as ctx:
        b = policy.actor(plain)
    assert len(ctx.captured_queries) == 1
    assert _fakta(a) == _fakta(b)


def test_grant_flag_comes_with_the_user_and_follows_a_revocation(org):
    kadis = org.kadis.user
    assert not policy.actor(KinerjaBackend().get_user(kadis.pk)).punya_hibah
    hak = beri_plh(org)
    assert policy.actor(KinerjaBackend().get_user(kadis.pk)).punya_hibah
    hibah.hak_khusus_cabut(user=org.admin_a, hak=hak, alasan="Pejabat definitif kembali")
    assert not policy.actor(KinerjaBackend().get_user(kadis.pk)).punya_hibah


def test_page_asks_no_separate_actor_query_and_honours_a_new_grant(org, client_as):
    skp = skp_diajukan(org)
    url = reverse("skp:detail", args=[skp.pk])
    c = client_as(org.kadis.user)
    assert c.get(url).status_code == 404  # not theirs to see before the grant
    hak = beri_plh(org)
    with CaptureQueriesContext(connection) as ctx:
        r = c.get(url)
    assert r.status_code == 200  # the grant shows on the next request
    sql = [q["sql"] for q in ctx.captured_queries]
    user_load = [q for q in sql if 'FROM "kinerja_user"' in q and "kinerja_hakakseskhusus" in q]
    assert len(user_load) == 1 and not _actor_queries(sql)
    hibah.hak_khusus_cabut(user=org.admin_a, hak=hak, alasan="Pejabat definitif kembali")
    assert c.get(url).status_code == 404


def test_token_request_asks_no_separate_actor_query(org):
    skp = skp_diajukan(org)
    token = token_pribadi_buat(user=org.kadis.user)
    c = Client(HTTP_AUTHORIZATION=f"Token {token.key}")
    url = f"/api/v1/skp/{skp.pk}/"
    assert c.get(url).status_code == 404
    beri_plh(org)
    with CaptureQueriesContext(connection) as ctx:
        r = c.get(url)
    assert r.status_code == 200
    sql = [q["sql"] for q in ctx.captured_queries]
    assert not _actor_queries(sql)
    assert any("authtoken_token" in q and "kinerja_hakakseskhusus" in q for q in sql)
