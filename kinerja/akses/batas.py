"""A fixed one-minute request counter per key, for the pages that must not be enumerated (the
public verification page per client address, the NIP lookup per account). In the shared cache;
with Redis down it falls back to this process's memory, so enumeration stays bounded per worker
while the page keeps answering."""

from __future__ import annotations

import hashlib
import time

from django.core.cache import cache

from kinerja.redis_cache import CacheMati

PESAN_429 = "Terlalu banyak permintaan; coba lagi dalam {detik} detik."


def terlalu_sering(nama: str, ident: str, batas: int) -> bool:
    """Count one request of `ident` for `nama`; True once more than `batas` this minute."""
    key = f"{nama}:rl:" + hashlib.sha256(ident.encode()).hexdigest()[:32]
    try:
        cache.add(key, 0, timeout=60)
        try:
            n = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=60)
            n = 1
    except CacheMati:  # Redis down (logged once by the cache backend)
        n = _hitung_lokal(key)
    return n > batas


_lokal: dict[str, tuple[float, int]] = {}
_jam = time.monotonic


def _hitung_lokal(key: str) -> int:
    # The same window as in Redis: 60 s from the key's first request (the TTL set by `add`), not
    # the clock's minute, so a burst that straddles hh:mm:00 is still counted as one burst.
    now = _jam()
    mulai, n = _lokal.get(key, (now, 0))
    if now - mulai >= 60:
        mulai, n = now, 0
    if len(_lokal) > 10_000:  # bounded memory under a flood of keys
        _lokal.clear()
    _lokal[key] = (mulai, n + 1)
    return n + 1
