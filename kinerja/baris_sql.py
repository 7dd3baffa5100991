"""Model instances from hand-written SQL rows, as the ORM reading gives them.

The hot pages' reads are plain SQL (skp.selectors_halaman, evaluasi.selectors_distribusi): at
100,000 pegawai building the ORM statement cost more than PostgreSQL running it. `kolom` is a
model's SELECT list under a table alias; `objek` turns the matching slice of a row back into the
instance `Model.from_db` makes, with the backend's converters (SQLite in `make run` gives dates
as text and booleans as 0/1), or None when a left-joined row is absent.
"""

from __future__ import annotations

from functools import cache

from django.db import DEFAULT_DB_ALIAS, connection
from django.db.models import Model
from django.db.models.base import ModelState
from django.db.models.fields.related_descriptors import ForeignKeyDeferredAttribute
from django.db.models.query_utils import DeferredAttribute
from django.db.models.signals import post_init, pre_init


@cache
def bentuk(model: type[Model], alias: str, only: tuple[str, ...] = ()) -> tuple:
    """(attnames, SELECT list, converters by position, position of the primary key) of the
    model's concrete columns, or of `only` (attnames, in the model's field order: `from_db`
    defers the others)."""
    q = connection.ops.quote_name
    fields = [f for f in model._meta.concrete_fields if not only or f.attname in only]
    names = [f.attname for f in fields]
    sql = ", ".join(f"{alias}.{q(f.column)}" for f in fields)
    cols = [f.get_col(model._meta.db_table) for f in fields]
    compiler = model.objects.none().query.get_compiler(connection.alias)
    conv = list(compiler.get_converters(cols).items())
    return names, sql, conv, names.index(model._meta.pk.attname)


def kolom(model: type[Model], alias: str, only: tuple[str, ...] = ()) -> str:
    """The SELECT list of the model's columns (or of `only`) under table alias `alias`."""
    return bentuk(model, alias, only)[1]


def objek(model: type[Model], alias: str, row: tuple, i: int, only: tuple = ()) -> tuple:
    """(instance or None when the left-joined row is absent, next column) from `row` at `i`."""
    names, _sql, conv, pk = bentuk(model, alias, only)
    end = i + len(names)
    if row[i + pk] is None:
        return None, end
    vals = list(row[i:end])
    for pos, (fns, col) in conv:
        for fn in fns:
            vals[pos] = fn(vals[pos], col, connection)
    if not langsung(model) or pre_init.has_listeners(model) or post_init.has_listeners(model):
        return model.from_db(DEFAULT_DB_ALIAS, names, vals), end
    obj = model.__new__(model)
    obj._state = state = ModelState()
    state.adding, state.db = False, DEFAULT_DB_ALIAS
    obj.__dict__.update(zip(names, vals, strict=True))
    return obj, end


# The descriptors of plain columns and foreign keys: setting one on a new instance stores the
# value in its __dict__, nothing else (ForeignKeyDeferredAttribute clears a cached object when
# there is one; a new instance has none).
_POLOS = (DeferredAttribute, ForeignKeyDeferredAttribute)


@cache
def langsung(model: type[Model]) -> bool:
    """Whether `from_db` of `model` only stores the values: Model's own __init__ and from_db,
    and each concrete column's attribute a plain descriptor of the model itself (a FileField's,
    an inherited parent's, a custom one: no). Signals are asked per call (a receiver may be
    connected later)."""
    return (
        model.__init__ is Model.__init__
        and model.from_db.__func__ is Model.from_db.__func__
        and all(type(model.__dict__.get(f.attname)) in _POLOS for f in model._meta.concrete_fields)
    )


# --- a new row's INSERT, compiled once ----------------------------------------------------------
@cache
def sisip(model: type[Model]) -> tuple[str, tuple] | None:
    """(the INSERT `Model.save()` executes for a new row of `model`, its fields in parameter
    order): every local concrete column but an auto primary key, RETURNING the key and the
    `db_returning` columns, compiled by the ORM once per process. For writes on the hot path
    (issue 19), whose SQL the page cache reads as it reads the ORM's. None when a column's value
    is not one plain parameter (a database default): the caller saves through the ORM."""
    from django.db.models.sql import InsertQuery

    meta = model._meta
    fields = tuple(
        f for f in meta.local_concrete_fields if f is not meta.auto_field and not f.generated
    )
    query = InsertQuery(model)
    query.insert_values(fields, [model()])
    compiler = query.get_compiler(connection.alias)
    compiler.returning_fields = meta.db_returning_fields
    ((sql, params),) = compiler.as_sql()
    head, _sep, values = sql.partition(" VALUES ")
    polos = "(" + ", ".join(["%s"] * len(fields)) + ")"
    return (sql, fields) if len(params) == len(fields) and values.startswith(polos) else None


def nilai_sisip(obj: Model, fields: tuple) -> list:
    """The parameters of `sisip(type(obj))` for `obj`, as the ORM's insert prepares them
    (`pre_save` fills auto_now_add and the like on `obj` too)."""
    return [f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields]
