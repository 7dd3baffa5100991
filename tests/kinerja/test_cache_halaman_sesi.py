"""The page cache's hit path on the real Redis (KINERJA_TEST_REDIS_URL): the session and the
cached page come in one round trip, and the entry is served only to the same session data."""

from __future__ import annotations

import pytest
from django.urls import reverse

from kinerja import cache_halaman
from kinerja.cache_halaman import HEADER
from tests.kinerja.test_sesi import redis_sesi  # noqa: F401 (the fixture)

pytestmark = pytest.mark.django_db


@pytest.fixture
def halaman(redis_sesi, settings):  # noqa: F811
    settings.KINERJA_HALAMAN_DETIK = 120
    cache_halaman._dugaan.clear()
    yield redis_sesi
    cache_halaman._dugaan.clear()


def _masuk(client, user):
    client.force_login(user)
    client.get(reverse("notifikasi_list"))  # the CSRF cookie, as after the login form
    return client


def test_a_hit_is_one_redis_round_trip(halaman, org, client):
    c = _masuk(client, org.user("kasubbid"))
    url = reverse("evaluasi:tim")
    first = c.get(url)
    assert first[HEADER] == "miss"
    halaman.clear()
    second = c.get(url)
    assert second[HEADER] == "hit" and second.content == first.content
    assert halaman == ["EVALSHA"]  # session, menu facts, page and its versions together
    # A process that has not seen the entry yet learns its versions with one more read.
    cache_halaman._dugaan.clear()
    halaman.clear()
    assert c.get(url)[HEADER] == "hit"
    assert halaman == ["EVALSHA", "MGET"]


def test_a_hit_makes_its_keys_without_the_memcached_check(halaman, org, client, monkeypatch):
    # Every signed-in request's session read: the key prefixes are made once per cache object
    # and the keys without validate_key (it only warns about memcached's limits).
    from kinerja.redis_cache import RedisCache

    c = _masuk(client, org.user("kasubbid"))
    url = reverse("evaluasi:tim")
    assert c.get(url)[HEADER] == "miss"
    assert c.get(url)[HEADER] == "hit"
    checked: list[str] = []
    asli = RedisCache.validate_key

    def hitung(self, key):
        checked.append(key)
        return asli(self, key)

    monkeypatch.setattr(RedisCache, "validate_key", hitung)
    halaman.clear()
    assert c.get(url)[HEADER] == "hit"
    assert halaman == ["EVALSHA"] and checked == []


def test_the_same_session_key_with_other_data_is_not_served(halaman, org, client):
    c = _masuk(client, org.user("kasubbid"))
    url = reverse("evaluasi:tim")
    c.get(url)
    assert c.get(url)[HEADER] == "hit"
    session = c.session
    key = session.session_key
    session["pilihan"] = "lain"
    session.save()
    assert c.session.session_key == key
    r = c.get(url)
    assert r[HEADER] == "miss" and r.status_code == 200
    assert c.get(url)[HEADER] == "hit"  # stored again for the new data


def test_another_users_session_never_gets_the_entry(halaman, org, client):
    c = _masuk(client, org.user("kasubbid"))
    url = reverse("evaluasi:tim")
    c.get(url)
    assert c.get(url)[HEADER] == "hit"
    # The same session key now names another user (not something Django does; the entry must
    # still not be served on the key alone).
    session = c.session
    other = org.user("pegawai")
    session["_auth_user_id"] = str(other.pk)
    session["_auth_user_hash"] = other.get_session_auth_hash()
    session.save()
    r = c.get(url)
    assert r.get(HEADER) != "hit"


def test_scripts_refused_still_serves_the_hit_by_plain_reads(halaman, org, client):
    from django.core.cache import cache

    c = _masuk(client, org.user("kasubbid"))
    url = reverse("evaluasi:tim")
    first = c.get(url)
    cache._tanpa_skrip = True  # as after Redis answered "unknown command" to EVALSHA
    try:
        halaman.clear()
        r = c.get(url)
        assert r[HEADER] == "hit" and r.content == first.content
        assert halaman == ["GET", "MGET"]
    finally:
        cache._tanpa_skrip = False


def test_redis_down_renders_from_postgresql_without_the_cache(org, client, settings):
    from kinerja import redis_cache as rc
    from tests.kinerja.test_sesi import REDIS_MATI

    rc._mati_sejak.clear()
    settings.CACHES = REDIS_MATI
    settings.SESSION_ENGINE = "kinerja.sesi"
    settings.KINERJA_HALAMAN_DETIK = 120
    try:
        client.force_login(org.user("kasubbid"))
        for _ in range(2):
            r = client.get(reverse("evaluasi:tim"))
            assert r.status_code == 200 and HEADER not in r
    finally:
        rc._mati_sejak.clear()
