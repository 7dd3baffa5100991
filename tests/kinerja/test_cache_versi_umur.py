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
