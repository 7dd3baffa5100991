"""The API rate limit on Redis (kinerja.akses.throttle, kinerja.redis_cache `laju`): DRF's
sliding window in one round trip gives DRF's decisions and Retry-After (real Redis:
KINERJA_TEST_REDIS_URL)."""

from __future__ import annotations

import os
import uuid
from types import SimpleNamespace

import pytest
from django.core.cache.backends.locmem import LocMemCache

from kinerja.akses.throttle import KredensialThrottle
from kinerja.redis_cache import RedisCache


@pytest.fixture
def redis_cache():
    from kinerja import redis_cache as rc

    rc._mati_sejak.clear()
    url = os.environ.get("KINERJA_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
    c = RedisCache(url, {"KEY_PREFIX": f"uji-laju-{uuid.uuid4().hex[:8]}"})
    yield c
    c.clear()


def _permintaan(pk: int = 7):
    user = SimpleNamespace(is_authenticated=True, pk=pk)
    return SimpleNamespace(user=user, auth=None, method="GET", META={})


def _throttle(cache, waktu: list[float], rate: str):
    t = KredensialThrottle()
    t.cache = cache
    t.timer = lambda: waktu[0]
    t.get_rate = lambda: rate
    return t


@pytest.mark.parametrize("rate", ["3/min", "1/s", "5/h"])
def test_the_redis_window_decides_as_drfs_history(redis_cache, rate):
    drf_cache = LocMemCache(f"laju-{uuid.uuid4().hex}", {})
    jam = [1_765_000_000.25]
    langkah = [0, 0.5, 0.5, 1, 0.001, 58.999, 0.001, 0.5, 0.499, 3600, 0, 0, 0, 0, 0, 0.75]
    for dt in langkah * 3:
        jam[0] += dt
        lama = _throttle(drf_cache, jam, rate)
        baru = _throttle(redis_cache, jam, rate)
        boleh_lama = lama.allow_request(_permintaan(), None)
        boleh_baru = baru.allow_request(_permintaan(), None)
        assert boleh_baru == boleh_lama, (jam[0], rate)
        if not boleh_lama:
            assert baru.wait() == lama.wait()
    assert redis_cache.laju("x", jam[0], 60, 1) == (True, 1, jam[0])  # the script ran


def test_without_redis_drfs_own_path(rf):
    t = _throttle(LocMemCache(f"laju-{uuid.uuid4().hex}", {}), [100.0], "1/min")
    assert t.allow_request(_permintaan(), None) is True
    assert t.allow_request(_permintaan(), None) is False
    assert t.cache.get("throttle_user_7") == [100.0]  # DRF's pickled history


def test_redis_down_lets_requests_through_as_before():
    from kinerja import redis_cache as rc

    mati = RedisCache("redis://127.0.0.1:1/0", {"OPTIONS": {"socket_connect_timeout": 0.2}})
    try:
        t = _throttle(mati, [100.0], "1/min")
        assert [t.allow_request(_permintaan(), None) for _ in range(3)] == [True] * 3
    finally:
        rc._mati_sejak.clear()


def test_a_signed_in_api_request_makes_one_redis_call_for_its_limit(redis_cache, monkeypatch):
    calls: list[str] = []
    import redis

    asli = redis.Redis.execute_command

    def hitung(self, *args, **kwargs):
        calls.append(str(args[0]))
        return asli(self, *args, **kwargs)

    monkeypatch.setattr(redis.Redis, "execute_command", hitung)
    t = _throttle(redis_cache, [100.0], "600/min")
    t.allow_request(_permintaan(), None)  # the script loaded
    calls.clear()
    assert t.allow_request(_permintaan(), None) is True
    assert calls == ["EVALSHA"]  # DRF's path: GET then SET
