"""Shared API plumbing: pagination, incremental sync, ETags, strict filters, the error shape and
the policy-scoped viewset base that every API viewset inherits.

A new viewset gets all of it by inheriting `PolicyScopedMixin` (first) and giving:
    base_queryset()        the rows before the policy (ordered)
    filterset_class        a `kinerja.api_filters.StrictFilterSet` (documented, validated)
    nama_sumber            the resource's name in Bahasa Indonesia (schema descriptions)
and, when its model is an API resource, making the model inherit `kinerja.sinkron.Sinkron`.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import functools
import hashlib
import re

from django.core.exceptions import FieldDoesNotExist, FullResultSet
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DatabaseError, NotSupportedError
from django.db.models import BigIntegerField, Expression, F, TextField
from django.http import Http404, HttpResponseNotModified, JsonResponse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from rest_framework import exceptions, serializers
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param
from rest_framework.views import exception_handler as drf_exception_handler

from kinerja import policy
from kinerja.api_filters import ID_MAKS
from kinerja.db_siap import kursor_siap
from kinerja.versi import PESAN_SERENTAK, Serentak, serentak

# A row not found, or one the caller may not see (ids reveal nothing): one answer for both.
PESAN_404 = "Tidak ditemukan."

# Messages for the `row_version` every API edit must carry (optimistic concurrency).
VERSI_WAJIB = {
    "required": "Versi data (row_version) wajib dikirim; ambil data terbaru lalu kirim lagi.",
    "invalid": "Versi data (row_version) harus berupa bilangan bulat.",
    "null": "Versi data (row_version) wajib dikirim; ambil data terbaru lalu kirim lagi.",
    "max_value": "Versi data (row_version) tidak dikenal; ambil data terbaru lalu kirim lagi.",
    "min_value": "Versi data (row_version) tidak dikenal; ambil data terbaru lalu kirim lagi.",
}


def versi_field(**kwargs) -> serializers.IntegerField:
    """The `row_version` field: an integer within bigint (a word or a huge number is a 400)."""
    kwargs.setdefault("error_messages", VERSI_WAJIB)
    return serializers.IntegerField(min_value=0, max_value=ID_MAKS, **kwargs)


CURSOR_INVALID = (
    "Kursor tidak valid atau sudah kedaluwarsa. Mulai lagi dari halaman pertama dengan "
    "?cursor= tanpa nilai, lalu ikuti tautan next/previous."
)
_PK_MAX = ID_MAKS
SINKRON_PARAM = "diubah_sejak"
SINKRON_INVALID = (
    "Waktu tidak valid; gunakan ISO 8601, mis. 2026-01-31T23:00:00+07:00 (tanda + ditulis %2B)."
)
SINKRON_DESKRIPSI = (
    "Sinkronisasi inkremental: hanya baris yang berubah pada atau sesudah waktu ini (ISO 8601). "
    "Urutan menurut (`diubah`, `id`) dengan kursor: ikuti `next` sampai null; `count` bernilai "
    "null. Penghapusan ada di `perubahan/`. Mulailah sinkronisasi berikutnya beberapa menit "
    "sebelum waktu mulai sinkronisasi ini (perubahan yang sedang disimpan saat itu tetap "
    "terbaca); baris yang terbaca dua kali cukup ditimpa menurut `id`."
)
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_MIKRO = dt.timedelta(microseconds=1)
PARAM_UMUM = {"page", "page_size", "cursor", SINKRON_PARAM, "format"}


def parse_waktu(raw: str, name: str = SINKRON_PARAM) -> dt.datetime:
    """An ISO 8601 time (a date alone: its midnight; no offset: the server's time zone)."""
    text = (raw or "").strip()
    # A '+' that was not percent-encoded arrives as a space: "…T10:00:00 07:00".
    if len(text) > 19 and text[-6] == " " and text[-5:-3].isdigit():
        text = f"{text[:-6]}+{text[-5:]}"
    try:
        value = parse_datetime(text)
        if value is None:
            day = parse_date(text)
            value = dt.datetime.combine(day, dt.time()) if day else None
    except (ValueError, OverflowError):
        value = None
    if value is None or not 1900 <= value.year <= 9999:
        raise serializers.ValidationError({name: [SINKRON_INVALID]})
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    return value


class Pagination(PageNumberPagination):
    """The contract's page numbers (`?page=`, `?page_size=` up to 200, with `count`), and two
    keyset modes: `?cursor=` (empty to start) orders the list by `id` and fetches
    `WHERE id > last ORDER BY id LIMIT n`, so page N costs what page 1 costs; `?diubah_sejak=`
    (incremental sync) orders by (`diubah`, `id`) from that time on, forward only. In both
    `count` is null (counting is the cost keyset avoids) and the links carry an opaque cursor."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
    cursor_query_param = "cursor"
    cursor_query_description = (
        "Mode keyset untuk menelusuri daftar besar: kirim `cursor=` kosong untuk halaman "
        "pertama, lalu ikuti `next`/`previous`. Urut menurut `id`; `count` bernilai null. "
        "Tanpa parameter ini berlaku paginasi nomor halaman (`page`)."
    )

    def paginate_queryset(self, queryset, request, view=None):
        self.sinkron = SINKRON_PARAM in request.query_params
        self.keyset = self.sinkron or self.cursor_query_param in request.query_params
        if not self.keyset:
            rows = self._halaman_dengan_jumlah(queryset, request)
            if rows is not None:
                return rows
        if isinstance(queryset, HalamanJson):
            queryset = queryset.orm()
        if not self.keyset:
            return super().paginate_queryset(queryset, request, view)
        if not hasattr(queryset, "order_by"):
            raise serializers.ValidationError(
                {self.cursor_query_param: ["Mode kursor tidak tersedia untuk daftar ini."]}
            )
        self.request = request
        size = self.get_page_size(request)
        raw = request.query_params.get(self.cursor_query_param, "")
        if self.sinkron:
            return self._sinkron(queryset, raw, size, getattr(view, "sinkron_field", "diubah"))
        arah, batas = self._decode(raw)
        qs = queryset.order_by("pk")
        if arah == "b":
            rows = list(qs.filter(pk__lt=batas).order_by("-pk")[: size + 1])
            lebih = len(rows) > size
            rows = rows[:size][::-1]
            self.cursor_next = ("a", rows[-1].pk) if rows else None
            self.cursor_prev = ("b", rows[0].pk) if rows and lebih else None
        else:
            if batas is not None:
                qs = qs.filter(pk__gt=batas)
            rows = list(qs[: size + 1])
            lebih = len(rows) > size
            rows = rows[:size]
            self.cursor_next = ("a", rows[-1].pk) if rows and lebih else None
            self.cursor_prev = ("b", rows[0].pk) if rows and batas is not None else None
        return rows

    def _halaman_dengan_jumlah(self, queryset, request) -> list | None:
        """A page whose rows carry the list's count (the view annotated `jumlah_semua`,
        JumlahSemua): page and count in one statement, the same page and links as DRF's. None
        (DRF's own two statements) for a page number DRF reads differently (`last`, ` 2`, ...)
        and for a page past the end (DRF's 404). A HalamanJson reads its page with its own
        statement when it can."""
        halaman = queryset if isinstance(queryset, HalamanJson) else None
        if halaman is None and JUMLAH not in (getattr(queryset, "_fields", None) or ()):
            return None
        raw = request.query_params.get(self.page_query_param) or "1"
        if not _NOMOR_HALAMAN.fullmatch(raw):
            return None
        nomor, size = int(raw), self.get_page_size(request)
        if not size:
            return None
        rows = halaman.ambil((nomor - 1) * size, size) if halaman is not None else None
        if halaman is not None:
            queryset = halaman.queryset if rows is not None else halaman.orm()
        if rows is None:
            rows = list(queryset[(nomor - 1) * size : nomor * size])
        if not rows and nomor != 1:
            return None
        paginator = self.django_paginator_class(queryset, size)
        # The count as paginator.count's cached_property (HalamanJson: the second column).
        paginator.count = (rows[0][1] if halaman else getattr(rows[0], JUMLAH)) if rows else 0
        self.request = request
        self.page = paginator._get_page(rows, nomor, paginator)
        if paginator.num_pages > 1 and self.template is not None:
            self.display_page_controls = True
        return rows

    def _sinkron(self, queryset, raw: str, size: int, field: str) -> list:
        """(diubah, id) > the cursor's, ascending; the since-filter is the view's."""
        from django.db.models import Q

        qs = queryset.order_by(field, "pk")
        if raw:
            waktu, pk = self._decode_sinkron(raw)
            qs = qs.filter(Q(**{f"{field}__gt": waktu}) | Q(**{field: waktu, "pk__gt": pk}))
        rows = list(qs[: size + 1])
        lebih = len(rows) > size
        rows = rows[:size]
        last = rows[-1] if rows and lebih else None
        self.cursor_next = ("s", getattr(last, field), last.pk) if last is not None else None
        self.cursor_prev = None
        return rows

    def _decode_sinkron(self, raw: str) -> tuple[dt.datetime, int]:
        try:
            text = base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)).decode("ascii")
            arah, mikro, nilai = text.split(":", 2)
            if arah != "s" or not mikro.isdigit() or not nilai.isdigit():
                raise ValueError
            pk = int(nilai)
            waktu = _EPOCH + int(mikro) * _MIKRO
            if not 0 <= pk <= _PK_MAX:
                raise ValueError
        except (ValueError, OverflowError, UnicodeDecodeError, binascii.Error):
            raise serializers.ValidationError({self.cursor_query_param: [CURSOR_INVALID]}) from None
        return waktu, pk

    def _decode(self, raw: str) -> tuple[str, int | None]:
        if raw == "":
            return "a", None
        try:
            text = base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)).decode("ascii")
            arah, nilai = text.split(":", 1)
            pk = int(nilai)
            if arah not in {"a", "b"} or not nilai.isdigit() or not 0 <= pk <= _PK_MAX:
                raise ValueError
        except (ValueError, UnicodeDecodeError, binascii.Error):
            raise serializers.ValidationError({self.cursor_query_param: [CURSOR_INVALID]}) from None
        return arah, pk

    def _link(self, cursor: tuple | None) -> str | None:
        if cursor is None:
            return None
        if cursor[0] == "s":
            text = f"s:{(cursor[1] - _EPOCH) // _MIKRO}:{cursor[2]}"
        else:
            text = f"{cursor[0]}:{cursor[1]}"
        token = base64.urlsafe_b64encode(text.encode()).decode()
        url = remove_query_param(self.request.build_absolute_uri(), self.page_query_param)
        return replace_query_param(url, self.cursor_query_param, token.rstrip("="))

    def get_paginated_response(self, data):
        if not getattr(self, "keyset", False):
            return super().get_paginated_response(data)
        return Response(
            {
                "count": None,
                "next": self._link(self.cursor_next),
                "previous": self._link(self.cursor_prev),
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema):
        body = super().get_paginated_response_schema(schema)
        body["properties"]["count"].update(
            nullable=True,
            description="Jumlah seluruh baris; null dalam mode `cursor` dan `diubah_sejak`.",
        )
        return body

    def get_schema_operation_parameters(self, view):
        return [
            *super().get_schema_operation_parameters(view),
            {
                "name": self.cursor_query_param,
                "required": False,
                "in": "query",
                "description": self.cursor_query_description,
                "schema": {"type": "string"},
            },
            {
                "name": SINKRON_PARAM,
                "required": False,
                "in": "query",
                "description": SINKRON_DESKRIPSI,
                "schema": {"type": "string", "format": "date-time"},
            },
        ]


TIDAK_DITEMUKAN = "Data dengan id {pk_value} tidak ditemukan."


class RefPK(serializers.PrimaryKeyRelatedField):
    """A reference by id, within bigint (a larger number is "not found", not a database
    overflow), whose "not found" message can be given (`pesan`): pass the same message the
    service gives for an id the caller may not use, so a missing id and a foreign one read the
    same. `muat=False`: the validated id itself (an int), not read here; the serializer reads
    the row (and asks the policy of it) in its own validate_<field>, with the same message."""

    default_error_messages = {
        "does_not_exist": TIDAK_DITEMUKAN,
        "incorrect_type": "Harus berupa id (bilangan bulat), bukan {data_type}.",
    }

    def __init__(self, pesan: str | None = None, muat: bool = True, **kwargs):
        super().__init__(**kwargs)
        self.muat = muat
        if pesan:
            self.error_messages["does_not_exist"] = pesan

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int | str):
            self.fail("incorrect_type", data_type=type(data).__name__)
        text = str(data).strip()
        if not text.isdigit():
            self.fail("incorrect_type", data_type=type(data).__name__)
        if not 1 <= int(text) <= ID_MAKS:
            self.fail("does_not_exist", pk_value=text)
        if not self.muat:
            return int(text)
        return super().to_internal_value(int(text))


class ScopedPK(RefPK):
    """A reference that only accepts objects the caller may see: another instansi's id and an
    id that does not exist get the same message (ids reveal nothing). Needs the request in the
    serializer's context."""

    def get_queryset(self):
        request = self.context.get("request")
        return policy.scope(request.user if request else None, super().get_queryset())


class Bentrok(exceptions.APIException):
    """409: PostgreSQL aborted the change for a deadlock or a serialization failure (nothing
    changed; the same request may be sent again)."""

    status_code = 409
    default_detail = PESAN_SERENTAK
    default_code = "serentak"


def exception_handler(exc, context):
    """Django ValidationErrors raised by services become 400 {"field": [...]} like DRF's own;
    a rate limit says in Indonesian when to come back (the same seconds as `Retry-After`); a row
    not found (or outside the caller's scope: the same answer) says so in Indonesian, as an unknown
    path does, instead of DRF's English words naming the model. A change PostgreSQL aborted for
    a deadlock or a serialization failure (a service's `Serentak`, or the error itself outside a
    service) is a 409 saying so, not a 500 or the 503 of a database gone away."""
    if isinstance(exc, Serentak) or (isinstance(exc, DatabaseError) and serentak(exc)):
        exc = Bentrok()
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(PESAN_404)
    if isinstance(exc, exceptions.Throttled) and exc.wait is not None:
        from kinerja.akses.throttle import PESAN_429

        exc.detail = PESAN_429.format(detik=max(1, int(-(-exc.wait // 1))))
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "error_dict"):
            detail = {
                (k if k != "__all__" else "non_field_errors"): [
                    str(m) for e in v for m in e.messages
                ]
                for k, v in exc.error_dict.items()
            }
        else:
            detail = {"non_field_errors": [str(m) for m in exc.messages]}
        exc = serializers.ValidationError(detail)
    return drf_exception_handler(exc, context)


# --- ETag ---------------------------------------------------------------------------------------
def _etag_cocok(header: str, etag: str) -> bool:
    if header.strip() == "*":
        return True
    bare = etag.removeprefix("W/")
    return any(t.strip().removeprefix("W/") == bare for t in header.split(","))


def etag_terapkan(request, response):
    """A 200 answer to GET/HEAD carries an ETag (a hash of the body the caller gets, so it
    differs per caller's scope and changes with anything shown, nested parts included); an
    `If-None-Match` that matches gets 304 with no body. Idempotent: safe on a cached answer."""
    if (
        request.method not in ("GET", "HEAD")
        or response.status_code != 200
        or getattr(response, "streaming", False)
    ):
        return response
    if not response.has_header("ETag"):
        if hasattr(response, "render") and not getattr(response, "is_rendered", True):
            response.render()
        response["ETag"] = f'"{hashlib.sha256(response.content).hexdigest()[:32]}"'
        response.setdefault("Cache-Control", "private, no-cache")
    match = request.headers.get("If-None-Match")
    if match and _etag_cocok(match, response["ETag"]):
        not_modified = HttpResponseNotModified()
        for h in ("ETag", "Cache-Control", "Vary"):
            if response.has_header(h):
                not_modified[h] = response[h]
        return not_modified
    return response


# --- list rows written as JSON by PostgreSQL ----------------------------------------------------
# A 200-row page spent most of its time turning rows into Python values (psycopg's timestamptz
# loader in Python, a dict per row, DRF's DateTimeField per row) and those back into JSON text.
# For a flat row of numbers, texts and times PostgreSQL can write the same JSON text itself:
# `BarisJson` is one row's object as text, byte for byte what JSONRenderer gives for the dict
# the serializer builds (tests/kinerja/test_api_json_baris.py compares them), and
# `JsonTersusun` splices those texts into the page the renderer writes around them.
ANGKA, TEKS, WAKTU = "angka", "teks", "waktu"

# Python's datetime.isoformat() of the value in the current time zone, with DRF's "Z" for UTC:
# microseconds only when not zero, the offset as +HH:MM (+HH:MM:SS for an old local mean time).
# The zone is converted once per value for the wall time and once for the offset (each
# conversion is a zone lookup: an earlier form with the offset computed per use took 4 ms for
# 200 rows); the offset interval is written once, as '+' || HH:MM:SS || '|', and shaped by plain
# replacements. to_char writes a negative interval with a sign on every non-zero field
# ('-03:-30:00', '00:-25:-21'): the sign moves to the front, the inner ones go; then UTC is "Z",
# zero seconds are dropped, and the end mark goes.
_SQL_OFFSET = "'+' || to_char(({v} AT TIME ZONE '{z}') - ({v} AT TIME ZONE 'UTC'), 'HH24:MI:SS')"
_GANTI_OFFSET = (
    ("+00:-", "-00:"),
    ("+00:00:-", "-00:00:"),
    ("+-", "-"),
    (":-", ":"),
    ("+00:00:00|", "Z"),
    (":00|", ""),
    ("|", ""),
)
_SQL_WAKTU = (
    "CASE WHEN {v} IS NULL THEN 'null' ELSE '\"' "
    "|| replace(to_char({v} AT TIME ZONE '{z}', 'YYYY-MM-DD\"T\"HH24:MI:SS.US'), '.000000', '') "
    "|| {offset} || '\"' END"
)


def _sql_offset(v: str, z: str) -> str:
    sql = _SQL_OFFSET.format(v=v, z=z) + " || '|'"
    for lama, baru in _GANTI_OFFSET:
        sql = f"replace({sql}, '{lama}', '{baru}')"
    return sql


_NAMA_ZONA = re.compile(r"[A-Za-z0-9_+\-/]+")
_KUNCI = re.compile(r"[a-z_][a-z0-9_]*")


def zona_sql() -> str | None:
    """The current time zone's IANA name for PostgreSQL's AT TIME ZONE, or None when it has
    none (a fixed offset): then the rows go through the serializer."""
    from zoneinfo import ZoneInfo

    tz = timezone.get_current_timezone()
    key = tz.key if isinstance(tz, ZoneInfo) else None
    return key if key and _NAMA_ZONA.fullmatch(key) else None


@functools.lru_cache(maxsize=64)
def _sql_baris(kolom: tuple[tuple[str, str, str], ...], zona: str) -> str:
    """The row's SQL from (key, column SQL, kind): constants only (keys and the zone name are
    checked names written into the statement, so it has no parameters), made once."""
    if not _NAMA_ZONA.fullmatch(zona):
        raise ValueError(zona)
    parts: list[str] = []
    for i, (key, v, kind) in enumerate(kolom):
        if not _KUNCI.fullmatch(key):
            raise ValueError(key)
        parts.append("'" + ("{" if i == 0 else ",") + f'"{key}":' + "'")
        if kind == ANGKA:
            parts.append(f"COALESCE(({v})::text, 'null')")
        elif kind == TEKS:
            parts.append(f"COALESCE(to_json({v})::text, 'null')")
        elif kind == WAKTU:
            parts.append(_SQL_WAKTU.format(v=v, z=zona, offset=_sql_offset(v, zona)))
        else:
            raise ValueError(kind)
    parts.append("'}'")
    return "(" + " || ".join(parts) + ")"


class BarisJson(Expression):
    """One row as the compact JSON object text of `kolom` = ((key, field, kind), ...) in that
    order, kind ANGKA (integer), TEKS (text) or WAKTU (timestamptz, written in time zone `zona`
    as DRF's DateTimeField writes it); any may be null. PostgreSQL only (to_json's escaping is
    json.dumps's with ensure_ascii=False)."""

    def __init__(self, kolom: tuple[tuple[str, str, str], ...], zona: str):
        super().__init__(output_field=TextField())
        self.kolom = kolom
        self.zona = zona
        self.refs: list = []

    def resolve_expression(self, query=None, allow_joins=True, reuse=None, summarize=False, **kw):
        c = self.copy()
        c.refs = [
            F(field).resolve_expression(query, allow_joins, reuse, summarize)
            for _key, field, _kind in self.kolom
        ]
        return c

    def get_source_expressions(self):
        return list(self.refs)

    def set_source_expressions(self, exprs):
        self.refs = list(exprs)

    def as_sql(self, compiler, connection):
        if connection.vendor != "postgresql":
            raise NotSupportedError("BarisJson hanya untuk PostgreSQL.")
        cols = []
        for (key, _field, kind), ref in zip(self.kolom, self.refs, strict=True):
            v, p = compiler.compile(ref)
            if p:
                raise NotSupportedError("BarisJson: kolom dengan parameter.")
            cols.append((key, v, kind))
        return _sql_baris(tuple(cols), self.zona), []


JUMLAH = "jumlah_semua"
_NOMOR_HALAMAN = re.compile(r"[1-9][0-9]{0,8}")


class JumlahSemua(Expression):
    """COUNT(*) of every row the query's WHERE keeps, as a column of each of its rows: a list
    page and its count in one statement (Pagination reads it when the queryset selects it as
    `jumlah_semua`). For a query on one table with no join, DISTINCT or grouping: the table's
    name in the subquery's own FROM hides the outer one, so the same WHERE text counts the
    table's rows (filters added after the annotation are in it: it is written at compile
    time). PostgreSQL only."""

    empty_result_set_value = 0

    def __init__(self):
        super().__init__(output_field=BigIntegerField())

    def as_sql(self, compiler, connection):
        q = compiler.query
        alias = q.base_table
        table = q.alias_map[alias].table_name if alias else None
        if (
            connection.vendor != "postgresql"
            or any(q.alias_refcount[a] for a in q.alias_map if a != alias)  # a join
            or alias != table
            or q.distinct
            or q.group_by
            or q.combinator
        ):
            raise NotSupportedError("JumlahSemua: hanya kueri satu tabel tanpa join.")
        try:
            where, params = compiler.compile(q.where)
        except FullResultSet:
            where, params = "", []
        sql = f"SELECT COUNT(*) FROM {compiler.quote_name_unless_alias(table)}"
        return f"({sql} WHERE {where})" if where else f"({sql})", list(params)


class HalamanJson:
    """A page-numbered list of `queryset` (the policy's scope and the filters applied, not
    annotated) whose rows are BarisJson texts of `kolom`, counted in the same statement: read by
    Pagination with one statement written here around the queryset's own WHERE, compiled by
    the ORM as it would be for the ORM's statement (`orm()`, the same rows: BarisJson and
    JumlahSemua), which is what building, resolving and compiling that annotated queryset cost
    for a 200-row page: about 1 ms of the request's 3 ms of Python. Only a query on one table
    ordered by its own fields, with no join, DISTINCT, grouping, slice or extra; otherwise
    `ambil` answers None and the page goes through `orm()`."""

    def __init__(self, queryset, kolom: tuple[tuple[str, str, str], ...], zona: str):
        self.queryset = queryset
        self.kolom = kolom
        self.zona = zona

    def orm(self):
        qs = self.queryset.annotate(baris_json=BarisJson(self.kolom, self.zona))
        return qs.annotate(**{JUMLAH: JumlahSemua()}).values_list("baris_json", JUMLAH, named=True)

    def ambil(self, offset: int, limit: int) -> list | None:
        """Rows `offset` to `offset + limit` as (JSON text, count of the whole list) tuples,
        as `orm()` gives them, or None when this query is not one `_sql` can write."""
        from django.core.exceptions import EmptyResultSet
        from django.db import connections

        qs = self.queryset
        try:
            sql, params = self._sql(qs.query.get_compiler(qs.db))
        except EmptyResultSet:
            return []  # as the ORM: nothing can match, no statement
        if sql is None:
            return None
        sql += f" LIMIT {int(limit)}" + (f" OFFSET {int(offset)}" if offset else "")
        # Prepared (planning ±0.4 of ±1.6 ms); generic plan: index api_pegawai_daftar (0014).
        with kursor_siap(connections[qs.db]) as cursor:
            cursor.execute(sql, params * 2)
            return cursor.fetchall()

    def _sql(self, compiler) -> tuple[str | None, list]:
        q, connection = compiler.query, compiler.connection
        if not q.alias_map:
            # No table named yet (nothing filtered: the superuser's scope). Not `base_table`,
            # a cached property that would keep None for the queryset's later compiles.
            if q.where:
                return None, []
            alias = table = q.model._meta.db_table
        else:
            alias = q.base_table
            table = q.alias_map[alias].table_name
        if (
            connection.vendor != "postgresql"
            or alias != table
            or any(q.alias_refcount[a] for a in q.alias_map if a != alias)  # a join
            or q.distinct
            or q.group_by
            or q.combinator
            or q.annotations
            or q.extra
            or q.extra_order_by
            or q.select_related
            or not q.standard_ordering
            or q.low_mark
            or q.high_mark is not None
            or not q.order_by
            or not all(isinstance(name, str) for name in q.order_by)
        ):
            return None, []
        kerangka = _kerangka(q.model, table, tuple(q.order_by), self.kolom, self.zona)
        if kerangka is None:
            return None, []
        select, tabel, order = kerangka
        try:
            where, params = compiler.compile(q.where)
            where = f" WHERE {where}"
        except FullResultSet:
            where, params = "", []
        jumlah = f"(SELECT COUNT(*) FROM {tabel}{where})"
        return f"{select}, {jumlah} FROM {tabel}{where} ORDER BY {order}", list(params)


@functools.lru_cache(maxsize=64)
def _kerangka(model, table: str, order_by: tuple, kolom: tuple, zona: str) -> tuple | None:
    """HalamanJson's statement but its WHERE: (SELECT of the row's JSON, the quoted table,
    ORDER BY), made once per list; None when the ordering is not the table's own fields."""
    from django.db import connection

    meta, qn = model._meta, connection.ops.quote_name
    tabel = qn(table)
    order = []
    for name in order_by:
        if not _KUNCI.fullmatch(name.lstrip("-")):
            return None
        try:
            field = meta.pk if name.lstrip("-") == "pk" else meta.get_field(name.lstrip("-"))
        except FieldDoesNotExist:  # a lookup through a relation, an annotation
            return None
        if field.is_relation or field.model is not model:
            return None
        order.append(f"{tabel}.{qn(field.column)} {'DESC' if name.startswith('-') else 'ASC'}")
    cols = tuple(
        (key, f"{tabel}.{qn(meta.get_field(name).column)}", kind) for key, name, kind in kolom
    )
    return f"SELECT {_sql_baris(cols, zona)} AS baris_json", tabel, ", ".join(order)


class JsonTersusun(Response):
    """A list page whose rows are JSON texts already (BarisJson): the renderer writes the rest
    of the page (`data`, with `results` empty) and the rows go in its place, escaped as
    JSONRenderer escapes its output. Only for the plain JSONRenderer (`json_polos`)."""

    def __init__(self, data: dict, hasil: list[str], **kwargs):
        super().__init__(data, **kwargs)
        self.hasil = hasil

    @property
    def rendered_content(self):
        ret = super().rendered_content
        akhir = b'"results":[]}'
        if not ret.endswith(akhir):
            raise ValueError("JsonTersusun: halaman tidak berakhir dengan results kosong.")
        rows = ",".join(self.hasil).replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
        return b"".join((ret[:-2], rows.encode(), b"]}"))


def json_polos(request, view) -> bool:
    """The answer goes out through DRF's JSONRenderer with its default settings (compact, not
    ASCII-escaped, no indent asked): what BarisJson's text is equal to. Otherwise (the browsable
    API, `; indent=4`, other settings) the view serializes as usual."""
    from rest_framework.renderers import JSONRenderer

    renderer = getattr(request, "accepted_renderer", None)
    if type(renderer) is not JSONRenderer or renderer.ensure_ascii or not renderer.compact:
        return False
    return renderer.get_indent(request.accepted_media_type, view.get_renderer_context()) is None


# --- the base of every API viewset ------------------------------------------------------------
PARAM_TIDAK_DIKENAL = "Parameter tidak dikenal untuk daftar ini. Yang diterima: {}."


class PolicyScopedMixin:
    """The base of every API viewset (put it first):

    - `get_queryset` always goes through the policy; subclasses give `base_queryset()`;
    - a list accepts only its documented query parameters (its FilterSet's, `page`,
      `page_size`, `cursor`, `diubah_sejak`, and `extra_query_params`): anything else is a
      400 naming it, checked before anything is read;
    - `?diubah_sejak=` keeps rows whose `sinkron_field` is at or after that time, in
      (`diubah`, `id`) order with a cursor (Pagination);
    - GET answers carry an ETag; `If-None-Match` gives 304.
    """

    extra_query_params: tuple[str, ...] = ()
    sinkron_field = "diubah"
    nama_sumber = ""

    def base_queryset(self):
        raise NotImplementedError

    def get_queryset(self):
        return policy.scope(self.request.user, self.base_queryset())

    def _parameter_diterima(self) -> set[str]:
        names = set(PARAM_UMUM) | set(self.extra_query_params)
        fs = getattr(self, "filterset_class", None)
        if fs is not None:
            names |= set(fs.base_filters)
        # Viewsets that parse their own parameters (kinerja.api_filters.saring) declare them.
        names |= set(getattr(self, "param", {}) or {})
        model = getattr(getattr(self, "serializer_class", None), "Meta", None)
        model = getattr(model, "model", None)
        if model is not None and not any(
            f.name == self.sinkron_field for f in model._meta.get_fields()
        ):
            names.discard(SINKRON_PARAM)  # no change time to sync on
        return names

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if getattr(self, "action", None) == "list":
            diterima = self._parameter_diterima()
            asing = sorted(set(request.query_params) - diterima)
            if asing:
                pesan = PARAM_TIDAK_DIKENAL.format(", ".join(sorted(diterima - {"format"})))
                raise serializers.ValidationError({name: [pesan] for name in asing})
            if SINKRON_PARAM in request.query_params:
                self.diubah_sejak = parse_waktu(request.query_params[SINKRON_PARAM])

    def filter_queryset(self, queryset):
        if getattr(self, "action", None) != "list" and not self.request.query_params:
            # One row by its id with no parameter: every filter skips an empty value, so the
            # FilterSet (and its form) built for it would return the queryset as it is.
            return queryset
        if not self._tanpa_saringan():
            queryset = super().filter_queryset(queryset)
        since = getattr(self, "diubah_sejak", None)
        if since is not None and getattr(self, "action", None) == "list":
            queryset = queryset.filter(**{f"{self.sinkron_field}__gte": since})
        return queryset

    def _tanpa_saringan(self) -> bool:
        """No filter was asked (only page, page_size, cursor, diubah_sejak, format): the
        FilterSet would bind an empty form and filter nothing. Building it (a deep copy of its
        filters, a form class, validation) was a quarter of the pegawai list's CPU."""
        from django_filters.rest_framework import DjangoFilterBackend

        fs = getattr(self, "filterset_class", None)
        return (
            fs is not None
            and set(self.request.query_params) <= PARAM_UMUM
            and PARAM_UMUM.isdisjoint(fs.base_filters)
            and all(b is DjangoFilterBackend for b in self.filter_backends)
        )

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        return etag_terapkan(request, response)


def api_404(request, exception=None):
    """Unknown paths: JSON under /api/, the site's page elsewhere."""
    if request.path.startswith("/api/"):
        # Compact like DRF's renderer: one answer, byte for byte, for every 404 of the API.
        return JsonResponse(
            {"detail": PESAN_404}, status=404, json_dumps_params={"separators": (",", ":")}
        )
    from django.views.defaults import page_not_found

    return page_not_found(request, exception)


def api_400(request, exception=None):
    """Malformed input (kinerja.masukan.MasukanSalah and Django's BadRequest): its message in
    JSON under /api/, the site's 400 page elsewhere."""
    from kinerja.masukan import MasukanSalah

    pesan = str(exception) if isinstance(exception, MasukanSalah) else ""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": pesan or "Permintaan tidak valid."}, status=400)
    from django.shortcuts import render

    return render(request, "400.html", {"pesan": pesan}, status=400)


def api_500(request):
    if request.path.startswith("/api/"):
        return JsonResponse(
            {"detail": "Terjadi kesalahan pada server; sudah dicatat. Coba lagi nanti."},
            status=500,
        )
    from django.views.defaults import server_error

    return server_error(request)
