"""kinerja/celery.py: pool processes keep database connections as Django's requests do (closed
only past CONN_MAX_AGE or after an error), and never touch an eager (in-process) task's."""

from __future__ import annotations

import time
from types import SimpleNamespace

import pytest
from django.db import connection

from kinerja.celery import _django_connections, app

pytestmark = pytest.mark.django_db(transaction=True)


def _task(eager: bool) -> SimpleNamespace:
    return SimpleNamespace(request=SimpleNamespace(is_eager=eager))


def test_celery_fixup_leaves_connections_to_us():
    from celery.fixups.django import DjangoWorkerFixup

    assert DjangoWorkerFixup(app).db_reuse_max >= 1000


def test_a_fresh_connection_is_kept_and_an_obsolete_one_closed():
    connection.ensure_connection()
    raw = connection.connection
    connection.close_at = time.monotonic() + 60
    _django_connections(sender=_task(eager=False))
    assert connection.connection is raw
    connection.close_at = time.monotonic() - 1  # past CONN_MAX_AGE
    _django_connections(sender=_task(eager=False))
    assert connection.connection is None


def test_eager_tasks_leave_the_connection_alone():
    connection.ensure_connection()
    raw = connection.connection
    connection.close_at = time.monotonic() - 1
    _django_connections(sender=_task(eager=True))
    assert connection.connection is raw
