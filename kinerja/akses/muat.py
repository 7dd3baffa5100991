"""The request's user, loaded by the session's user id: the one query every signed-in request makes.

It is `policy.dengan_actor` by key (the user, their pegawai row, whether a grant is held), read
from the database on every request as before. What is kept is only its compilation: the ORM
turns that queryset into SQL on every request, about half of the user's load in CPU (the grant's
EXISTS and the pegawai's columns; bench/temuan.md, "lantai"). Here the SQL, the column layout
and the converters are worked out once per process and database by the ORM itself, and each
request runs that SQL with its user id and builds the rows as the ORM's ModelIterable does.
Anything unexpected (another key type, a query with other parameters) takes the ORM's path.
"""

from __future__ import annotations

import threading
from typing import Any

from django.contrib.auth import get_user_model
from django.db import connections, router
from django.db.models.query import get_related_populators

from kinerja import policy
from kinerja.akses import salinan

_CONTOH = 987_654_321  # a user id to compile with; it must come back as the only parameter
_lock = threading.Lock()
_rencana: dict[tuple[str, str, str], Any] = {}


def _queryset(user_id: Any):
    users = get_user_model()._default_manager.filter(pk=user_id)
    # At most one row by its key: no ORDER BY (`.first()` adds one, and ordering beside the
    # grant's EXISTS costs a third of the compilation).
    return policy.dengan_actor(users)[:1]


class Terkompilasi:
    """A one-row queryset compiled once: SQL, where the value goes, where each model's columns
    are, converters, populators. `buat(value)` builds the queryset; `contoh` is a value to
    compile with, which must come back as exactly one parameter (else `berlaku` is False and
    callers take the ORM's path). Shared with the token's load (kinerja.akses.token)."""

    def __init__(self, buat: Any, contoh: Any, alias: str) -> None:
        compiler = buat(contoh).query.get_compiler(using=alias)
        sql, params = compiler.as_sql()  # fills select, klass_info, annotation_col_map
        self.params = list(params)
        self.posisi = [i for i, p in enumerate(self.params) if p == contoh]
        self.berlaku = len(self.posisi) == 1
        self.sql = sql
        select, klass_info = compiler.select, compiler.klass_info
        self.model = klass_info["model"]
        fields = klass_info["select_fields"]
        self.awal, self.akhir = fields[0], fields[-1] + 1
        self.init_list = [f[0].target.attname for f in select[self.awal : self.akhir]]
        self.populators = get_related_populators(klass_info, select, alias)
        self.anotasi = list(compiler.annotation_col_map.items())
        self.converters = list(compiler.get_converters([s[0] for s in select]).items())
        self.alias = alias
        self._prefix_baris: str | None = None

    @property
    def prefix_baris(self) -> str:
        """The key prefix its rows are kept under in Redis (kinerja.akses.salinan)."""
        if self._prefix_baris is None:
            self._prefix_baris = salinan.baris_prefix(self.sql, _basis_data(self.alias))
        return self._prefix_baris

    def muat(self, value: Any) -> Any:
        row = self.baris(value)
        return None if row is None else self.bangun(row)

    def baris(self, value: Any) -> tuple | None:
        """The row as the database driver returns it (None: no such row)."""
        params = list(self.params)
        params[self.posisi[0]] = value
        conn = connections[self.alias]
        # Django's cursor, not kinerja.db_siap's: once psycopg prepares a statement, Django's
        # query log records it as None, and the API tests read every request's SQL.
        with conn.cursor() as cursor:
            cursor.execute(self.sql, params)
            return cursor.fetchone()

    def bangun(self, row: Any) -> Any:
        """The model object of a row `baris` returned, as the ORM builds it."""
        conn = connections[self.alias]
        row = list(row)
        for pos, (convs, expression) in self.converters:
            value = row[pos]
            for converter in convs:
                value = converter(value, expression, conn)
            row[pos] = value
        obj = self.model.from_db(self.alias, self.init_list, row[self.awal : self.akhir])
        for populator in self.populators:
            populator.populate(row, obj)
        for attr, pos in self.anotasi:
            setattr(obj, attr, row[pos])
        return obj


def terkompilasi(nama: str, buat: Any, contoh: Any, alias: str) -> Terkompilasi:
    """The compiled load `nama` for this database, made once per process."""
    kunci = (nama, alias, connections[alias].vendor)
    rencana = _rencana.get(kunci)
    if rencana is None:
        with _lock:
            rencana = _rencana.get(kunci) or Terkompilasi(buat, contoh, alias)
            _rencana[kunci] = rencana
    return rencana


def _rencana_user() -> Terkompilasi | None:
    model = get_user_model()
    rencana = terkompilasi("user", _queryset, _CONTOH, router.db_for_read(model))
    return rencana if rencana.berlaku and rencana.model is model else None


def prefix_baris_user() -> str | None:
    """The key prefix the user rows are kept under in Redis (kinerja.akses.salinan), or None
    when the user's load is not the compiled one."""
    rencana = _rencana_user()
    return None if rencana is None else rencana.prefix_baris


def _basis_data(alias: str) -> str:
    """Which database this is: its settings, and on PostgreSQL its oid (a database dropped and
    created again under the same name, as the bench's copies are, is another one)."""
    conn = connections[alias]
    d = conn.settings_dict
    nama = f"{conn.vendor}:{d.get('HOST')}:{d.get('PORT')}:{d.get('NAME')}"
    if conn.vendor == "postgresql":
        with conn.cursor() as cursor:
            cursor.execute("SELECT oid FROM pg_database WHERE datname = current_database()")
            nama += f":{cursor.fetchone()[0]}"
    return nama


def muat_user(user_id: Any) -> Any:
    """The user with the given id, loaded with its actor facts (policy.dengan_actor), or None.

    The row comes from Redis when the request's session read it there under current versions
    (kinerja.akses.salinan), else from the database (and is kept there for the next request)."""
    if type(user_id) is int:
        rencana = _rencana_user()
        if rencana is not None:
            awal = salinan.tawaran(user_id, lambda: rencana.prefix_baris)
            if awal is None:
                return rencana.muat(user_id)
            versi, sendiri, row = awal
            if row is None:
                row = rencana.baris(user_id)
                if row is None:
                    return None
                if versi is None:
                    salinan.mulai_versi()
                else:
                    salinan.simpan(user_id, rencana.prefix_baris, versi, sendiri, tuple(row))
            return rencana.bangun(row)
    model = get_user_model()
    return next(iter(_queryset(user_id).using(router.db_for_read(model))), None)
