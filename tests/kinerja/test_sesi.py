"""Sessions with a Redis copy (kinerja/sesi.py): PostgreSQL stays the record, the copy is short,
and a Redis outage changes nothing but speed."""

from __future__ import annotations

import time

import pytest
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kinerja import sesi

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
