"""API rate limits per credential (DRF throttles), answered with 429 and `Retry-After`.

Each integration token has its own bucket (rate `integrasi`), each account its own (rate `user`,
for personal tokens and sessions), and the sign-in (POST auth/token/) one per client address as
`kinerja.akses.alamat` finds it behind proxies and username (rate `anon`): never per address
alone, which would let one client behind a NAT slow down everyone else behind it. Rates come from
REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] (KINERJA_API_PER_MENIT and friends).

With the Redis cache (kinerja.redis_cache) the window is one Lua script, one round trip per
request: DRF's own throttle reads the whole history (a pickled list of every request in the
window, up to the rate's number) and writes it back, two round trips whose payload grows with
the rate. The script keeps the same window in a Redis list under its own key and decides as DRF
does (drop the times at or before now − duration, refuse when as many as the rate remain,
otherwise add now and expire after the duration); the same `Retry-After`. Any other cache, or a
Redis that refuses scripts: DRF's way.
"""

from __future__ import annotations

import hashlib
import logging
from typing import Any

from redis.exceptions import NoScriptError, ResponseError
from rest_framework.throttling import SimpleRateThrottle

from kinerja.akses.alamat import alamat_klien
from kinerja.akses.jendela_lua import FUNGSI
from kinerja.models import TokenIntegrasi

PESAN_429 = "Terlalu banyak permintaan; coba lagi dalam {detik} detik."
logger = logging.getLogger("kinerja.cache")

# The window (kinerja.akses.jendela_lua). ARGV: now, duration, the rate's number.
_JENDELA = FUNGSI + "return jendela(KEYS[1], ARGV[1], ARGV[2], ARGV[3])\n"
# Not DRF's key: a list where an older process reads its pickled history would be an error.
_FORMAT_JENDELA = "laju_%(scope)s_%(ident)s"


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
        self._jumlah = None  # the script's answer, when it ran (wait())
        if self.rate is not None:
            putusan = self._dilipat(request)
            if putusan is None:
                putusan = self._jendela_redis()
            if putusan is not None:
                return putusan
        return super().allow_request(request, view)

    def _dilipat(self, request: Any) -> bool | None:
        """The verdict the personal token's round trip already reached for this very window
        (kinerja.akses.token.jendela_dilipat: the same script's steps, at authentication), or
        None: no such verdict, or (never expected) another window, then taken back."""
        simpan = getattr(request, "__dict__", {}).pop("_kinerja_jendela", None)
        if simpan is None:
            return None
        uid, putusan, (now, duration, num) = simpan
        if (self.scope, self._ident, self.duration, self.num_requests) != (
            "user",
            uid,
            duration,
            num,
        ):
            if putusan == "1":
                from kinerja.akses import salinan

                salinan.jendela_batal(uid, now)
            return None
        self.now = now
        if putusan == "1":
            return True
        _, jumlah, tertua = putusan.split(":", 2)
        self._jumlah, self._tertua = int(jumlah), float(tertua)
        return False

    def wait(self) -> float | None:
        if self._jumlah is None:
            return super().wait()
        # DRF's wait() of a history of `_jumlah` times whose oldest is `_tertua`.
        sisa = self.duration - (self.now - self._tertua)
        tersedia = self.num_requests - self._jumlah + 1
        return sisa / float(tersedia) if tersedia > 0 else None

    def get_cache_key(self, request: Any, view: Any) -> str | None:
        return self.cache_format % {"scope": self.scope, "ident": self._ident}

    def _jendela_redis(self) -> bool | None:
        """The window in one round trip (the Lua script), or None when this cache cannot run
        it (not kinerja.redis_cache, or Redis refuses scripts): then DRF's way."""
        aman = getattr(self.cache, "_aman", None)  # kinerja.redis_cache: outages absorbed
        if aman is None or _skrip["ditolak"]:
            return None
        self.now = self.timer()
        nama = _FORMAT_JENDELA % {"scope": self.scope, "ident": self._ident}
        hasil = aman(lambda: _jalankan(self.cache, nama, self), [1])  # Redis down: allowed,
        if hasil is None:  # as DRF's empty history would be
            return None
        if int(hasil[0]) == 1:
            return True
        self._jumlah, self._tertua = int(hasil[1]), float(hasil[2])
        return False


_skrip = {"sha": hashlib.sha1(_JENDELA.encode()).hexdigest(), "ditolak": False}


def _jalankan(cache: Any, nama: str, laju: KredensialThrottle) -> Any:
    key = cache.make_and_validate_key(nama)
    client = cache._cache.get_client(key, write=True)
    args = (key, repr(laju.now), laju.duration, laju.num_requests)
    try:
        try:
            return client.evalsha(_skrip["sha"], 1, *args)
        except NoScriptError:
            client.script_load(_JENDELA)
            return client.evalsha(_skrip["sha"], 1, *args)
    except ResponseError as exc:
        # Redis answered but will not run scripts (ACL, a proxy): not an outage. DRF's way
        # from now on.
        logger.warning("Redis menolak skrip Lua; batas laju API dengan GET/SET: %s", exc)
        _skrip["ditolak"] = True
        return None


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
