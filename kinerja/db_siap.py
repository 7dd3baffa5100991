"""A cursor whose statements PostgreSQL plans once per connection, for the hot hand-written reads.

Django's psycopg 3 cursors bind parameters on the client and psycopg never prepares them, so
PostgreSQL plans every statement on every request. For the statements a hot page runs,
planning cost more than running: the SKP page's six spent
±0.9 ms in the planner for ±0.3 ms of work at 100,000 pegawai (bench/temuan.md, "Putaran
ketujuh"). This cursor binds on the server; psycopg then prepares a statement the connection has
run five times and PostgreSQL reuses its plan. Django's own cursors are untouched: only the
statements run through this one are prepared. Still Django's cursor wrapper (query log, the
page cache's write monitor, time zone). SQLite and psycopg 2: Django's plain cursor.
"""

from __future__ import annotations

from typing import Any

from django.db import connection as default_connection

# Executions on one connection before psycopg prepares a statement (psycopg's default).
SIAP_SETELAH = 5


def kursor_siap(conn: Any = None) -> Any:
    conn = conn or default_connection
    if conn.vendor != "postgresql":
        return conn.cursor()
    try:
        from django.db.backends.postgresql.base import ServerBindingCursor
    except ImportError:  # psycopg 2: client binding, as before
        return conn.cursor()
    conn.ensure_connection()
    pg = conn.connection
    if pg.prepare_threshold is None:
        pg.prepare_threshold = SIAP_SETELAH
    pg.cursor_factory, factory = ServerBindingCursor, pg.cursor_factory
    try:
        return conn.cursor()
    finally:
        pg.cursor_factory = factory
