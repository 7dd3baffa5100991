"""Shared API plumbing: pagination, error shape, the policy-scoped viewset base."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers
from rest_framework.pagination import PageNumberPagination
from rest_framework.views import exception_handler as drf_exception_handler

from kinerja import policy


class Pagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


def exception_handler(exc, context):
    """Django ValidationErrors raised by services become 400 {"field": [...]} like DRF's own."""
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
