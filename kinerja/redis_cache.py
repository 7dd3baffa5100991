"""Django's Redis cache: one redis.Redis client per connection pool, and Redis outages absorbed.

One client: Django builds a new `redis.Redis` object for every cache call; its constructor is
about a fifth of what a cached page costs (profile in bench/results.md, "Cache halaman"). A
`redis.Redis` is safe to share between threads (it takes a connection from its pool per
command), and the pool itself notices a fork, so one client per pool is enough.

Outages: the cache only ever makes things faster (menu facts, cached pages, session copies, the
verification page's counter), so Redis down must never fail a request. Here, not around every
call: a read answers "not cached" (the default), a write is dropped, and the outage is logged
once (warning), with one line again when Redis answers (info). For JEDA_COBA seconds after a
failure the calls do not wait for Redis at all (a page makes several; each would otherwise
wait for its connect timeout). A counter has no value to fake:
`incr`/`decr` raise `CacheMati` for the caller to count elsewhere (kinerja.verifikasi) or skip
(kinerja.cache_halaman).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache as _RedisCache
from django.core.cache.backends.redis import RedisCacheClient
from redis.exceptions import RedisError, ResponseError

logger = logging.getLogger("kinerja.cache")


class CacheMati(Exception):
    """Redis did not answer a counter (`incr`/`decr`): there is no value to return."""


class _Client(RedisCacheClient):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, Any] = {}

    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            pool = self._get_connection_pool(write)
            client = self._clients.setdefault(index, self._client(connection_pool=pool))
        return client


# After a failure, calls to that Redis fail at once for this long (seconds) instead of each
# waiting for its own connect timeout; then one call tries again.
JEDA_COBA = 5.0

# One state per process and Redis server: an outage is reported once, however many threads
# and cache objects meet it.
_lock = threading.Lock()
_mati_sejak: dict[str, float] = {}


class _Tutup(RedisError):
    """Not tried: the server failed less than JEDA_COBA seconds ago."""


def _periksa(server: str) -> None:
    sejak = _mati_sejak.get(server)
    if sejak is not None and time.monotonic() - sejak < JEDA_COBA:
        raise _Tutup(server)


def _lapor_mati(server: str, exc: Exception) -> None:
    if isinstance(exc, _Tutup):
        return
    with _lock:
        baru = server not in _mati_sejak
        _mati_sejak[server] = time.monotonic()
    if baru:
        logger.warning("Cache Redis tidak dapat dihubungi; berjalan tanpa cache: %s", exc)


def _lapor_pulih(server: str) -> None:
    if server in _mati_sejak:
        with _lock:
            pulih = _mati_sejak.pop(server, None) is not None
        if pulih:
            logger.info("Cache Redis dapat dihubungi kembali.")


# get_berantai: a Lua table stops at its first nil, so the answer is as long as what was found.
_BERANTAI = """
local value = redis.call('GET', KEYS[1])
if not value then return {} end
local ref = redis.call('GET', KEYS[2])
if not ref then return {value} end
if ARGV[1] == '' then return {value, ref} end
return {value, ref, redis.call('GET', ARGV[1] .. ref)}
"""


# get_sesi_dan: get_berantai's three reads, then the user's row kept under the users' version and the
# user's own version (kinerja.akses.muat): {value, ref, chained, version, own version, row}, false
# where nothing was found; then the values at KEYS[4..] (get_sesi_dan), in their order.
_SESI = """
local out = {false, false, false, false, false, false}
local value = redis.call('GET', KEYS[1])
if value then
  out[1] = value
  local ref = redis.call('GET', KEYS[2])
  if ref then
    out[2] = ref
    if ARGV[1] ~= '' then out[3] = redis.call('GET', ARGV[1] .. ref) end
    local versi = false
    if ARGV[2] ~= '' then versi = redis.call('GET', KEYS[3]) end
    if versi then
      local sendiri = redis.call('GET', ARGV[2] .. ref) or '-'
      out[4] = versi
      out[5] = sendiri
      out[6] = redis.call('GET', ARGV[3] .. versi .. ':' .. sendiri .. ':' .. ref)
    end
  end
end
for i = 4, #KEYS do out[i + 3] = redis.call('GET', KEYS[i]) end
return out
"""


class RedisCache(_RedisCache):
    def __init__(self, server: str, params: dict) -> None:
        super().__init__(server, params)
        self._class = _Client
        self._scripts: dict[tuple, Any] = {}  # per client and script: loaded once (EVALSHA)
        self._tanpa_skrip = False  # the server refused scripts (ACL, a proxy): plain GETs
        self._prefixes: dict[str, str] = {}  # _prefix's answers

    @property
    def _server(self) -> str:
        return ",".join(self._servers)

    def _aman(self, call: Callable[[], Any], gagal: Any) -> Any:
        try:
            _periksa(self._server)
            hasil = call()
        except RedisError as exc:
            _lapor_mati(self._server, exc)
            return gagal
        _lapor_pulih(self._server)
        return hasil

    # Reads: "not cached".
    def get(self, key: Any, default: Any = None, version: Any = None) -> Any:
        return self._aman(lambda: super(RedisCache, self).get(key, default, version), default)

    def get_many(self, keys: Any, version: Any = None) -> dict:
        return self._aman(lambda: super(RedisCache, self).get_many(keys, version), {})

    def has_key(self, key: Any, version: Any = None) -> bool:
        return self._aman(lambda: super(RedisCache, self).has_key(key, version), False)

    # Writes: dropped.
    def set(self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None):
        self._aman(lambda: super(RedisCache, self).set(key, value, timeout, version), None)

    def add(self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None):
        return self._aman(lambda: super(RedisCache, self).add(key, value, timeout, version), False)

    def touch(self, key: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None) -> bool:
        return self._aman(lambda: super(RedisCache, self).touch(key, timeout, version), False)

    def delete(self, key: Any, version: Any = None) -> bool:
        return self._aman(lambda: super(RedisCache, self).delete(key, version), False)

    def set_many(self, data: dict, timeout: Any = DEFAULT_TIMEOUT, version: Any = None) -> list:
        return self._aman(
            lambda: super(RedisCache, self).set_many(data, timeout, version), list(data)
        )

    def delete_many(self, keys: Any, version: Any = None) -> None:
        self._aman(lambda: super(RedisCache, self).delete_many(keys, version), None)

    def clear(self) -> bool:
        return self._aman(lambda: super(RedisCache, self).clear(), False)

    def get_berantai(self, key: str, ref_key: str, ref_prefix: str) -> tuple[Any, Any, Any]:
        """Three reads in one round trip (a Lua script): the value at `key`, the plain integer
        at `ref_key` (written by `set_many` beside it), and the value at `ref_prefix` + that
        integer; None for each that is missing, all three None while Redis is down. A key
        function that does not end keys with the name given answers no third value."""
        if self._tanpa_skrip:
            return self.get(key), None, None
        return self._aman(lambda: self._berantai(key, ref_key, ref_prefix), (None, None, None))

    def _prefix(self, prefix: str) -> str:
        # The same for every call with this prefix (key function, prefix and version are
        # settings): made once per cache object, not on every session read.
        made = self._prefixes.get(prefix)
        if made is None:
            made = self.make_and_validate_key(prefix)
            # A custom key function: a key made of this prefix cannot be spelled in Lua.
            made = self._prefixes.setdefault(
                prefix, made if self.make_key(prefix + "0") == made + "0" else ""
            )
        return made

    def _skrip(self, client: Any, source: str) -> Any:
        key = (id(client), source)
        script = self._scripts.get(key)
        if script is None:
            script = self._scripts.setdefault(key, client.register_script(source))
        return script

    def _berantai(self, key: str, ref_key: str, ref_prefix: str) -> tuple[Any, Any, Any]:
        client = self._cache.get_client(key)
        script = self._skrip(client, _BERANTAI)
        prefix = self._prefix(ref_prefix)
        keys = [self.make_and_validate_key(key), self.make_and_validate_key(ref_key)]
        try:
            hasil = script(keys=keys, args=[prefix], client=client)
        except ResponseError as exc:
            # Redis answered but will not run scripts: not an outage (that would stop every
            # cache call for JEDA_COBA). The copy alone, by GET, from now on.
            logger.warning("Redis menolak skrip Lua; sesi dibaca dengan GET: %s", exc)
            self._tanpa_skrip = True
            return self.get(key), None, None
        # A missing key comes back as None (Lua false) or as a shorter answer.
        hasil = [*hasil, None, None, None]
        loads = self._cache._serializer.loads
        value = loads(hasil[0]) if hasil[0] is not None else None
        ref = int(hasil[1]) if hasil[1] is not None else None
        chained = loads(hasil[2]) if hasil[2] is not None else None
        return value, ref, chained

    def get_sesi_dan(
        self,
        key: str,
        ref_key: str,
        ref_prefix: str,
        versi_key: str,
        sendiri_prefix: str,
        baris_prefix: str,
        tambahan: Any,
    ) -> tuple[tuple[Any, ...], dict]:
        """get_berantai, and in the same round trip the value kept for the integer at
        `ref_key` under two versions, and the keys `tambahan` as get_many reads them:
        ((value, ref, chained, version, own version, row), {key: value} of those found). The
        version is the text of the integer at `versi_key` (None: not there, nothing more read),
        the own version the one at `sendiri_prefix` + ref ("-" when not there), the row the value at
        `baris_prefix` + version + ":" + own version + ":" + ref. Redis down: what get_berantai
        answers, padded with None, nothing found; scripts refused: the keys by get_many, a round
        trip of their own."""
        kosong = (None, None, None)
        tambahan = list(tambahan)
        if self._tanpa_skrip:
            return (self.get(key), None, None, *kosong), (
                self.get_many(tambahan) if tambahan else {}
            )
        return self._aman(
            lambda: self._sesi(
                key, ref_key, ref_prefix, versi_key, sendiri_prefix, baris_prefix, tambahan
            ),
            (kosong + kosong, {}),
        )

    def _sesi(self, key, ref_key, ref_prefix, versi_key, sendiri_prefix, baris_prefix, tambahan):
        client = self._cache.get_client(key)
        script = self._skrip(client, _SESI)
        sendiri, baris = self._prefix(sendiri_prefix), self._prefix(baris_prefix)
        args = [self._prefix(ref_prefix), sendiri if sendiri and baris else "", baris]
        # make_key, not make_and_validate_key: the check only warns about keys memcached could
        # not store (length, spaces), which Redis stores; these are the session's and the page
        # cache's own keys, read on every signed-in request (±3 µs a key).
        make = self.make_key
        extra = {make(k): k for k in tambahan}
        keys = [make(k) for k in (key, ref_key, versi_key)]
        try:
            hasil = script(keys=[*keys, *extra], args=args, client=client)
        except ResponseError as exc:
            logger.warning("Redis menolak skrip Lua; sesi dibaca dengan GET: %s", exc)
            self._tanpa_skrip = True
            return (self.get(key), None, None, None, None, None), (
                self.get_many(tambahan) if tambahan else {}
            )
        loads = self._cache._serializer.loads
        sesi = (
            loads(hasil[0]) if hasil[0] is not None else None,
            int(hasil[1]) if hasil[1] is not None else None,
            loads(hasil[2]) if hasil[2] is not None else None,
            hasil[3].decode() if hasil[3] is not None else None,
            hasil[4].decode() if hasil[4] is not None else None,
            loads(hasil[5]) if hasil[5] is not None else None,
        )
        found = {
            k: loads(v) for k, v in zip(extra.values(), hasil[6:], strict=True) if v is not None
        }
        return sesi, found

    def skrip(
        self, source: str, keys: list[str], prefixes: list[str], args: list[str], nilai: Any
    ) -> list | None:
        """One Lua script in one round trip: KEYS the cache keys `keys`, ARGV the key prefixes
        `prefixes` (spelled as this cache makes keys) then `args`. Its answer, each item at an
        index in `nilai` as the cache stores values (an int, else unpickled), the others as
        text, None for nil. None when it cannot run: Redis down (logged once), scripts
        refused, a key function that cannot be spelled in Lua."""
        if self._tanpa_skrip:
            return None
        return self._aman(lambda: self._skrip_jalan(source, keys, prefixes, args, nilai), None)

    def _skrip_jalan(self, source, keys, prefixes, args, nilai):
        made = [self._prefix(p) for p in prefixes]
        if not all(made):
            return None
        client = self._cache.get_client(keys[0])
        script = self._skrip(client, source)
        try:
            hasil = script(
                keys=[self.make_and_validate_key(k) for k in keys],
                args=[*made, *args],
                client=client,
            )
        except ResponseError as exc:
            logger.warning("Redis menolak skrip Lua; sesi dibaca dengan GET: %s", exc)
            self._tanpa_skrip = True
            return None
        loads = self._cache._serializer.loads
        return [
            None if v is None else loads(v) if i in nilai else v.decode()
            for i, v in enumerate(hasil)
        ]

    def naik_versi(self, umur: dict[str, int | None]) -> None:
        """Version counters (kinerja.cache_halaman.versi_naik) in one round trip: each key in
        `umur` that exists goes up by one (INCR keeps its expiry); a missing one is made at a
        fresh value (time_ns, then the INCR: a value no page was cached under) expiring after
        its `umur` seconds (None: never). One MULTI/EXEC, so a key cannot expire between its
        SET and its INCR. Redis down: nothing (logged once), as a dropped write."""
        if umur:
            self._aman(lambda: self._naik_versi(umur), None)

    def _naik_versi(self, umur: dict[str, int | None]) -> None:
        client = self._cache.get_client(write=True)
        now = time.time_ns()
        pipe = client.pipeline(transaction=True)
        for key, detik in umur.items():
            made = self.make_and_validate_key(key)
            pipe.set(made, now, ex=detik, nx=True)
            pipe.incr(made)
        pipe.execute()

    # Counters: no value to fake.
    def incr(self, key: Any, delta: int = 1, version: Any = None) -> int:
        try:
            _periksa(self._server)
            hasil = super().incr(key, delta, version)
        except RedisError as exc:
            _lapor_mati(self._server, exc)
            raise CacheMati(str(exc)) from exc
        _lapor_pulih(self._server)
        return hasil


def hapus_naik(cache: Any, hapus: list[str], umur: dict[str, int | None]) -> bool:
    """Delete the keys `hapus` and bump the version counters `umur` (as `naik_versi` does) in
    one MULTI/EXEC round trip: a user's menu facts and their page version
    (kinerja.context_processors.nav_lupakan) were two deletes-and-bumps of a round trip each.
    False when `cache` is not this backend (the caller does it its own way); Redis down:
    nothing (logged once), as a dropped write."""
    if getattr(cache, "naik_versi", None) is None:  # not this backend (also behind the proxy)
        return False

    def jalan() -> None:
        client = cache._cache.get_client(write=True)
        now = time.time_ns()
        pipe = client.pipeline(transaction=True)
        if hapus:
            pipe.delete(*(cache.make_and_validate_key(k) for k in hapus))
        for key, detik in umur.items():
            made = cache.make_and_validate_key(key)
            pipe.set(made, now, ex=detik, nx=True)
            pipe.incr(made)
        pipe.execute()

    cache._aman(jalan, None)
    return True
