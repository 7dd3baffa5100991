"""Shared API plumbing: pagination, error shape, the policy-scoped viewset base."""

from __future__ import annotations

import base64
import binascii

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions, serializers
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param
from rest_framework.views import exception_handler as drf_exception_handler

from kinerja import policy

# Messages for the `row_version` every API edit must carry (optimistic concurrency).
VERSI_WAJIB = {
    "required": "Versi data (row_version) wajib dikirim; ambil data terbaru lalu kirim lagi.",
    "invalid": "Versi data (row_version) harus berupa bilangan bulat.",
    "null": "Versi data (row_version) wajib dikirim; ambil data terbaru lalu kirim lagi.",
}

CURSOR_INVALID = (
    "Kursor tidak valid atau sudah kedaluwarsa. Mulai lagi dari halaman pertama dengan "
    "?cursor= tanpa nilai, lalu ikuti tautan next/previous."
)
_PK_MAX = 2**63 - 1  # bigint: a larger number is no row of ours


class Pagination(PageNumberPagination):
    """The contract's page numbers (`?page=`, `?page_size=` up to 200, with `count`), and a
    keyset mode for deep paging: `?cursor=` (empty to start) orders the list by `id` and
    fetches `WHERE id > last ORDER BY id LIMIT n`, so page N costs what page 1 costs. In
    cursor mode `count` is null (counting the whole list is the cost keyset avoids) and the
    `next`/`previous` links carry an opaque cursor."""

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
        self.keyset = self.cursor_query_param in request.query_params
        if not self.keyset:
            return super().paginate_queryset(queryset, request, view)
        if not hasattr(queryset, "order_by"):
            raise serializers.ValidationError(
                {self.cursor_query_param: ["Mode kursor tidak tersedia untuk daftar ini."]}
            )
        self.request = request
        size = self.get_page_size(request)
        arah, batas = self._decode(request.query_params[self.cursor_query_param])
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

    def _link(self, cursor: tuple[str, int] | None) -> str | None:
        if cursor is None:
            return None
        token = base64.urlsafe_b64encode(f"{cursor[0]}:{cursor[1]}".encode()).decode()
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
            nullable=True, description="Jumlah seluruh baris; null dalam mode `cursor`."
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
        ]


def exception_handler(exc, context):
    """Django ValidationErrors raised by services become 400 {"field": [...]} like DRF's own;
    a rate limit says in Indonesian when to come back (the same seconds as `Retry-After`)."""
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


class PolicyScopedMixin:
    """`get_queryset` always goes through the policy; subclasses give `base_queryset()`."""

    def base_queryset(self):
        raise NotImplementedError

    def get_queryset(self):
        return policy.scope(self.request.user, self.base_queryset())
