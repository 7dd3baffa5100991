"""Sessions with a Redis copy (kinerja/sesi.py): PostgreSQL stays the record, the copy is short,
and a Redis outage changes nothing but speed."""

from __future__ import annotations

import time

import pytest
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kinerja import sesi
from tests.personas import PASSWORD

pytestmark = pytest.mark.django_db

REDIS_MATI = {
    "default": {
        "BACKEND": "kinerja.redis_cache.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",
        "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
    }
}


@pytest.fixture
def engine(settings):
    from django.core.cache import cache

    cache.clear()
    settings.SESSION_ENGINE = "kinerja.sesi"
    return cache


def test_the_record_is_in_postgresql_and_reads_come_from_the_copy(engine):
    s = sesi.SessionStore()
    s["nama"] = "nilai"
    s.create()
    assert Session.objects.filter(session_key=s.session_key).exists()
    with CaptureQueriesContext(connection) as ctx:
        again = sesi.SessionStore(s.session_key)
        assert again["nama"] == "nilai"
    assert len(ctx.captured_queries) == 0
    engine.delete(s.cache_key)  # the copy gone (expired): read from PostgreSQL, copied again
    with CaptureQueriesContext(connection) as ctx:
        assert sesi.SessionStore(s.session_key)["nama"] == "nilai"
    assert len(ctx.captured_queries) == 1
    assert engine.get(s.cache_key) == {"nama": "nilai"}


def test_logout_ends_the_record_and_the_copy(engine, org, client):
    client.force_login(org.user("pegawai"))
    key = client.session.session_key
    assert client.get(reverse("notifikasi_list")).status_code == 200
    assert engine.get(sesi.SessionStore.cache_key_prefix + key) is not None
    client.post(reverse("logout"))
    assert not Session.objects.filter(session_key=key).exists()
    assert engine.get(sesi.SessionStore.cache_key_prefix + key) is None
    r = client.get(reverse("notifikasi_list"))
    assert r.status_code == 302


def test_the_copy_never_outlives_the_session(engine, settings):
    settings.SESSION_COOKIE_AGE = 60  # shorter than the copy's own limit
    s = sesi.SessionStore()
    s["a"] = 1
    s.create()
    # locmem keeps expiry times: the copy expires with the session, not after SALINAN_DETIK.
    expiry = engine._expire_info[engine.make_and_validate_key(s.cache_key)]
    assert expiry - time.time() <= 61
    settings.SESSION_COOKIE_AGE = 14 * 24 * 3600  # longer: the copy stops at SALINAN_DETIK
    s.save()
    expiry = engine._expire_info[engine.make_and_validate_key(s.cache_key)]
    assert expiry - time.time() <= sesi.SALINAN_DETIK + 1


def test_redis_down_signs_in_reads_and_signs_out_through_postgresql(settings, org, client):
    settings.SESSION_ENGINE = "kinerja.sesi"
    settings.CACHES = REDIS_MATI
    client.force_login(org.user("pegawai"))
    key = client.session.session_key
    assert Session.objects.filter(session_key=key).exists()
    assert client.get(reverse("notifikasi_list")).status_code == 200
    client.logout()
    assert not Session.objects.filter(session_key=key).exists()
    assert client.get(reverse("notifikasi_list")).status_code == 302


# --- the copy and the menu facts in one Redis round trip (real Redis) ------------------------
@pytest.fixture
def redis_sesi(settings):
    """kinerja.sesi on the test Redis (KINERJA_TEST_REDIS_URL) with the menu facts cached, and
    every Redis command counted."""
    import os
    import uuid

    import redis
    from django.core.cache import cache

    from kinerja import redis_cache as rc

    rc._mati_sejak.clear()
    url = os.environ.get("KINERJA_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
    settings.CACHES = {
        "default": {
            "BACKEND": "kinerja.redis_cache.RedisCache",
            "LOCATION": url,
            "KEY_PREFIX": f"uji-{uuid.uuid4().hex[:8]}",
        }
    }
    settings.SESSION_ENGINE = "kinerja.sesi"
    settings.KINERJA_NAV_DETIK = 30
    perintah: list[str] = []
    asli = redis.Redis.execute_command

    def hitung(self, *args, **kwargs):
        if not isinstance(self, redis.client.Pipeline):
            perintah.append(str(args[0]))
        return asli(self, *args, **kwargs)

    redis.Redis.execute_command = hitung
    try:
        yield perintah
    finally:
        redis.Redis.execute_command = asli
        cache.clear()
        rc._mati_sejak.clear()


def _belum_dibaca(resp) -> str:
    import re

    return (
        re.search(rb'aria-label="Notifikasi, (\d+) belum dibaca"', resp.content).group(1).decode()
    )


def test_a_page_reads_its_session_and_menu_facts_in_one_redis_round_trip(redis_sesi, org, client):
    client.force_login(org.user("pegawai"))
    assert client.get("/sandi/").status_code == 200  # the facts computed once, kept
    redis_sesi.clear()
    body = client.get("/sandi/").content
    assert redis_sesi == ["EVALSHA"]
    redis_sesi.clear()
    assert client.get("/sandi/").content.count(b"<nav") == body.count(b"<nav")
    assert redis_sesi == ["EVALSHA"]


def test_the_bell_shows_a_new_or_read_notification_at_the_next_request(redis_sesi, org, client):
    from kinerja.models import Notifikasi
    from kinerja.notifikasi import notifikasi_kirim

    user = org.user("pegawai")
    client.force_login(user)
    assert _belum_dibaca(client.get("/sandi/")) == "0"
    notifikasi_kirim(penerima=user, jenis="skp_disetujui", pesan="SKP Anda disetujui.")
    assert _belum_dibaca(client.get("/sandi/")) == "1"
    n = Notifikasi.objects.get(penerima=user)
    # Read by this very request (after its session and the offered facts were read): the page
    # it answers with already shows the new count, not the offer.
    client.post(reverse("notifikasi_baca", args=[n.pk]))
    assert _belum_dibaca(client.get("/sandi/")) == "0"


def test_facts_dropped_after_the_session_was_read_are_not_taken_from_it(redis_sesi, org, rf):
    from kinerja.context_processors import nav_fakta, nav_lupakan

    user = org.user("pegawai")
    s = sesi.SessionStore()
    s[SESSION_KEY], s[BACKEND_SESSION_KEY] = str(user.pk), settings.AUTHENTICATION_BACKENDS[0]
    s.create()

    def permintaan():
        r = rf.get("/")
        r.user, r.session = user, sesi.SessionStore(s.session_key)
        return r

    nav_fakta(permintaan())  # computed and kept
    r = permintaan()
    r.session.load()
    assert r.session.nav_awal is not None and r.session.nav_awal[0] == user.pk
    redis_sesi.clear()
    assert nav_fakta(r)["belum_dibaca"] == 0
    assert redis_sesi == []  # taken from the session's round trip
    r = permintaan()
    r.session.load()
    nav_lupakan(user.pk)  # e.g. the request itself read a notification
    redis_sesi.clear()
    nav_fakta(r)
    assert redis_sesi[0] == "GET"  # not the offer: read again (and computed: it was dropped)


def test_an_offer_for_another_user_is_never_taken(redis_sesi, org, rf):
    from kinerja.context_processors import nav_fakta

    a, b = org.user("pegawai"), org.user("kasubbid")
    s = sesi.SessionStore()
    s[SESSION_KEY], s[BACKEND_SESSION_KEY] = str(a.pk), settings.AUTHENTICATION_BACKENDS[0]
    s.create()
    r = rf.get("/")
    r.user, r.session = a, sesi.SessionStore(s.session_key)
    nav_fakta(r)
    r = rf.get("/")
    r.user, r.session = b, sesi.SessionStore(s.session_key)
    r.session.load()
    assert r.session.nav_awal[0] == a.pk
    facts = nav_fakta(r)
    assert facts["nav"]["penilai"] is True  # b's own facts, not a's


def test_a_copy_without_its_user_key_still_reads_and_the_facts_come_by_get(redis_sesi, org, client):
    from django.core.cache import cache

    client.force_login(org.user("pegawai"))
    key = client.session.session_key
    assert client.get("/sandi/").status_code == 200
    cache.delete(sesi.UID_PREFIX + key)  # a copy written before this code
    redis_sesi.clear()
    assert client.get("/sandi/").status_code == 200
    assert redis_sesi == ["EVALSHA", "GET"]


def test_logout_drops_the_copy_and_its_user_key(redis_sesi, org, client):
    from django.core.cache import cache

    client.force_login(org.user("pegawai"))
    key = client.session.session_key
    assert client.get("/sandi/").status_code == 200
    assert cache.get(sesi.UID_PREFIX + key) == org.user("pegawai").pk
    client.post(reverse("logout"))
    assert cache.get(sesi.SessionStore.cache_key_prefix + key) is None
    assert cache.get(sesi.UID_PREFIX + key) is None
    assert client.get("/sandi/").status_code == 302


def test_a_password_change_signs_out_the_other_sessions(redis_sesi, org, client):
    from django.test import Client

    user = org.user("rekan")
    lain = Client()
    lain.force_login(user)
    assert lain.get("/sandi/").status_code == 200  # its copy and facts in Redis
    client.force_login(user)
    resp = client.post(
        "/sandi/",
        {
            "old_password": PASSWORD,
            "new_password1": "Flobamora-2026!x",
            "new_password2": "Flobamora-2026!x",
        },
    )
    assert resp.status_code == 302
    assert client.get("/sandi/").status_code == 200  # this session was carried over
    assert lain.get("/sandi/").status_code == 302  # the other one ends at its next request


def test_a_session_past_its_expiry_is_not_read_from_the_copy(redis_sesi, org, client, settings):
    from datetime import timedelta

    from django.utils import timezone

    client.force_login(org.user("pegawai"))
    key = client.session.session_key
    assert client.get("/sandi/").status_code == 200
    Session.objects.filter(session_key=key).update(expire_date=timezone.now() - timedelta(1))
    from django.core.cache import cache

    cache.delete(sesi.SessionStore.cache_key_prefix + key)  # the copy's own expiry came
    assert client.get("/sandi/").status_code == 302
