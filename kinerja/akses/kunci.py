"""Login lockout (django-axes) answered with 429 and `Retry-After`.

Failures are counted per (account, address) pair (settings.AXES_LOCKOUT_PARAMETERS): one client
guessing passwords locks only its own guesses at that account, never the account for its owner
elsewhere, nor every user behind the same NAT or proxy. The address is the one
`kinerja.akses.alamat` trusts. A locked login page, admin login or token request answers 429
with the seconds left in `Retry-After`.
"""

from __future__ import annotations

import math
from datetime import timedelta

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone

PESAN_TERKUNCI = (
    "Terlalu banyak percobaan masuk yang gagal untuk akun ini dari alamat Anda. Coba lagi "
    "dalam {menit} menit atau hubungi admin BKD."
)


def bukan_tebakan_sandi(request: HttpRequest, credentials: dict | None = None) -> bool:
    """settings.AXES_WHITELIST_CALLABLE: a single sign-on callback is not a password guess.
    The provider authenticated the person; a refused NIP there must not count as a failure of
    the (no username, address) pair, or five refusals behind one NAT would lock single sign-on
    for everyone behind it."""
    from django.urls import reverse

    return request.path == reverse("sso_callback")


def _cooloff() -> timedelta:
    from axes.helpers import get_cool_off

    return get_cool_off() or timedelta(minutes=15)


def sisa_detik(request: HttpRequest, credentials: dict | None = None) -> int:
    """Seconds until the (account, address) pair of this request may try again."""
    from axes.helpers import get_client_username
    from axes.models import AccessAttempt

    cooloff = _cooloff()
    username = get_client_username(request, credentials)
    ip = getattr(request, "axes_ip_address", None)
    last = (
        AccessAttempt.objects.filter(username=username, ip_address=ip)
        .order_by("-attempt_time")
        .values_list("attempt_time", flat=True)
        .first()
    )
    if last is None:
        return int(cooloff.total_seconds())
    left = (last + cooloff - timezone.now()).total_seconds()
    return max(1, math.ceil(left))


def pesan_terkunci(detik: int) -> str:
    return PESAN_TERKUNCI.format(menit=max(1, math.ceil(detik / 60)))


def respons_terkunci(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: dict | None = None,
) -> HttpResponse:
    """settings.AXES_LOCKOUT_CALLABLE: the page (or JSON for the API) with Retry-After."""
    detik = sisa_detik(request, credentials)
    pesan = pesan_terkunci(detik)
    if request.path.startswith("/api/"):
        response: HttpResponse = JsonResponse({"detail": pesan}, status=429)
    else:
        response = render(
            request,
            settings.AXES_LOCKOUT_TEMPLATE,
            {"pesan": pesan, "menit": max(1, math.ceil(detik / 60))},
            status=429,
        )
    response["Retry-After"] = str(detik)
    response["Cache-Control"] = "no-store"
    return response
