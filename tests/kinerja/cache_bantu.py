"""Helpers the page-cache tests share (kinerja.cache_halaman, kinerja.cache_cakupan)."""

from __future__ import annotations

from django.db import connection

from kinerja import cache_halaman


def tanpa_tertunda() -> None:
    """A test's transaction never commits: a bump its earlier writes registered (force_login's
    last_login) would stand in for the next write's, which then registers none."""
    connection.run_on_commit = [
        e for e in connection.run_on_commit if not isinstance(e[1], cache_halaman._Tertunda)
    ]


def kunci(capture, fn) -> set[str]:
    """The versions the writes in fn() would end when their transaction commits."""
    tanpa_tertunda()
    with capture(execute=False) as callbacks:
        fn()
    keys: set[str] = set()
    for cb in callbacks:
        if isinstance(cb, cache_halaman._Tertunda):
            keys |= cb.kunci
    tanpa_tertunda()
    return keys


def commit(capture, fn):
    """Run fn() and its on-commit callbacks (the version bumps) as a committed write would."""
    tanpa_tertunda()
    with capture(execute=True):
        return fn()
