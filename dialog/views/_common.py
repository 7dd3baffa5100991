"""Helpers shared by the dialog stage's pages."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest

from dialog import services as svc
from kinerja.models import Pegawai


def _form_errors(form: Any, exc: ValidationError) -> None:
    """Put a service's ValidationError on the form, field by field where it can."""
    if hasattr(exc, "error_dict"):
        for field, errs in exc.error_dict.items():
            # A hidden field (row_version) shows its error at the top of the form.
            visible = field in form.fields and not form.fields[field].widget.is_hidden
            target = field if visible else None
            for e in errs:
                for m in e.messages:
                    form.add_error(target, m)
    else:
        for m in exc.messages:
            form.add_error(None, m)


def _saya(request: HttpRequest) -> Pegawai:
    try:
        return svc.pegawai_dari(request.user)
    except PermissionDenied:
        raise Http404("Halaman ini untuk pegawai.") from None


def _perilaku() -> dict[str, str]:
    return svc.kode_perilaku()
