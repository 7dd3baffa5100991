"""API rate limits per credential (DRF throttles), answered with 429 and `Retry-After`.

Each integration token has its own bucket (rate `integrasi`), each account its own (rate `user`,
for personal tokens and sessions), and the sign-in (POST auth/token/) one per client address as
`kinerja.akses.alamat` finds it behind proxies and username (rate `anon`): never per address
alone, which would let one client behind a NAT slow down everyone else behind it. Rates come from
REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] (KINERJA_API_PER_MENIT and friends).
"""

from __future__ import annotations

import hashlib
from typing import Any

from rest_framework.throttling import SimpleRateThrottle

from kinerja.akses.alamat import alamat_klien
from kinerja.models import TokenIntegrasi

PESAN_429 = "Terlalu banyak permintaan; coba lagi dalam {detik} detik."


class KredensialThrottle(SimpleRateThrottle):
    """One bucket per integration token, per account, or per anonymous client address."""

    scope = "user"

    def __init__(self) -> None:
        # The scope (and so the rate) is known only once the request is seen.
        pass

    def get_rate(self) -> str | None:
        # Read at request time (DRF's class attribute is frozen at import; tests change rates).
        from rest_framework.settings import api_settings

        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def get_ident(self, request: Any) -> str:
        return alamat_klien(request)

    def _scope_ident(self, request: Any, view: Any) -> tuple[str, str]:
        if getattr(view, "throttle_anonim", False) and request.method == "POST":
            # The sign-in: per (address, username) like the lockout, so a client hammering
            # one account does not slow down its NAT neighbours signing in to theirs.
            data = request.data
            username = str(data.get("username", "")) if isinstance(data, dict) else ""
            digest = hashlib.sha256(username.encode()).hexdigest()[:16]
            return "anon", f"{self.get_ident(request)}:{digest}"
        token = getattr(request, "auth", None)
        if isinstance(token, TokenIntegrasi):
            return "integrasi", str(token.pk)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            return "user", str(user.pk)
        return "anon", self.get_ident(request)

    def allow_request(self, request: Any, view: Any) -> bool:
        self.scope, self._ident = self._scope_ident(request, view)
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)

    def get_cache_key(self, request: Any, view: Any) -> str | None:
        return self.cache_format % {"scope": self.scope, "ident": self._ident}


def skema_429(result: dict, generator: Any, request: Any, public: bool) -> dict:
    """drf-spectacular postprocessing hook: every operation documents the 429 of the rate
    limits, with its `Retry-After` header, and a public operation says `security: []`."""
    components = result.setdefault("components", {})
    components.setdefault("headers", {})["RetryAfter"] = {
        "description": "Detik sampai permintaan boleh dikirim lagi.",
        "schema": {"type": "integer", "minimum": 1},
    }
    response = {
        "description": (
            "Batas laju terlampaui (per token integrasi, per akun, atau per alamat untuk "
            "permintaan tanpa token; pada POST auth/token/ juga penguncian masuk per akun dan "
            "alamat). Ulangi sesudah `Retry-After` detik."
        ),
        "headers": {"Retry-After": {"$ref": "#/components/headers/RetryAfter"}},
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "properties": {"detail": {"type": "string"}},
                    "required": ["detail"],
                }
            }
        },
    }
    for item in result.get("paths", {}).values():
        for method, operation in item.items():
            if method in {"get", "post", "put", "patch", "delete", "head", "options"}:
                operation.setdefault("responses", {}).setdefault("429", response)
                # An operation declared with auth=[] (the sign-in) is public: say so, rather
                # than leave generators to guess from a missing key.
                operation.setdefault("security", [])
    return result
