"""The API rate limit's window in one Redis round trip (kinerja.akses.throttle, a Lua script)
decides exactly as DRF's throttle does with a plain cache: the same requests refused, the same
`Retry-After`; Redis refusing scripts falls back to DRF's way, Redis down lets requests through
(as an empty history would). Against the real Redis (KINERJA_TEST_REDIS_URL)."""

from __future__ import annotations

import os
import uuid
from types import SimpleNamespace

import pytest
from django.core.cache.backends.locmem import LocMemCache

from kinerja.akses import throttle as modul
from kinerja.akses.throttle import KredensialThrottle
from kinerja.redis_cache import RedisCache


@pytest.fixture(autouse=True)
def _bersih():
    from kinerja import redis_cache as rc

    rc._mati_sejak.clear()
    modul._skrip["ditolak"] = False
    yield
    rc._mati_sejak.clear()
    modul._skrip["ditolak"] = False


@pytest.fixture
def redis_cache():
    url = os.environ.get("KINERJA_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
    c = RedisCache(url, {"KEY_PREFIX": f"uji-laju-{uuid.uuid4().hex[:8]}", "TIMEOUT": 60})
    try:
        c._cache.get_client().ping()
    except Exception as exc:  # noqa: BLE001
        pytest.fail(f"Redis tidak dapat dihubungi di {url}: {exc}")
    yield c
    c.clear()


def _rates(settings, **rates):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}


def _request(pk: int = 7):
    return SimpleNamespace(
        auth=None, user=SimpleNamespace(is_authenticated=True, pk=pk), method="GET"
    )


def _putusan(cache, waktu: list[float], pk: int = 7) -> list:
    """Each request at its time: allowed (None) or refused with its wait()."""
    hasil = []
    for t in waktu:
        th = KredensialThrottle()
        th.cache = cache
        th.timer = lambda t=t: t
        if th.allow_request(_request(pk), view=None):
            hasil.append(None)
        else:
            hasil.append(round(th.wait(), 9))
    return hasil


# Bursts, a request exactly `duration` after the oldest (dropped: DRF drops `<= now - duration`),
# a refusal, long gaps, fractions of a second.
WAKTU = [
    1000.0, 1000.1, 1000.2, 1000.3, 1000.9, 1059.999, 1060.0, 1060.05, 1060.1, 1060.1,
    1060.2, 1061.5, 1100.0, 1100.0, 1100.0, 1100.0, 1130.25, 1160.0, 1160.000001, 1300.0,
]  # fmt: skip


@pytest.mark.parametrize("rate", ["3/min", "1/min", "4/s", "5/min"])
def test_the_script_decides_as_drf_does(settings, redis_cache, rate):
    _rates(settings, user=rate)
    drf = _putusan(LocMemCache(f"laju-{uuid.uuid4().hex}", {}), WAKTU)
    assert drf.count(None) not in (0, len(WAKTU))  # the sequence meets the limit
    assert _putusan(redis_cache, WAKTU) == drf
    # Its own key: DRF's pickled history under DRF's key is neither read nor written.
    assert (
        redis_cache.get(KredensialThrottle.cache_format % {"scope": "user", "ident": "7"}) is None
    )


def test_one_round_trip_per_request(settings, redis_cache, monkeypatch):
    _rates(settings, user="100/min")
    client = redis_cache._cache.get_client(write=True)
    _putusan(redis_cache, [1.0])  # the script loaded
    perintah = []
    asli = type(client).execute_command

    def hitung(self, *args, **kwargs):
        perintah.append(args[0])
        return asli(self, *args, **kwargs)

    monkeypatch.setattr(type(client), "execute_command", hitung)
    assert _putusan(redis_cache, [2.0, 3.0, 4.0]) == [None, None, None]
    assert perintah == ["EVALSHA"] * 3


def test_buckets_are_per_credential(settings, redis_cache):
    _rates(settings, user="1/min")
    assert _putusan(redis_cache, [5.0, 6.0], pk=1) == [None, 59.0]
    assert _putusan(redis_cache, [6.0], pk=2) == [None]


def test_redis_refusing_scripts_falls_back_to_drf(settings, redis_cache, monkeypatch, caplog):
    from redis.exceptions import ResponseError

    _rates(settings, user="2/min")
    client = redis_cache._cache.get_client(write=True)

    def tolak(*args, **kwargs):
        raise ResponseError("NOPERM this user has no permissions to run the 'evalsha' command")

    monkeypatch.setattr(client, "evalsha", tolak)
    with caplog.at_level("WARNING", logger="kinerja.cache"):
        assert _putusan(redis_cache, [1.0, 2.0, 3.0]) == [None, None, 58.0]
    assert modul._skrip["ditolak"] is True
    assert sum("skrip Lua" in r.getMessage() for r in caplog.records) == 1
    # Not an outage: the cache itself still answers.
    redis_cache.set("a", 1)
    assert redis_cache.get("a") == 1


def test_redis_down_lets_requests_through(settings):
    _rates(settings, user="1/min")
    c = RedisCache("redis://127.0.0.1:1/0", {"OPTIONS": {"socket_connect_timeout": 0.2}})
    assert _putusan(c, [1.0, 2.0, 3.0]) == [None, None, None]
