"""The many small page-cache versions (per SKP, pegawai, user) expire; the few shared ones do
not, and a version made again never matches a page cached under the one that expired."""

from __future__ import annotations

import time

from kinerja import cache_cakupan, cache_halaman


def test_per_object_versions_expire_and_come_back_different(on, monkeypatch):
    monkeypatch.setattr(cache_halaman, "VERSI_BANYAK_DETIK", 1)
    kecil = [
        cache_cakupan.skp_key(7),
        cache_cakupan.pegawai_key(8),
        cache_cakupan.pengguna_key(9),
    ]
    besar = [cache_cakupan.GLOBAL, cache_cakupan.SEMUA, cache_cakupan.instansi_key(3)]
    cache_halaman.versi_naik(kecil + besar)
    lama = cache_halaman._baca_versi(tuple(kecil + besar))
    assert lama is not None and all(lama[k] is not None for k in kecil + besar)
    # INCR keeps the expiry set when the key was made.
    cache_halaman.versi_naik(kecil)
    time.sleep(1.2)
    assert on.get_many(kecil) == {}
    assert set(on.get_many(besar)) == set(besar)
    # Read again (a page asking for it): made anew, at a value no page was cached under.
    baru = cache_halaman._baca_versi(tuple(kecil))
    assert baru is not None
    for k in kecil:
        assert baru[k] != lama[k] and baru[k] != lama[k] + 1, k


def test_on_the_real_redis_an_incr_keeps_the_expiry(monkeypatch):
    """kinerja.redis_cache against KINERJA_TEST_REDIS_URL: the expiry is set when the version is
    made and INCR keeps it; the shared versions have none."""
    import os
    import uuid

    import pytest

    from kinerja.redis_cache import RedisCache

    url = os.environ.get("KINERJA_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
    real = RedisCache(url, {"KEY_PREFIX": f"uji-{uuid.uuid4().hex[:8]}"})
    try:
        real.get("apa-saja")
    except Exception as exc:  # noqa: BLE001
        pytest.fail(f"Redis tidak dapat dihubungi di {url}: {exc}")
    monkeypatch.setattr(cache_halaman, "cache", real)
    try:
        s, g = cache_cakupan.skp_key(11), cache_cakupan.GLOBAL
        cache_halaman.versi_naik({s, g})
        cache_halaman.versi_naik({s, g})
        client = real._cache.get_client()
        ttl_s = client.ttl(real.make_and_validate_key(s))
        assert 0 < ttl_s <= cache_halaman.VERSI_BANYAK_DETIK
        assert client.ttl(real.make_and_validate_key(g)) == -1  # no expiry
    finally:
        real.clear()


def _real_redis(monkeypatch):
    import os
    import uuid

    import pytest

    from kinerja.redis_cache import RedisCache

    url = os.environ.get("KINERJA_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
    real = RedisCache(url, {"KEY_PREFIX": f"uji-{uuid.uuid4().hex[:8]}"})
    try:
        real.get("apa-saja")
    except Exception as exc:  # noqa: BLE001
        pytest.fail(f"Redis tidak dapat dihubungi di {url}: {exc}")
    monkeypatch.setattr(cache_halaman, "cache", real)
    return real


def test_a_commit_bumps_all_its_versions_in_one_round_trip(monkeypatch):
    """Feedback and approval bump 3-4 versions per commit: one Redis round trip, not one (or
    two: EXISTS, INCR) per key; each existing version goes up by one."""
    from redis.connection import Connection

    real = _real_redis(monkeypatch)
    try:
        keys = [
            cache_cakupan.skp_key(21),
            cache_cakupan.pegawai_key(22),
            cache_cakupan.instansi_key(23),
        ]
        cache_halaman.versi_naik(keys)  # made (missing before)
        lama = real.get_many([*keys, cache_cakupan.SEMUA])
        assert len(lama) == 4
        sent = []
        asli = Connection.send_packed_command

        def hitung(self, *args, **kwargs):
            sent.append(1)
            return asli(self, *args, **kwargs)

        monkeypatch.setattr(Connection, "send_packed_command", hitung)
        cache_halaman.versi_naik(keys)
        monkeypatch.setattr(Connection, "send_packed_command", asli)
        assert len(sent) == 1
        assert real.get_many([*keys, cache_cakupan.SEMUA]) == {k: v + 1 for k, v in lama.items()}
    finally:
        real.clear()


def test_a_missing_version_is_made_fresh_with_its_expiry_in_the_same_round_trip(monkeypatch):
    """A missing key (fresh Redis, or expired) among existing ones: made at a value no page was
    cached under (from time_ns), with the per-object expiry; the existing ones +1, no expiry
    added to the shared ones."""
    real = _real_redis(monkeypatch)
    try:
        s, i = cache_cakupan.skp_key(31), cache_cakupan.instansi_key(32)
        real.set(i, 5, None)
        real.set(cache_cakupan.SEMUA, 9, None)
        sebelum = time.time_ns()
        cache_halaman.versi_naik({s, i})
        got = real.get_many([s, i, cache_cakupan.SEMUA])
        assert got[i] == 6 and got[cache_cakupan.SEMUA] == 10
        assert got[s] > sebelum
        client = real._cache.get_client()
        assert 0 < client.ttl(real.make_and_validate_key(s)) <= cache_halaman.VERSI_BANYAK_DETIK
        assert client.ttl(real.make_and_validate_key(i)) == -1
        assert client.ttl(real.make_and_validate_key(cache_cakupan.SEMUA)) == -1
    finally:
        real.clear()


def test_redis_down_bumps_nothing_and_fails_nothing(monkeypatch):
    from kinerja import redis_cache as rc

    down = rc.RedisCache("redis://127.0.0.1:1/0", {"OPTIONS": {"socket_connect_timeout": 0.2}})
    monkeypatch.setattr(cache_halaman, "cache", down)
    try:
        cache_halaman.versi_naik({cache_cakupan.skp_key(1), cache_cakupan.GLOBAL})
        assert down.get_many([cache_cakupan.GLOBAL]) == {}
    finally:
        rc._mati_sejak.clear()
