"""Whole-page cache for the heaviest read pages, dropped by any committed write to the database.

Why: the team evaluation, distribution and SKP pages and the pegawai API list cost 10-200 ms of
CPU each (policy, queries, template); a user re-opening the same page (back/forward, htmx
refreshes, a supervisor returning to the team list between evaluations) asks for bytes that were
already made. A cached page is served again only when all of these hold:

- the same signed-in user, in the same session (its key and its data), with the same CSRF secret
  (the page's forms carry a token of that secret), for the same URL and htmx headers, on the same
  day (pages show deadlines relative to today), within settings.KINERJA_HALAMAN_DETIK seconds;
- the data version is still the one read before the page was rendered. The version is a counter
  in the shared cache that every committed INSERT/UPDATE/DELETE on any table bumps (a database
  execute wrapper, so bulk writes, raw SQL, Celery tasks and the admin count, not only services);
  only session rows and login-attempt rows are left out. A write during rendering leaves the
  page stored under the older version, so it is never served;
- the request carries no flash messages, and the response was a 200 that set no cookie.

The access checks ran when the page was rendered, for this user and this data version; any change
to roles, positions or accounts is a write, so it ends the cached page too. Off (0) in tests and
without a shared cache: locmem in several processes would disagree on the version. Redis down:
every request renders as if there were no cache, and nothing is stored.
"""

from __future__ import annotations

import functools
import hashlib
import json
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.core.cache import cache
from django.db.backends.signals import connection_created
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from kinerja.redis_cache import CacheMati

VERSI_KEY = "kinerja:data:versi"
HEADER = "X-Kinerja-Cache"
# Writes that do not change what a page shows: the session row itself, login attempts (axes),
# an integration token's last-use time (kinerja.akses.token; revoking it is another statement).
_ABAI = ('"django_session"', '"axes_', '"kinerja_tokenintegrasi" SET "terakhir_dipakai"')
_TULIS = ("INSERT", "UPDATE", "DELETE")
_SIMPAN_HEADER = ("Vary", "Cache-Control", "Content-Language", "ETag")


def detik() -> int:
    return int(getattr(settings, "KINERJA_HALAMAN_DETIK", 0) or 0)


# --- the data version ---------------------------------------------------------------------------
def versi_naik() -> None:
    """A write was committed: every cached page rendered before it is stale."""
    try:
        cache.incr(VERSI_KEY)
    except ValueError:  # no version yet (fresh Redis): any new value differs from the old ones
        cache.set(VERSI_KEY, time.time_ns(), None)
    except CacheMati:  # Redis down (logged by the backend): nothing is served from it either
        pass


def _tertunda(conn: Any) -> bool:
    return any(entry[1] is versi_naik for entry in conn.run_on_commit)


def _pantau_tulis(execute: Callable, sql: Any, params: Any, many: bool, context: dict) -> Any:
    result = execute(sql, params, many, context)
    if (
        detik()
        and isinstance(sql, str)
        and sql.lstrip()[:6].upper() in _TULIS
        and not any(t in sql[:60] for t in _ABAI)
    ):
        conn = context["connection"]
        if not conn.in_atomic_block:
            versi_naik()
        elif not _tertunda(conn):
            conn.on_commit(versi_naik)
    return result


def pasang(sender: Any = None, connection: Any = None, **kwargs: Any) -> None:
    """Watch a database connection's writes (called for every new connection)."""
    if connection is not None and _pantau_tulis not in connection.execute_wrappers:
        connection.execute_wrappers.append(_pantau_tulis)


connection_created.connect(pasang, dispatch_uid="kinerja.cache_halaman")


# --- the cache ----------------------------------------------------------------------------------
def _kunci(request: HttpRequest, nama: str) -> str | None:
    """The cache key of this request's page, or None when it must not be cached.

    Computed before authentication (a hit skips loading the user): from the credentials the
    request carries, i.e. the session (its key and data, which name the user and the hash of
    their password) or the Authorization header. A page is stored only after the view
    authenticated those same credentials (`_pemilik`), and any write to users, tokens, roles or
    positions bumps the version, so a current entry was rendered for the same user in the same
    state; an expired or ended session loads as empty and never matches."""
    if request.COOKIES.get("messages"):
        return None
    session = getattr(request, "session", None)
    data: dict = dict(session.items()) if session is not None else {}
    if data.get("_messages"):
        return None
    auth = request.META.get("HTTP_AUTHORIZATION", "")
    if not auth and not data.get(SESSION_KEY):
        return None
    parts = [
        nama,
        getattr(session, "session_key", None) or "",
        json.dumps(data, sort_keys=True, default=str),
        auth,
        request.META.get("CSRF_COOKIE") or "",
        request.get_full_path(),
        request.headers.get("HX-Request", ""),
        request.headers.get("HX-Target", ""),
        request.headers.get("Accept", ""),
        timezone.localdate().isoformat(),
    ]
    return "kinerja:halaman:" + hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def _pemilik(request: HttpRequest) -> bool:
    """The view authenticated the credentials the key was made from."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return False
    if request.META.get("HTTP_AUTHORIZATION"):
        return True  # the API authenticated the header (a wrong one never gets a 200)
    session = getattr(request, "session", None)
    return session is not None and session.get(SESSION_KEY) == str(user.pk)


def layani(request: HttpRequest, nama: str, render: Callable[[], HttpResponse]) -> HttpResponse:
    """The cached page when it is still current, else `render()` (stored when it may be)."""
    ttl = detik()
    key = _kunci(request, nama) if ttl else None
    if key is None:
        return render()
    found = cache.get_many([VERSI_KEY, key])  # Redis down: {} (kinerja.redis_cache)
    versi = found.get(VERSI_KEY)
    hit = found.get(key)
    if versi is not None and hit is not None and hit[0] == versi:
        _v, status, body, headers = hit
        response = HttpResponse(body, status=status)
        for name, value in headers:
            response[name] = value
        response[HEADER] = "hit"
        return response
    if versi is None:  # a fresh Redis: start the counter
        versi_naik()
        versi = cache.get(VERSI_KEY)
        if versi is None:  # Redis down (kinerja.redis_cache): render as without a cache
            return render()
    had_secret = bool(request.META.get("CSRF_COOKIE"))
    response = render()
    if hasattr(response, "render") and callable(response.render):
        response = response.render()
    # A CSRF secret made while rendering is not in the key: the next request carries it anyway.
    new_secret = not had_secret and bool(request.META.get("CSRF_COOKIE"))
    if (
        versi is not None
        and not new_secret
        and _pemilik(request)
        and _boleh_simpan(request, response)
        and _kunci(request, nama) == key  # the view changed nothing the key is made of
    ):
        headers = [(h, response[h]) for h in ("Content-Type", *_SIMPAN_HEADER) if h in response]
        cache.set(key, (versi, response.status_code, response.content, headers), ttl)
    response[HEADER] = "miss"
    return response


def _boleh_simpan(request: HttpRequest, response: HttpResponse) -> bool:
    if response.status_code != 200 or response.streaming or response.cookies:
        return False
    # The page consumed or added flash messages: the next view of it differs.
    storage = getattr(request, "_messages", None)
    return not (storage is not None and (storage.used or getattr(storage, "added_new", False)))


def halaman(nama: str) -> Callable:
    """View decorator: serve the page from the cache while it is current (see module doc).
    Put it above @login_required: a hit needs no user; a miss runs the view with its checks."""

    def deco(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.method not in ("GET", "HEAD"):
                return view(request, *args, **kwargs)
            return layani(request, nama, lambda: view(request, *args, **kwargs))

        return wrapped

    return deco
