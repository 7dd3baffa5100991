"""Small security helpers shared by every stage.

- `safe_cell(value)`: neutralise spreadsheet formula injection in exported cells (CSV/xlsx).

(The login perimeter, the API token endpoint included, is kinerja/akses/.)
"""

from __future__ import annotations

from typing import Any

# A cell starting with one of these is executed by Excel/LibreOffice as a formula (or DDE);
# tab and carriage return are stripped by some importers and then expose the next character.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def safe_cell(value: Any) -> Any:
    """The value as it may be written to a spreadsheet cell or CSV field.

    Numbers, dates and None pass unchanged (they are typed cells, never formulas). Text that a
    spreadsheet would evaluate (=, +, -, @, a leading tab/CR/LF, or their full-width forms) is
    prefixed with an apostrophe so it is shown as typed (OWASP "CSV injection").
    """
    if value is None or isinstance(value, bool | int | float):
        return value
    if not isinstance(value, str):
        try:
            import datetime as dt
            import decimal

            if isinstance(value, dt.date | dt.datetime | dt.time | decimal.Decimal):
                return value
        except ImportError:  # pragma: no cover
            pass
        value = str(value)
    if value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def is_dangerous_cell(value: Any) -> bool:
    """True for a text cell a spreadsheet would execute (used by tests over every export)."""
    return isinstance(value, str) and value.startswith(FORMULA_PREFIXES)
