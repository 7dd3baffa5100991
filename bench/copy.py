"""Bulk writing for the scale generator: rows as dicts of attnames, written with PostgreSQL COPY.

A `Table` fills every column a row does not name from the model itself (auto_now fields get the
generator's clock, fields with a default get it, UUID defaults come from the seeded RNG so a run
is deterministic, nullable fields get NULL, blank text fields ""), so a stage keeps working when
its owner adds a column with a default. A column that has no value and no default raises
`MissingValue`, which skips the stage with a clear message instead of writing garbage.

Primary keys are assigned here (max(id) + 1 ...), so rows can point at each other before they
are written; the identity sequence is moved past them when the table is flushed.
On SQLite (no COPY) rows go through `bulk_create`, which is what the unit tests may use.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from collections.abc import Callable
from typing import Any

from django.db import connection, models


class MissingValue(Exception):
    pass


def _jsonb(value: Any) -> Any:
    from psycopg.types.json import Jsonb

    return Jsonb(value)


class Table:
    FLUSH_EVERY = 20000

    def __init__(self, model: type[models.Model], *, rng: random.Random, now: dt.datetime):
        self.model = model
        self.rng = rng
        self.now = now
        self.fields = list(model._meta.concrete_fields)
        self.pk = model._meta.pk
        self.columns = [f.column for f in self.fields]
        self.table = model._meta.db_table
        self.buffer: list[tuple] = []
        self.written = 0
        self._fillers: list[tuple[str, Callable[[], Any] | None, Any, bool]] = []
        for f in self.fields:
            self._fillers.append(
                (f.attname, *self._default_for(f), isinstance(f, models.JSONField))
            )
        self.attnames = {f.attname for f in self.fields} | {f.name for f in self.fields}
        with connection.cursor() as c:
            c.execute(f'SELECT COALESCE(MAX("{self.pk.column}"), 0) FROM "{self.table}"')
            self.next_id = int(c.fetchone()[0]) + 1
        self.first_id = self.next_id

    # -- defaults -----------------------------------------------------------------------------
    def _default_for(self, f: models.Field) -> tuple[Callable[[], Any] | None, Any]:
        if f.primary_key:
            return None, None
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            return None, self.now
        if f.has_default():
            d = f.default
            if d is uuid.uuid4:
                return (lambda: uuid.UUID(int=self.rng.getrandbits(128), version=4)), None
            if callable(d):
                return d, None
            return None, d
        if f.null:
            return None, None
        if isinstance(f, (models.CharField, models.TextField)) and f.blank:
            return None, ""
        if isinstance(f, models.FileField):
            return None, ""

        def missing() -> Any:
            raise MissingValue(f"{self.model._meta.label}.{f.name} wajib diisi generator")

        return missing, None

    # -- rows ---------------------------------------------------------------------------------
    def new_id(self) -> int:
        i = self.next_id
        self.next_id += 1
        return i

    def add(self, row: dict[str, Any]) -> int:
        """Queue one row; returns its primary key (given as `id` or assigned)."""
        pk = row.get(self.pk.attname)
        if pk is None:
            pk = self.new_id()
        out = []
        for attname, fn, const, is_json in self._fillers:
            if attname == self.pk.attname:
                out.append(pk)
                continue
            if attname in row:
                v = row[attname]
            elif fn is not None:
                v = fn()
            else:
                v = const
            if is_json and v is not None:
                v = _jsonb(v)
            out.append(v)
        self.buffer.append(tuple(out))
        if len(self.buffer) >= self.FLUSH_EVERY:
            self.flush()
        return pk

    def flush(self) -> None:
        if not self.buffer:
            return
        rows, self.buffer = self.buffer, []
        if connection.vendor == "postgresql":
            cols = ", ".join(f'"{c}"' for c in self.columns)
            with (
                connection.cursor() as c,
                c.cursor.copy(f'COPY "{self.table}" ({cols}) FROM STDIN') as cp,
            ):
                for r in rows:
                    cp.write_row(r)
        else:  # pragma: no cover - SQLite fallback
            objs = []
            for r in rows:
                obj = self.model()
                for f, v in zip(self.fields, r, strict=True):
                    setattr(obj, f.attname, getattr(v, "obj", v))
                objs.append(obj)
            self.model.objects.bulk_create(objs, batch_size=500)
        self.written += len(rows)

    def close(self) -> None:
        self.flush()
        if connection.vendor == "postgresql" and self.next_id > self.first_id:
            with connection.cursor() as c:
                c.execute(
                    "SELECT setval(pg_get_serial_sequence(%s, %s), %s)",
                    [f'"{self.table}"', self.pk.column, self.next_id - 1],
                )


class Tables:
    """One `Table` per model, created on first use; `close()` flushes them in creation order."""

    def __init__(self, *, rng: random.Random, now: dt.datetime):
        self.rng = rng
        self.now = now
        self._t: dict[type[models.Model], Table] = {}

    def __getitem__(self, model: type[models.Model]) -> Table:
        if model not in self._t:
            self._t[model] = Table(model, rng=self.rng, now=self.now)
        return self._t[model]

    def close(self) -> None:
        for t in self._t.values():
            t.close()

    def counts(self) -> dict[str, int]:
        return {t.model._meta.label: t.written for t in self._t.values()}
