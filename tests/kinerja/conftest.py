"""Fixtures of the tests in tests/kinerja."""

from __future__ import annotations

import pytest


@pytest.fixture
def on(settings):
    """Page cache on, as in production; the tests' own locmem cache stands in for Redis."""
    from django.core.cache import cache

    cache.clear()
    settings.KINERJA_HALAMAN_DETIK = 120
    return cache
