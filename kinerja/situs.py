"""The site's public address, for what is read outside a request: the verification QR code and
link in every PDF, the links in notification emails.

A deployment sets KINERJA_SITE_URL (SITE_URL in older .env files), and `check --deploy` warns
when it is missing. Without it (development: `make run`, a runserver on another port) the
address is the one the server was last asked on: SitusMiddleware remembers each request's
scheme and host (already checked against ALLOWED_HOSTS), so a PDF made on :8106 points at :8106,
also when a worker in another process renders it (the address is shared through the cache).
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.core import checks
from django.core.cache import cache
from django.core.exceptions import DisallowedHost
from django.http import HttpRequest, HttpResponse

_KUNCI = "kinerja:situs"
_BAWAAN = "http://127.0.0.1:8000"
_terakhir = ""  # this process's last request origin


def alamat() -> str:
    """The site's origin without a trailing slash, e.g. https://kinerja.nttprov.go.id."""
    if settings.SITE_URL:
        return settings.SITE_URL
    if _terakhir:
        return _terakhir
    # Redis down: the cache backend answers a miss (kinerja.redis_cache), so the default.
    return cache.get(_KUNCI) or _BAWAAN


def ingat(request: HttpRequest) -> None:
    """Remember where this request came in (only when no address is configured)."""
    global _terakhir
    if settings.SITE_URL:
        return
    try:
        asal = f"{request.scheme}://{request.get_host()}"
    except DisallowedHost:  # a host Django refuses: nothing to remember
        return
    if asal != _terakhir:
        _terakhir = asal
        cache.set(_KUNCI, asal, None)  # dropped by the backend while Redis is down


class SitusMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        ingat(request)
        return self.get_response(request)


@checks.register(checks.Tags.security, deploy=True)
def cek_alamat_situs(app_configs, **kwargs) -> list[checks.CheckMessage]:
    if settings.SITE_URL:
        return []
    return [
        checks.Warning(
            "KINERJA_SITE_URL belum diisi: kode QR verifikasi di PDF dan tautan di email "
            "memakai alamat permintaan terakhir.",
            hint="Isi KINERJA_SITE_URL dengan alamat publik aplikasi, mis. "
            "https://kinerja.bkd.example.go.id",
            id="kinerja.W001",
        )
    ]
