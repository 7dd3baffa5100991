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


def frekuensi_terkunci(*, before: Periode | None, after: Periode) -> None:
    """The frequency of a year is fixed once any evaluation of that year exists (registered as a
    Periode rule of `kinerja.services.organisasi_simpan`: pages, import and API alike)."""
    if before is None or before.frekuensi == after.frekuensi:
        return
    from evaluasi.models import Evaluasi

    n = Evaluasi.objects.filter(periode_id=before.pk).count()
    if n:
        raise ValidationError(
            {
                "frekuensi": [
                    f"Frekuensi evaluasi tahun {before.tahun} tidak dapat diubah: sudah ada "
                    f"{n} evaluasi kinerja pada tahun ini ({before.get_frekuensi_display()})."
                ]
            }
        )
