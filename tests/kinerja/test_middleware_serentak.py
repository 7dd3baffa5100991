"""A deadlock or serialization failure PostgreSQL broke outside a service reaches the middleware:
the user is told their change was not saved (409), not that the database is down (503)."""

from __future__ import annotations

import json

import psycopg.errors
import pytest
from django.db.utils import OperationalError
from django.test import RequestFactory

from kinerja.middleware import UNAVAILABLE, DatabaseUnavailableMiddleware
from kinerja.versi import PESAN_SERENTAK


def _galat(sebab: Exception) -> OperationalError:
    exc = OperationalError(str(sebab))
    exc.__cause__ = sebab
    return exc


def _jawab(path: str, exc: Exception):
    mw = DatabaseUnavailableMiddleware(lambda r: None)
    return mw.process_exception(RequestFactory().post(path), exc)


@pytest.mark.parametrize(
    "sebab", [psycopg.errors.DeadlockDetected("deadlock"), psycopg.errors.SerializationFailure("s")]
)
def test_a_broken_deadlock_is_a_409_that_says_nothing_was_saved(sebab):
    api = _jawab("/api/v1/skp/1/setujui/", _galat(sebab))
    assert api.status_code == 409
    assert json.loads(api.content) == {"detail": PESAN_SERENTAK}
    html = _jawab("/skp/1/", _galat(sebab))
    assert html.status_code == 409
    assert PESAN_SERENTAK in html.content.decode()
    assert "Retry-After" not in html


def test_a_lost_connection_is_still_the_503():
    api = _jawab("/api/v1/skp/1/", _galat(psycopg.OperationalError("connection refused")))
    assert api.status_code == 503
    assert json.loads(api.content) == {"detail": UNAVAILABLE}
