"""A personal API token's row kept in Redis (kinerja.akses.token, kinerja.akses.salinan): once
warm, a token request asks the database nothing to authenticate, nor for the members of the
teams its user leads; every revocation still shows at the very next request, as when the row was
read from the database (real Redis: KINERJA_TEST_REDIS_URL)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.authtoken.models import Token

from kinerja.akses import salinan
from kinerja.akses.token import muat_token
from kinerja.models import HakAksesKhusus, Pegawai
from kinerja.policy.core import HIBAH_ANOTASI, TIM_TAWARAN
from tests.kinerja import test_sesi
from tests.personas import beri_plh

redis_sesi = test_sesi.redis_sesi  # the fixture: the test Redis as the cache, commands counted

pytestmark = pytest.mark.django_db

SAYA = "/api/v1/saya/"


def _api(key: str) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Token {key}")


def _sql(ctx, kata: str) -> list[str]:
    return [q["sql"] for q in ctx.captured_queries if kata in q["sql"]]


def _hangat(key: str, path: str = SAYA):
    """The first request sets the pointer, the second keeps the row; the third's queries."""
    c = _api(key)
    for _ in range(2):
        assert c.get(path).status_code == 200
    with CaptureQueriesContext(connection) as ctx:
        resp = c.get(path)
    return resp, ctx


def _nilai(obj) -> dict:
    return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}


def test_a_warm_token_request_reads_no_token_and_no_team(redis_sesi, org):
    from tests.skp.factories import skp_draft

    skp = skp_draft(org, "staf_dinas")  # the ketua sees it through the team alone
    key = Token.objects.create(user=org.fungsional.user).key
    # The list: its scope is the ORM's, which asks the actor for the team it leads (one SKP's
    # GET carries the team as a subquery of its own statement, kinerja.policy.skp_syarat_sql).
    resp, ctx = _hangat(key, "/api/v1/skp/")
    assert resp.status_code == 200 and skp.pk in {r["id"] for r in resp.json()["results"]}
    # Fails on the old code: the token's SELECT and the team's SELECT on every request (a
    # statement of the team's own; the rows' join to their TimKerja is data, not the scope).
    tim = [
        q["sql"] for q in ctx.captured_queries if q["sql"].startswith('SELECT "kinerja_timkerja')
    ]
    assert _sql(ctx, "authtoken_token") == [] and tim == []
    redis_sesi.clear()
    assert _api(key).get(f"/api/v1/skp/{skp.pk}/").status_code == 200
    assert redis_sesi.count("EVALSHA") == 1  # the token's read, with the rate window (tulis)
    assert "SET" not in redis_sesi and "INCR" not in redis_sesi


def test_the_kept_row_is_the_databases_row(redis_sesi, org):
    beri_plh(org)
    key = Token.objects.create(user=org.kadis.user).key
    _hangat(key)
    with CaptureQueriesContext(connection) as ctx:
        baru = muat_token(key)
    assert _sql(ctx, "authtoken_token") == []
    from kinerja import policy

    lama = policy.dengan_actor(Token.objects.select_related("user"), "user").get(key=key)
    assert type(baru) is Token and _nilai(baru) == _nilai(lama) and baru.key == key
    assert getattr(baru, HIBAH_ANOTASI) is getattr(lama, HIBAH_ANOTASI) is True
    assert _nilai(baru.user) == _nilai(lama.user)
    assert _nilai(baru.user._state.fields_cache["pegawai"]) == _nilai(lama.user.pegawai)
    assert baru._state.adding is False and baru.user._state.db == "default"


def test_redis_keeps_no_usable_token(redis_sesi, org):
    from django.core.cache import cache

    key = Token.objects.create(user=org.pegawai.user).key
    _hangat(key)
    redis = cache._cache.get_client()
    kept = list(redis.scan_iter(cache.make_key("") + "*"))
    assert any(b":pengguna:baris:" in k for k in kept)
    for k in kept:
        assert key.encode() not in k
        if redis.type(k) == b"string":
            assert key.encode() not in redis.get(k)


def _tolak(key: str, kata: str) -> None:
    r = _api(key).get(SAYA)
    assert r.status_code == 401 and kata in r.json()["detail"], r.content


@pytest.mark.parametrize(
    "cara", ["layanan", "sandi", "hapus_objek", "hapus_user", "pindah_user", "kedaluwarsa"]
)
def test_a_token_ended_any_way_is_refused_at_the_next_request(redis_sesi, org, settings, cara):
    from kinerja.akses import services

    user = org.pegawai.user
    token = Token.objects.create(user=user)
    _hangat(token.key)
    kata = "Token tidak valid."
    if cara == "layanan":
        services.token_pribadi_cabut(user=user)
    elif cara == "sandi":  # Django's password_changed hook deletes the token
        user.set_password("Sandi-Baru-Kinerja-2026")
        user.save()
    elif cara == "hapus_objek":  # the admin's delete: the instance's own DELETE by key
        Token.objects.get(pk=token.pk).delete()
    elif cara == "hapus_user":  # a cascade from the account's row
        Pegawai.objects.filter(pk=org.pegawai.pk).update(user=None)
        type(user).objects.filter(pk=user.pk).delete()
    elif cara == "pindah_user":  # the token given to another account: that account's row
        Token.objects.filter(pk=token.pk).update(user=org.rekan.user)
        r = _api(token.key).get(SAYA)
        assert r.status_code == 200 and r.wsgi_request.user.pk == org.rekan.user.pk
        return
    else:  # no write at all: the expiry is judged from `created` on every request
        settings.KINERJA_TOKEN_HARI = 0
        kata = "kedaluwarsa"
    _tolak(token.key, kata)


def test_an_expiry_moved_by_a_write_shows_at_the_next_request(redis_sesi, org, settings):
    settings.KINERJA_TOKEN_HARI = 30
    key = Token.objects.create(user=org.pegawai.user).key
    _hangat(key)
    Token.objects.filter(key=key).update(created=timezone.now() - dt.timedelta(days=31))
    _tolak(key, "kedaluwarsa")


@pytest.mark.parametrize("cara", ["update", "save"])
def test_a_deactivated_account_is_refused_at_the_next_request(redis_sesi, org, cara):
    user = org.rekan.user
    key = Token.objects.create(user=user).key
    _hangat(key)
    if cara == "update":  # one user by id: the user's own version
        type(user).objects.filter(pk=user.pk).update(is_active=False)
    else:
        user.refresh_from_db()
        user.is_active = False
        user.save()
    _tolak(key, "dinonaktifkan")


def test_a_pegawai_who_left_is_refused_at_the_next_request(redis_sesi, org):
    key = Token.objects.create(user=org.fungsional.user).key
    _hangat(key)
    Pegawai.objects.filter(pk=org.fungsional.pk).update(status=Pegawai.Status.BERHENTI)
    _tolak(key, "berhenti")


def test_a_grant_given_or_revoked_and_a_move_show_at_the_next_request(redis_sesi, org):
    key = Token.objects.create(user=org.kadis.user).key
    resp, _ctx = _hangat(key)
    assert getattr(resp.wsgi_request.user, HIBAH_ANOTASI) is False
    hak = beri_plh(org)
    assert getattr(_api(key).get(SAYA).wsgi_request.user, HIBAH_ANOTASI) is True
    _hangat(key)
    HakAksesKhusus.objects.filter(pk=hak.pk).update(dicabut_pada=timezone.now())
    assert getattr(_api(key).get(SAYA).wsgi_request.user, HIBAH_ANOTASI) is False
    _hangat(key)
    Pegawai.objects.filter(pk=org.kadis.pk).update(instansi=org.instansi_b)
    user = _api(key).get(SAYA).wsgi_request.user
    from kinerja import policy

    assert user.pegawai.instansi_id == org.instansi_b.pk
    assert policy.instansi_of(user) == org.instansi_b.pk


def test_a_team_change_shows_at_the_next_request(redis_sesi, org):
    from tests.skp.factories import skp_draft

    skp_staf, skp_rekan = skp_draft(org, "staf_dinas"), skp_draft(org, "rekan")
    key = Token.objects.create(user=org.fungsional.user).key
    _hangat(key, f"/api/v1/skp/{skp_staf.pk}/")
    c = _api(key)
    assert c.get(f"/api/v1/skp/{skp_rekan.pk}/").status_code == 404
    org.tim.anggota.add(org.rekan)  # an INSERT into the members
    assert c.get(f"/api/v1/skp/{skp_rekan.pk}/").status_code == 200
    _hangat(key, f"/api/v1/skp/{skp_rekan.pk}/")
    org.tim.anggota.remove(org.staf_dinas)  # a DELETE from the members
    assert c.get(f"/api/v1/skp/{skp_staf.pk}/").status_code == 404
    _hangat(key, f"/api/v1/skp/{skp_rekan.pk}/")
    type(org.tim).objects.filter(pk=org.tim.pk).update(aktif=False)  # the team itself
    assert c.get(f"/api/v1/skp/{skp_rekan.pk}/").status_code == 404


def test_a_row_read_before_a_bump_elsewhere_is_never_served(redis_sesi, org):
    """Another process bumps the tokens' version between this request's Redis read and its
    database read: the row goes under the old version, the next request reads again."""
    from django.core.cache import cache

    from kinerja.akses import muat

    key = Token.objects.create(user=org.pegawai.user).key
    c = _api(key)
    c.get(SAYA)  # the pointer
    asli = muat.Terkompilasi.baris

    def lalu_naik(self, value):
        cache.incr(salinan.TOKEN_VERSI)  # as a token deleted in another process would
        return asli(self, value)

    muat.Terkompilasi.baris = lalu_naik
    try:
        c.get(SAYA)
    finally:
        muat.Terkompilasi.baris = asli
    with CaptureQueriesContext(connection) as ctx:
        assert c.get(SAYA).status_code == 200
    assert len(_sql(ctx, "authtoken_token")) == 1  # not the row kept under the old version


def test_the_team_offer_is_not_taken_after_a_local_write(redis_sesi, org):
    from kinerja import policy

    key = Token.objects.create(user=org.fungsional.user).key
    for _ in range(2):
        user = muat_token(key).user
        policy.actor(user).anggota_tim_ids()  # the second keeps the set
    salinan._permintaan_mulai()  # a request of its own (the test's transaction outlives it)
    user = muat_token(key).user
    assert getattr(user, TIM_TAWARAN).awal.tim is not None
    org.tim.anggota.remove(org.pegawai)  # written by this process after the offer was read
    with CaptureQueriesContext(connection) as ctx:
        got = policy.actor(user).anggota_tim_ids()
    assert org.pegawai.pk not in got and len(_sql(ctx, "kinerja_timkerja")) == 1
    # An offer for another pegawai (the user's row changed under it) is not taken either.
    user = muat_token(key).user
    tawaran = getattr(user, TIM_TAWARAN)
    tawaran.naik = salinan.naik_lokal()
    tawaran.awal.tim = (org.pegawai.pk, (1, 2))
    assert tawaran(org.fungsional.pk, lambda: {-1}) == {-1}


def test_redis_down_answers_from_the_database(settings, org):
    from kinerja import redis_cache as rc
    from kinerja.akses import services

    rc._mati_sejak.clear()
    settings.CACHES = {
        "default": {
            "BACKEND": "kinerja.redis_cache.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 0.2},
        }
    }
    try:
        user = org.pegawai.user
        key = Token.objects.create(user=user).key
        for _ in range(2):
            with CaptureQueriesContext(connection) as ctx:
                assert _api(key).get(SAYA).status_code == 200
            assert len(_sql(ctx, "authtoken_token")) == 1
        services.token_pribadi_cabut(user=user)
        _tolak(key, "Token tidak valid.")
    finally:
        rc._mati_sejak.clear()


@pytest.mark.parametrize(
    ("sql", "kunci"),
    [
        ('DELETE FROM "authtoken_token" WHERE "authtoken_token"."user_id" = %s', "t"),
        ('DELETE FROM "authtoken_token" WHERE "authtoken_token"."key" IN (%s)', "t"),
        ('UPDATE "authtoken_token" SET "created" = %s WHERE "authtoken_token"."key" = %s', "t"),
        ('INSERT INTO "authtoken_token" ("key", "user_id") VALUES (%s, %s)', ""),
        ('INSERT INTO "authtoken_token" ("key") VALUES (%s) ON CONFLICT DO UPDATE SET x=1', "t"),
        ('INSERT INTO "kinerja_timkerja_anggota" ("timkerja_id") VALUES (%s)', "m"),
        ('DELETE FROM "kinerja_timkerja_anggota" WHERE "timkerja_id" = %s', "m"),
        ('UPDATE "kinerja_timkerja" SET "aktif" = %s WHERE "kinerja_timkerja"."id" = %s', "m"),
        ('UPDATE "kinerja_timkerjaevaluasi" SET "x" = 1', ""),
        ('TRUNCATE "kinerja_timkerja_anggota", "authtoken_token"', "mt"),
        ('TRUNCATE "kinerja_timkerja_anggota_lain"', ""),
        ("WITH x AS (SELECT 1) DELETE FROM authtoken_token", "t"),
        ('COPY "kinerja_timkerja" ("id") FROM STDIN', "m"),
        ('SELECT * FROM "authtoken_token"', ""),
    ],
)
def test_which_writes_end_the_kept_tokens_and_teams(sql, kunci):
    nama = {"t": salinan.TOKEN_VERSI, "m": salinan.TIM_VERSI}
    assert salinan.kunci_tulis(sql, (1, 2), False) == {nama[k] for k in kunci}
