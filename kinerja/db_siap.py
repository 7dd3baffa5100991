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


def int8(params: list, conn: Any = None) -> list:
    """`params` for a statement run through `kursor_siap`, its integers (and lists of integers,
    `= ANY(%s)`) as int8. psycopg types a Python int by its size (int2 below 32,768, int4, int8)
    and prepares a statement once per set of types; PostgreSQL plans each preparation up to ten
    times before it keeps a generic plan, so with keys of 100,000 rows one statement was up to
    four preparations per connection (rounds twelve and thirteen). The integers these
    statements compare are keys of bigint columns: int8 is the column's own type; one written to
    an integer column (a row version) is assigned from int8 as from int4 or int2. Only for
    statements checked for int4-only functions. Already-typed values pass as they are; SQLite
    unchanged."""
    if (conn or default_connection).vendor != "postgresql":
        return params
    from psycopg.types.numeric import Int8

    return [
        Int8(p)
        if type(p) is int
        else [Int8(x) if type(x) is int else x for x in p]
        if type(p) is list
        else p
        for p in params
    ]
