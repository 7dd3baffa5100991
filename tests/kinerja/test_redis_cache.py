"""kinerja/redis_cache.py against the real Redis (KINERJA_TEST_REDIS_URL): one client per pool,
and everything Django's cache API promises still holds."""

from __future__ import annotations

import os
import uuid

import pytest

from kinerja.redis_cache import RedisCache


@pytest.fixture(autouse=True)
def _lupakan_gangguan():
    """Outages are remembered per process (kinerja.redis_cache): start each test fresh."""
    from kinerja import redis_cache as rc

    rc._mati_sejak.clear()
    yield
    rc._mati_sejak.clear()


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


def test_unreachable_redis_is_a_cache_miss_logged_once(caplog):
    """Redis down never fails a request: reads miss, writes are dropped, a counter raises
    CacheMati (there is no value to fake); the outage is logged once, not per call."""
    from kinerja.redis_cache import CacheMati

    c = RedisCache("redis://127.0.0.1:1/0", {"OPTIONS": {"socket_connect_timeout": 0.2}})
    with caplog.at_level("INFO", logger="kinerja.cache"):
        assert c.get("a") is None and c.get("a", 7) == 7
        assert c.get_many(["a", "b"]) == {}
        c.set("a", 1)
        assert c.add("a", 1) is False and c.delete("a") is False and c.has_key("a") is False
        assert c.set_many({"a": 1}) == ["a"]
        with pytest.raises(CacheMati):
            c.incr("a")
    down = [r for r in caplog.records if r.name == "kinerja.cache"]
    assert len(down) == 1 and down[0].levelname == "WARNING", down


def test_an_outage_and_its_end_are_each_logged_once(redis_cache, caplog, monkeypatch):
    """Redis stops answering for a while: one warning, calls in the next seconds do not wait
    for it, and one line once it answers again."""
    import redis

    from kinerja import redis_cache as rc

    client = redis_cache._cache.get_client()
    asli = client.get
    tried = []

    def gagal(*a, **kw):
        tried.append(1)
        raise redis.exceptions.ConnectionError("Error 111 connecting")

    with caplog.at_level("INFO", logger="kinerja.cache"):
        monkeypatch.setattr(client, "get", gagal)
        assert redis_cache.get("a") is None and redis_cache.get("b") is None
        assert len(tried) == 1  # the second call did not wait for Redis
        monkeypatch.setattr(client, "get", asli)
        monkeypatch.setattr(rc, "JEDA_COBA", 0)
        redis_cache.set("c", 1)
        assert redis_cache.get("c") == 1
    levels = [r.levelname for r in caplog.records if r.name == "kinerja.cache"]
    assert levels == ["WARNING", "INFO"], levels


def test_no_module_wraps_cache_calls_in_a_silent_except():
    """Outages are the backend's business (logged once there), not each caller's: no
    `except Exception` / `suppress(Exception)` around a cache call."""
    import ast
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]

    def cache_call(nodes) -> bool:
        for n in nodes:
            for sub in ast.walk(n):
                if (
                    isinstance(sub, ast.Call)
                    and isinstance(sub.func, ast.Attribute)
                    and isinstance(sub.func.value, ast.Name | ast.Attribute)
                    and getattr(sub.func.value, "id", getattr(sub.func.value, "attr", ""))
                    in {"cache", "_cache"}
                ):
                    return True
        return False

    def broad(t) -> bool:
        return t is None or (isinstance(t, ast.Name) and t.id in {"Exception", "BaseException"})

    found = []
    for app in ("kinerja", "skp", "dialog", "evaluasi"):
        for path in (root / app).rglob("*.py"):
            rel = path.relative_to(root).as_posix()
            if rel == "kinerja/redis_cache.py" or "/migrations/" in rel:
                continue
            for node in ast.walk(ast.parse(path.read_text())):
                if isinstance(node, ast.Try) and cache_call(node.body):
                    if any(broad(h.type) for h in node.handlers):
                        found.append(f"{rel}:{node.lineno}")
                elif isinstance(node, ast.With) and cache_call(node.body):
                    for item in node.items:
                        c = item.context_expr
                        if (
                            isinstance(c, ast.Call)
                            and getattr(c.func, "attr", getattr(c.func, "id", "")) == "suppress"
                            and any(broad(a) for a in c.args)
                        ):
                            found.append(f"{rel}:{node.lineno}")
    assert not found, found


def test_chained_read_in_one_script_and_a_server_that_refuses_scripts(redis_cache, monkeypatch):
    from redis.exceptions import ResponseError

    redis_cache.set_many({"salinan": {"a": 1}, "uid": 7}, 60)
    redis_cache.set("nav:7", {"n": 2}, 60)
    assert redis_cache.get_berantai("salinan", "uid", "nav:") == ({"a": 1}, 7, {"n": 2})
    assert redis_cache.get_berantai("salinan", "tidak-ada", "nav:") == ({"a": 1}, None, None)
    redis_cache.delete("nav:7")
    assert redis_cache.get_berantai("salinan", "uid", "nav:") == ({"a": 1}, 7, None)
    assert redis_cache.get_berantai("tidak-ada", "uid", "nav:") == (None, None, None)

    class Menolak:
        def __call__(self, **kwargs):
            raise ResponseError("NOPERM this user has no permissions to run the 'evalsha' command")

    redis_cache._scripts.clear()
    client = redis_cache._cache.get_client("salinan")
    monkeypatch.setattr(client, "register_script", lambda lua: Menolak())
    # Refused: the copy still read (by GET), and Redis is not taken for down.
    assert redis_cache.get_berantai("salinan", "uid", "nav:") == ({"a": 1}, None, None)
    assert redis_cache.get("uid") == 7
    assert redis_cache.get_berantai("salinan", "uid", "nav:") == ({"a": 1}, None, None)
