"""Helpers shared by the evaluation stage's services: access, open year, row version, notification."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError

from kinerja import policy
from kinerja.models import Periode


def _require(user: Any, action: str, obj: Any, pesan: str | None = None) -> None:
    policy.require(user, action, obj, pesan)


def _periode_terbuka(periode: Periode) -> None:
    if periode.status == Periode.Status.DITUTUP:
        raise ValidationError(f"Periode {periode.tahun} sudah ditutup; data tidak dapat diubah.")


# --- follow-up -----------------------------------------------------------------------------
HANYA_ADMIN = "Hanya admin instansi yang dapat melakukan tindakan ini."
