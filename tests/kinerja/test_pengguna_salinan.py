"""The request's user row kept in Redis beside the session copy (kinerja/akses/salinan.py): a
signed-in request asks the database nothing for its user, and a change to the account, the
pegawai or a grant still shows at the next request (real Redis: KINERJA_TEST_REDIS_URL)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kinerja.akses import salinan
from tests.kinerja import test_sesi
from tests.personas import beri_plh

redis_sesi = test_sesi.redis_sesi  # the fixture: kinerja.sesi on the test Redis, commands counted

pytestmark = pytest.mark.django_db


def _muat_user(ctx) -> list[str]:
    return [
        q["sql"] for q in ctx.captured_queries if q["sql"].startswith('SELECT "kinerja_user"."id"')
    ]


def _dua_kali(client, path: str = "/sandi/"):
    """The first request reads the user from the database and keeps the row; the second's
    queries are returned."""
    assert client.get(path).status_code == 200
    with CaptureQueriesContext(connection) as ctx:
        resp = client.get(path)
    return resp, ctx


def test_a_signed_in_page_reads_its_user_with_the_session_in_one_round_trip(
    redis_sesi, org, client
):
    user = org.user("pegawai")
    client.force_login(user)
    assert client.get("/sandi/").status_code == 200  # the users' version made
    resp, ctx = _dua_kali(client)
    assert _muat_user(ctx) == []  # fails on the old code: one SELECT per request
    assert redis_sesi[-1] == "EVALSHA" and redis_sesi.count("EVALSHA") >= 3
    redis_sesi.clear()
    with CaptureQueriesContext(connection) as ctx:
        assert client.get("/sandi/").status_code == 200
    assert _muat_user(ctx) == [] and redis_sesi == ["EVALSHA"]
    u = resp.wsgi_request.user
    assert u.pk == user.pk and u.pegawai.pk == org.pegawai.pk and u.is_authenticated


def test_the_kept_row_is_the_databases_row(redis_sesi, org, client):
    from kinerja.policy.core import HIBAH_ANOTASI
    from tests.kinerja.test_lantai_permintaan import _nilai, _orm

    user = org.user("kasubbid")
    client.force_login(user)
    client.get("/sandi/")
    resp, ctx = _dua_kali(client)
    assert _muat_user(ctx) == []
    baru, lama = resp.wsgi_request.user._wrapped, _orm(user.pk)
    assert type(baru) is type(lama) and _nilai(baru) == _nilai(lama)
    assert getattr(baru, HIBAH_ANOTASI) == getattr(lama, HIBAH_ANOTASI)
    assert _nilai(baru._state.fields_cache["pegawai"]) == _nilai(lama.pegawai)
    assert baru._state.adding is False and baru._state.db == "default"


def test_a_deactivated_account_is_signed_out_at_the_next_request(redis_sesi, org, client):
    user = org.user("pegawai")
    client.force_login(user)
    client.get("/sandi/")
    _dua_kali(client)  # served from the kept row
    type(user).objects.filter(pk=user.pk).update(is_active=False)
    assert client.get("/sandi/").status_code == 302


def test_a_deactivation_through_save_signs_out_every_session(redis_sesi, org, client):
    from django.test import Client

    user = org.user("rekan")
    lain = Client()
    lain.force_login(user)
    client.force_login(user)
    for c in (client, lain):
        _dua_kali(c)
    user.refresh_from_db()
    user.is_active = False
    user.save()
    assert client.get("/sandi/").status_code == 302
    assert lain.get("/sandi/").status_code == 302


def test_a_pegawai_who_left_is_signed_out_at_the_next_request(redis_sesi, org, client):
    from kinerja.models import Pegawai

    client.force_login(org.user("pegawai"))
    client.get("/sandi/")
    _dua_kali(client)
    Pegawai.objects.filter(pk=org.pegawai.pk).update(status=Pegawai.Status.BERHENTI)
    assert client.get("/sandi/").status_code == 302


def test_a_moved_pegawai_and_a_new_grant_show_at_the_next_request(redis_sesi, org, client):
    from kinerja.models import Pegawai
    from kinerja.policy.core import HIBAH_ANOTASI

    user = org.kadis.user
    client.force_login(user)
    client.get("/sandi/")
    resp, _ctx = _dua_kali(client)
    assert getattr(resp.wsgi_request.user, HIBAH_ANOTASI) is False
    beri_plh(org)
    resp = client.get("/sandi/")
    assert getattr(resp.wsgi_request.user, HIBAH_ANOTASI) is True
    unit = org.pegawai.unit_kerja_id
    Pegawai.objects.filter(pk=org.kadis.pk).update(unit_kerja_id=unit)
    resp = client.get("/sandi/")
    assert resp.wsgi_request.user.pegawai.unit_kerja_id == unit


def test_a_row_read_before_a_bump_elsewhere_is_never_served(redis_sesi, org, client):
    """Another process bumps the version between this request's session read and its
    database read: the row goes under the old version, and the next request reads again."""
    from django.core.cache import cache

    from kinerja.akses import muat

    client.force_login(org.user("pegawai"))
    client.get("/sandi/")
    _dua_kali(client)
    asli = muat.Terkompilasi.baris

    def lalu_naik(self, value):
        cache.incr(salinan.VERSI)  # as a write committed in another process would
        return asli(self, value)

    prefix = muat.prefix_baris_user()
    key = client.session.session_key
    # The kept row dropped, as if it expired: this request reads the database.
    redis = cache._cache.get_client()
    for k in list(redis.scan_iter(cache.make_key(salinan.BARIS) + "*")):
        redis.delete(k)
    muat.Terkompilasi.baris = lalu_naik
    try:
        with CaptureQueriesContext(connection) as ctx:
            client.get("/sandi/")
    finally:
        muat.Terkompilasi.baris = asli
    assert len(_muat_user(ctx)) == 1
    with CaptureQueriesContext(connection) as ctx:
        client.get("/sandi/")
    assert len(_muat_user(ctx)) == 1  # not the row kept under the old version
    assert prefix and key


def test_an_offer_is_taken_only_for_its_user_and_before_a_local_write(redis_sesi, org, rf):
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, SESSION_KEY

    from kinerja import sesi
    from kinerja.akses import muat

    a, b = org.user("pegawai"), org.user("kasubbid")
    s = sesi.SessionStore()
    s[SESSION_KEY], s[BACKEND_SESSION_KEY] = str(a.pk), settings.AUTHENTICATION_BACKENDS[0]
    s.create()
    salinan.mulai_versi()
    for _ in range(2):  # the second load finds the row kept by the first
        store = sesi.SessionStore(s.session_key)
        store.load()
        token = salinan.sesi_permintaan.set(store)
        try:
            assert muat.muat_user(a.pk).pk == a.pk
            with CaptureQueriesContext(connection) as ctx:
                assert muat.muat_user(b.pk).pk == b.pk  # another user: from the database
            assert len(_muat_user(ctx)) == 1
        finally:
            salinan.sesi_permintaan.reset(token)
    assert store.pengguna_awal[4] is not None  # the row came with the session
    token = salinan.sesi_permintaan.set(store)
    try:
        with CaptureQueriesContext(connection) as ctx:
            muat.muat_user(a.pk)
        assert len(_muat_user(ctx)) == 0
        a.first_name = "Baru"
        a.save()  # a write in this process after the session was read
        with CaptureQueriesContext(connection) as ctx:
            assert muat.muat_user(a.pk).first_name == "Baru"
        assert len(_muat_user(ctx)) == 1
    finally:
        salinan.sesi_permintaan.reset(token)


def test_a_sign_in_bumps_only_that_users_own_version(redis_sesi, org, client):
    from django.core.cache import cache

    from tests.personas import PASSWORD

    user = org.user("pegawai")
    salinan.mulai_versi()
    versi = cache.get(salinan.VERSI)
    sendiri = cache.get(salinan.SENDIRI + str(user.pk))
    assert client.post("/masuk/", {"username": user.username, "password": PASSWORD}).status_code
    assert cache.get(salinan.VERSI) == versi
    assert cache.get(salinan.SENDIRI + str(user.pk)) != sendiri


@pytest.mark.parametrize(
    ("sql", "params", "many", "kunci"),
    [
        ('SELECT "kinerja_user"."id" FROM "kinerja_user"', (), False, set()),
        (
            'UPDATE "kinerja_user" SET "last_login" = %s WHERE "kinerja_user"."id" = %s',
            (1, 7),
            False,
            {"u7"},
        ),
        (
            'UPDATE "kinerja_user" SET "is_active" = %s WHERE "kinerja_user"."id" = %s',
            (0, "7"),
            False,
            {"v"},
        ),
        (
            'UPDATE "kinerja_user" SET "is_active" = %s WHERE "kinerja_user"."id" IN (%s)',
            (0, 7),
            False,
            {"v"},
        ),
        (
            'UPDATE "kinerja_user" SET "x" = %s WHERE "kinerja_user"."id" = %s',
            [(1, 7)],
            True,
            {"v"},
        ),
        ('INSERT INTO "kinerja_user" ("username") VALUES (%s)', ("a",), False, {"v"}),
        ('DELETE FROM "kinerja_hakakseskhusus" WHERE id = %s', (1,), False, {"v"}),
        (
            'UPDATE "kinerja_pegawai" SET "status" = %s WHERE "kinerja_pegawai"."id" = %s',
            (1, 2),
            False,
            {"v"},
        ),
        ('UPDATE "kinerja_historicalpegawai" SET "x" = 1', (), False, set()),
        ('INSERT INTO "kinerja_user_groups" ("user_id") VALUES (%s)', (1,), False, set()),
        ('INSERT INTO "skp_skp" ("pegawai_id") SELECT id FROM "kinerja_pegawai"', (), False, set()),
        ("WITH x AS (SELECT 1) UPDATE kinerja_pegawai SET status = 'b'", (), False, {"v"}),
        ('WITH x AS (SELECT id FROM "kinerja_pegawai") SELECT * FROM x', (), False, set()),
        ('TRUNCATE "kinerja_notifikasi", "kinerja_user"', (), False, {"v"}),
        ('COPY "kinerja_pegawai" ("id") FROM STDIN', (), False, {"v"}),
        ("update kinerja_user set is_active = false", (), False, {"v"}),
    ],
)
def test_which_writes_end_the_kept_rows(sql, params, many, kunci):
    nama = {"v": salinan.VERSI, "u7": salinan.SENDIRI + "7"}
    assert salinan.kunci_tulis(sql, params, many) == {nama[k] for k in kunci}


def test_rows_of_another_query_or_database_are_never_read():
    from kinerja.akses import muat

    a = salinan.baris_prefix("SELECT 1", "postgresql:h:5432:kinerja:16384")
    assert a != salinan.baris_prefix("SELECT 2", "postgresql:h:5432:kinerja:16384")
    # The same name dropped and created again (a bench copy) has another oid.
    assert a != salinan.baris_prefix("SELECT 1", "postgresql:h:5432:kinerja:16999")
    assert muat._basis_data("default").rsplit(":", 1)[1].isdigit()
