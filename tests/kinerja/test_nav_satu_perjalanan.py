"""nav_lupakan: the menu facts' delete and the user's page version in one Redis round trip, and
a notification outside a transaction drops them once (real Redis, KINERJA_TEST_REDIS_URL)."""

from __future__ import annotations

import contextlib
import os
import uuid

import pytest
from django.core.cache import cache

from kinerja import cache_cakupan, cache_halaman
from kinerja.context_processors import _nav_key, nav_lupakan

URL = os.environ.get("KINERJA_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


@pytest.fixture
def perjalanan(settings):
    """The real Redis cache, the page cache and menu facts on; every packet sent counted."""
    from redis import connection as rc_conn

    from kinerja import redis_cache as rc

    rc._mati_sejak.clear()
    settings.CACHES = {
        "default": {
            "BACKEND": "kinerja.redis_cache.RedisCache",
            "LOCATION": URL,
            "KEY_PREFIX": f"uji-nav-{uuid.uuid4().hex[:8]}",
        }
    }
    settings.KINERJA_HALAMAN_DETIK = 60
    settings.KINERJA_NAV_DETIK = 30
    dikirim: list = []
    asli = rc_conn.AbstractConnection.send_packed_command

    def hitung(self, command, check_health=True):
        packet = command if isinstance(command, bytes) else b"".join(command)
        if packet.split(b"\r\n")[2].upper() not in (b"CLIENT", b"SELECT", b"HELLO", b"AUTH"):
            dikirim.append(packet)  # a new connection's handshake is not the call's
        return asli(self, command, check_health)

    rc_conn.AbstractConnection.send_packed_command = hitung
    try:
        yield dikirim
    finally:
        rc_conn.AbstractConnection.send_packed_command = asli
        cache.clear()


def _versi(uid: int):
    return cache.get(cache_cakupan.pengguna_key(uid))


def test_the_facts_and_the_users_version_go_in_one_round_trip(perjalanan):
    cache.set(_nav_key(7), {"stamp": 0}, 30)
    perjalanan.clear()
    nav_lupakan(7)
    assert len(perjalanan) == 1
    assert cache.get(_nav_key(7)) is None
    pertama = _versi(7)
    assert pertama is not None
    # As cache_halaman.pengguna_naik makes it: expiring after VERSI_BANYAK_DETIK, SEMUA untouched.
    client = cache._cache.get_client()
    ttl = client.ttl(cache.make_and_validate_key(cache_cakupan.pengguna_key(7)))
    assert 0 < ttl <= cache_halaman.VERSI_BANYAK_DETIK
    assert cache.get(cache_cakupan.SEMUA) is None
    nav_lupakan(7)
    assert _versi(7) == pertama + 1


def test_without_the_page_cache_only_the_facts_go(perjalanan, settings):
    settings.KINERJA_HALAMAN_DETIK = 0
    cache.set(_nav_key(8), {"stamp": 0}, 30)
    perjalanan.clear()
    nav_lupakan(8)
    assert len(perjalanan) == 1
    assert cache.get(_nav_key(8)) is None and _versi(8) is None


def test_redis_down_is_a_dropped_write(settings):
    from kinerja import redis_cache as rc

    rc._mati_sejak.clear()
    settings.CACHES = {
        "default": {
            "BACKEND": "kinerja.redis_cache.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 0.2},
        }
    }
    settings.KINERJA_HALAMAN_DETIK = 60
    nav_lupakan(9)  # no exception
    rc._mati_sejak.clear()


def test_a_notification_outside_a_transaction_drops_the_facts_once(perjalanan, monkeypatch):
    """Autocommit (a service without atomic): on_commit runs its function at once, so the
    second drop would be the same drop again."""
    from types import SimpleNamespace

    from kinerja import notifikasi

    autocommit = SimpleNamespace(
        get_connection=lambda: SimpleNamespace(in_atomic_block=False),
        on_commit=lambda f: f(),  # as Django's on_commit outside a transaction
    )
    monkeypatch.setattr(notifikasi, "transaction", autocommit)
    perjalanan.clear()
    notifikasi._lupakan_nav(5)
    assert len(perjalanan) == 1


@pytest.mark.django_db
def test_inside_a_transaction_now_and_again_at_commit(
    perjalanan, org, django_capture_on_commit_callbacks
):
    from kinerja.notifikasi import _lupakan_nav

    uid = org.user("pegawai").pk
    with django_capture_on_commit_callbacks(execute=True) as hooks:
        perjalanan.clear()
        _lupakan_nav(uid)
        assert len(perjalanan) == 1
        cache.set(_nav_key(uid), {"stamp": 0}, 30)  # a reader before the commit
    assert len(hooks) == 1
    assert cache.get(_nav_key(uid)) is None


@pytest.fixture
def request_dari():
    """Serve a request of `user` as simple_history's middleware does (the request it keeps)."""
    from django.test import RequestFactory
    from simple_history.models import HistoricalRecords

    def pasang(user):
        request = RequestFactory().post("/")
        request.user = user
        HistoricalRecords.context.request = request

    yield pasang
    with contextlib.suppress(AttributeError):
        del HistoricalRecords.context.request


@pytest.mark.django_db
def test_telling_someone_else_inside_a_request_drops_their_facts_only_at_commit(
    perjalanan, org, request_dari, django_capture_on_commit_callbacks
):
    """The drop now serves only this connection's reader, i.e. this request's own menu: for
    another user's notification (feedback, an approval) the commit's drop is the one."""
    from kinerja.notifikasi import _lupakan_nav

    uid = org.user("pegawai").pk
    request_dari(org.user("kasubbid"))
    cache.set(_nav_key(uid), {"stamp": 0}, 30)
    before = _versi(uid)
    with django_capture_on_commit_callbacks(execute=True) as hooks:
        perjalanan.clear()
        _lupakan_nav(uid)
        assert perjalanan == []
        cache.set(_nav_key(uid), {"stamp": 0}, 30)  # a reader before the commit
    assert len(hooks) == 1
    assert cache.get(_nav_key(uid)) is None
    assert _versi(uid) is not None and _versi(uid) != before


@pytest.mark.django_db
def test_telling_the_requests_own_user_drops_now_and_at_commit(
    perjalanan, org, request_dari, django_capture_on_commit_callbacks
):
    from kinerja.notifikasi import _lupakan_nav

    user = org.user("pegawai")
    request_dari(user)
    with django_capture_on_commit_callbacks(execute=True) as hooks:
        cache.set(_nav_key(user.pk), {"stamp": 0}, 30)
        perjalanan.clear()
        _lupakan_nav(user.pk)
        assert len(perjalanan) == 1
        assert cache.get(_nav_key(user.pk)) is None  # this request's menu, before the commit
    assert len(hooks) == 1
