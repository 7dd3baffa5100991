"""Security headers, the site's one language, the request's user, and a clean failure when the
database goes away."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.conf.urls.i18n import is_language_prefix_patterns_used
from django.contrib import auth
from django.contrib.auth.middleware import AuthenticationMiddleware
from django.db import DatabaseError, InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.middleware.locale import LocaleMiddleware
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.functional import SimpleLazyObject

from kinerja.akses import salinan

# Only what the pages use: our own scripts and styles, data: images (QR codes, charts).
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; frame-ancestors 'none'; form-action 'self'; "
    "base-uri 'self'; object-src 'none'"
)


class SecurityHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        # The API docs page (Swagger UI) needs inline bootstrap; it gets its own relaxed policy.
        if request.path.startswith("/api/v1/docs/"):
            response.setdefault(
                "Content-Security-Policy",
                CSP.replace("script-src 'self'", "script-src 'self' 'unsafe-inline'").replace(
                    "style-src 'self'", "style-src 'self' 'unsafe-inline'"
                ),
            )
        else:
            response.setdefault("Content-Security-Policy", CSP)
        response.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        return response


class AutentikasiMiddleware(AuthenticationMiddleware):
    """Django's AuthenticationMiddleware; while the request's user is loaded, the backend may
    take the user's row the session read beside its copy (kinerja.akses.salinan)."""

    def process_request(self, request: HttpRequest) -> None:
        super().process_request(request)
        request.user = SimpleLazyObject(lambda: _user(request))


def _user(request: HttpRequest) -> Any:
    if not hasattr(request, "_cached_user"):
        token = salinan.sesi_permintaan.set(request.session)
        try:
            request._cached_user = auth.get_user(request)
        finally:
            salinan.sesi_permintaan.reset(token)
    return request._cached_user


class BahasaMiddleware(LocaleMiddleware):
    """Django's LocaleMiddleware, short while the site speaks one language without language
    prefixes in its URLs: every request gets that language whatever the browser asks for, so
    the Accept-Language header, the cookie and the path need not be read (the largest of the
    middlewares on the lightest page: bench/temuan.md, "lantai"). Same headers as Django's."""

    def _satu(self, request: HttpRequest) -> bool:
        urlconf = getattr(request, "urlconf", settings.ROOT_URLCONF)
        return len(settings.LANGUAGES) == 1 and not is_language_prefix_patterns_used(urlconf)[0]

    def process_request(self, request: HttpRequest) -> None:
        if not self._satu(request):
            return super().process_request(request)
        translation.activate(settings.LANGUAGES[0][0])
        request.LANGUAGE_CODE = translation.get_language()
        return None

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        if not self._satu(request):
            return super().process_response(request, response)
        patch_vary_headers(response, ("Accept-Language",))
        response.headers.setdefault("Content-Language", translation.get_language())
        return response


class DatabaseUnavailableMiddleware:
    """A request whose database went away gets a friendly 503, not a traceback."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        from kinerja.versi import serentak

        if isinstance(exception, DatabaseError) and serentak(exception):
            # A deadlock or serialization failure PostgreSQL broke outside a service (services
            # turn theirs into a refusal): the database is up, the change simply did not happen.
            return bentrok(request)
        if isinstance(exception, OperationalError | InterfaceError) or (
            isinstance(exception, DatabaseError) and "connection" in str(exception).lower()
        ):
            return unavailable(request)
        return None


UNAVAILABLE = (
    "Layanan sementara tidak tersedia: basis data tidak dapat dihubungi. Tidak ada data yang "
    "tersimpan sebagian. Silakan coba lagi dalam beberapa saat."
)


def unavailable(request: HttpRequest) -> HttpResponse:
    """The 503 answer: JSON for API clients, the friendly page for people."""
    headers = {"Retry-After": "30", "Cache-Control": "no-store"}
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": UNAVAILABLE}, status=503, headers=headers)
    return HttpResponse(render_to_string("503.html"), status=503, headers=headers)


def bentrok(request: HttpRequest) -> HttpResponse:
    """The 409 answer to a transaction PostgreSQL aborted for another's (nothing was saved)."""
    from kinerja.versi import PESAN_SERENTAK

    headers = {"Cache-Control": "no-store"}
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": PESAN_SERENTAK}, status=409, headers=headers)
    return HttpResponse(
        render_to_string("409.html", {"pesan": PESAN_SERENTAK}), status=409, headers=headers
    )
