"""kinerja/redis_cache.py against the real Redis (KINERJA_TEST_REDIS_URL): one client per pool,
and everything Django's cache API promises still holds."""

from __future__ import annotations

import os
import uuid

import pytest

from kinerja.redis_cache import RedisCache


@pytest.fixture
def redis_cache():
    url = os.environ.get("KINERJA_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
    c = RedisCache(url, {"KEY_PREFIX": f"uji-{uuid.uuid4().hex[:8]}", "TIMEOUT": 60})
    try:
        c.get("apa-saja")
    except Exception as exc:  # noqa: BLE001
        pytest.fail(f"Redis tidak dapat dihubungi di {url}: {exc}")
    yield c
    c.clear()


def test_one_client_serves_every_call(redis_cache):
    first = redis_cache._cache.get_client()
    assert redis_cache._cache.get_client(write=True) is first
    assert redis_cache._cache.get_client("kunci") is first


def test_the_cache_api_still_holds(redis_cache):
    redis_cache.set("a", {"nilai": 1}, 30)
    assert redis_cache.get("a") == {"nilai": 1}
    assert redis_cache.get_many(["a", "b"]) == {"a": {"nilai": 1}}
    assert redis_cache.add("a", 2) is False and redis_cache.add("b", 2) is True
    redis_cache.set("n", 5)
    assert redis_cache.incr("n") == 6
    with pytest.raises(ValueError):
        redis_cache.incr("tidak-ada")
    redis_cache.delete("a")
    assert redis_cache.get("a") is None


def test_unreachable_redis_raises_for_the_caller_to_handle():
    c = RedisCache("redis://127.0.0.1:1/0", {"OPTIONS": {"socket_connect_timeout": 0.2}})
    with pytest.raises(Exception, match="(?i)connect|refused"):
        c.get("a")
