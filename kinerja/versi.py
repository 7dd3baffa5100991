"""Optimistic concurrency: every edit carries the `row_version` it was made on.

The one check every stage's services use: an edit based on a stale copy is refused (a 400 under
`row_version` in the API, the form again with what was typed on a page) and nothing changes.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError

PESAN_BASI = (
    "Data ini sudah diubah oleh pengguna lain sejak Anda membukanya. Perubahan Anda belum "
    "disimpan; muat ulang halaman, periksa data terbaru, lalu simpan kembali."
)


def cek_versi(obj: Any, row_version: Any) -> None:
    """Refuse an edit made on another version than `obj`'s. None or "": no version was sent
    (callers that require one check that themselves)."""
    if row_version is None or row_version == "":
        return
    try:
        versi = int(row_version)
    except (TypeError, ValueError):
        raise ValidationError({"row_version": ["Versi data tidak valid."]}) from None
    if versi != obj.row_version:
        raise ValidationError({"row_version": [PESAN_BASI]})


# --- changes PostgreSQL aborted ------------------------------------------------------------------
PESAN_SERENTAK = (
    "Data ini sedang diubah oleh pengguna lain pada saat yang sama, sehingga perubahan Anda "
    "dibatalkan dan belum disimpan. Periksa data terbaru, lalu coba lagi."
)

# PostgreSQL's codes for a transaction it ended so another could go on: a deadlock it broke
# (40P01) and a serialization failure (40001). Nothing of the transaction stays; trying again
# is safe.
SQLSTATE_SERENTAK = frozenset({"40001", "40P01"})


def serentak(exc: BaseException) -> bool:
    """`exc` (Django's DatabaseError, raised from the driver's) is PostgreSQL aborting the
    transaction for a deadlock or a serialization failure."""
    return getattr(exc.__cause__, "sqlstate", None) in SQLSTATE_SERENTAK


class Serentak(ValidationError):
    """A change PostgreSQL aborted for a deadlock or serialization failure (`serentak`): nothing
    changed. Raised by every service in place of that error (kinerja.riwayat.layanan), so the
    pages show it as any refusal, the form again with what was typed, and the API answers 409
    (kinerja.api_base.exception_handler)."""

    def __init__(self) -> None:
        super().__init__({"__all__": [PESAN_SERENTAK]}, code="serentak")
