"""Small security helpers shared by every stage.

- `safe_cell(value)`: neutralise spreadsheet formula injection in exported cells (CSV/xlsx).
- `obtain_auth_token`: the API token endpoint, throttled by django-axes like the login page,
  answering 429 with a lock-out message instead of a silent 400.
"""

from __future__ import annotations

from typing import Any

from rest_framework import status
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.response import Response

# A cell starting with one of these is executed by Excel/LibreOffice as a formula (or DDE);
# tab and carriage return are stripped by some importers and then expose the next character.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")

LOCKED_MESSAGE = (
    "Terlalu banyak percobaan masuk yang gagal. Akun atau alamat ini dikunci sementara; "
    "coba lagi dalam 15 menit atau hubungi admin BKD."
)


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


class ThrottledObtainAuthToken(ObtainAuthToken):
    """POST {"username", "password"} -> {"token"}; locked out like the login page."""

    def _locked(self, request) -> bool:
        from axes.handlers.proxy import AxesProxyHandler

        credentials = (
            {"username": request.data.get("username", "")} if hasattr(request, "data") else None
        )
        return not AxesProxyHandler.is_allowed(request._request, credentials)

    def _refuse(self) -> Response:
        return Response({"detail": LOCKED_MESSAGE}, status=status.HTTP_429_TOO_MANY_REQUESTS)

    def post(self, request, *args, **kwargs):
        if self._locked(request):
            return self._refuse()
        return super().post(request, *args, **kwargs)


obtain_auth_token = ThrottledObtainAuthToken.as_view()
