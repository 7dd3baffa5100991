"""Small security helpers shared by every stage.

- `safe_cell(value)`: neutralise spreadsheet formula injection: the one guard every export (and
  the staff import) uses.

(The login perimeter, the API token endpoint included, is kinerja/akses/.)
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from decimal import Decimal
from typing import Any

# A cell whose text starts with one of these is executed by Excel/LibreOffice as a formula (or
# DDE). Look-alikes (full-width ＝＋－＠, small and superscript forms) count once NFKC-normalised;
# U+2212 MINUS SIGN has no NFKC form but is taken as a minus by some spreadsheets.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\u2212")
# Tab, CR and LF at the start: some importers strip them and expose what follows; treated as a
# formula start whatever follows.
LEADING_BREAKS = ("\t", "\r", "\n")


def _formula_like(text: str) -> bool:
    """Would a spreadsheet (or an importer that trims) run this text as a formula?"""
    if text.startswith(LEADING_BREAKS):
        return True
    probe = unicodedata.normalize("NFKC", text)
    # Leading whitespace and invisible characters (control, format: zero-width space, BOM...)
    # are skipped by the eye and by some importers: look at the first visible character.
    i = 0
    while i < len(probe) and (probe[i].isspace() or unicodedata.category(probe[i])[0] == "C"):
        i += 1
    return probe[i:].startswith(FORMULA_PREFIXES)


def safe_cell(value: Any) -> Any:
    """The value as it may be written to a spreadsheet cell or CSV field: the one formula guard
    every export (and the staff import) uses.

    Numbers, dates and None pass unchanged (typed cells, never formulas). Text that a spreadsheet
    would evaluate (starting with = + - @, their Unicode look-alikes, after leading whitespace or
    invisible characters, or starting with tab/CR/LF) is prefixed with an apostrophe so it is
    shown as typed (OWASP "CSV injection").
    """
    if value is None or isinstance(value, bool | int | float | Decimal | dt.date | dt.time):
        return value
    text = value if isinstance(value, str) else str(value)
    return "'" + text if _formula_like(text) else text


def is_dangerous_cell(value: Any) -> bool:
    """True for a text cell a spreadsheet would execute (used by tests over every export)."""
    return isinstance(value, str) and _formula_like(value)
