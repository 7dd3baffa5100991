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
