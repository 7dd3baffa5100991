"""Ids and versions from page forms and query strings, parsed once (issue 15, item 7).

`request.GET["unit"]` handed to `filter(pk=...)` is a 500 for `abc`, and `int(...)` of
`99999999999999999999` overflows the database's bigint; a view asks here instead. Malformed
input raises `MasukanSalah` (a Django BadRequest), which the site answers with a 400 page (or
JSON under /api/) carrying the message in Indonesian; nothing was read or written.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import BadRequest

# The largest id PostgreSQL's bigint (BigAutoField) holds.
MAKS = 2**63 - 1


class MasukanSalah(BadRequest):
    """Malformed input: a 400 with this message."""


def _angka(data: Mapping[str, Any], nama: str, label: str, wajib: bool, minimum: int) -> int | None:
    raw = data.get(nama)
    if raw is None or str(raw).strip() == "":
        if wajib:
            raise MasukanSalah(f"{label} wajib diisi.")
        return None
    teks = str(raw).strip()
    # ASCII digits only: int() would also take "１２", "+3", "1_000" and " 7 ".
    if not (teks.isascii() and teks.isdigit()) or not (minimum <= int(teks) <= MAKS):
        raise MasukanSalah(f"{label} tidak valid: isi dengan bilangan bulat, bukan {teks[:30]!r}.")
    return int(teks)


def id_dari(
    data: Mapping[str, Any], nama: str, *, label: str | None = None, wajib: bool = False
) -> int | None:
    """The positive integer id in data[nama], None when absent/empty (unless wajib)."""
    return _angka(data, nama, label or f"Parameter {nama}", wajib, 1)


def versi_dari(data: Mapping[str, Any], nama: str = "row_version") -> int | None:
    """The optimistic-lock version (0 or more) in data[nama], None when absent."""
    return _angka(data, nama, "Versi data (row_version)", False, 0)
