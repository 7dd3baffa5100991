"""Whole-page cache for the heaviest read pages, dropped by the committed writes that touch them.

Why: the team evaluation, distribution and SKP pages and the pegawai API list cost 10-200 ms of
CPU each (policy, queries, template); a user re-opening the same page (back/forward, htmx
refreshes, a supervisor returning to the team list between evaluations) asks for bytes that were
already made. A cached page is served again only when all of these hold:

- the same signed-in user, in the same session (its key and its data), with the same CSRF secret
  (the page's forms carry a token of that secret), for the same URL and htmx headers, on the same
  day (pages show deadlines relative to today), within settings.KINERJA_HALAMAN_DETIK seconds;
- the data versions the page read before it was rendered are unchanged. Versions are counters
  in the shared cache, bumped when a write commits (a database execute wrapper, so bulk writes,
  raw SQL, Celery tasks and the admin count, not only services). kinerja.cache_cakupan reads
  each statement to name what it ends: an instansi's version (stage data: periods, SKPs,
  evaluations, dialog rows, through the period they belong to), the global version (everything
  else: organisation and reference data, any statement it cannot read), or nothing (plumbing:
  sessions, login attempts, last_login, token last-use, job rows, notification rows), or for
  the rows no aggregate page shows, only one SKP's version (its rencana hasil kerja, indikator,
  ekspektasi perilaku, its change stamps) or one pegawai's (the feedback they received). A page
  reads the global version, its user's own version (bumped when one of their notifications is
  created or read: the menu's unread count), the versions of the instansi the view named
  (`cakupan_halaman`; the SKP page: `cakupan_tahap`, the instansi's stage data but other SKPs'
  statuses), and of the SKPs (`cakupan_skp`: the SKP page, its own, its versions and its leaders')
  and pegawai (`cakupan_pegawai`: the team page's members) whose rows it shows; a page that
  names no instansi reads SEMUA, which every write bumps. So a write in one kabupaten leaves
  another's cached pages served, and a pegawai editing their SKP leaves their colleagues' SKP
  pages, the team and distribution pages served. A write during rendering leaves the page
  stored under the older versions, so it is never served;
- the request carries no flash messages, and the response was a 200 that set no cookie.

The access checks ran when the page was rendered, for this user and this data version; any change
to roles, positions or accounts is a write, so it ends the cached page too. Off (0) in tests and
without a shared cache: locmem in several processes would disagree on the version. Redis down:
every request renders as if there were no cache, and nothing is stored.
"""

from __future__ import annotations

import contextvars
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

from kinerja import cache_cakupan as cakupan_mod
from kinerja.redis_cache import CacheMati

VERSI_KEY = cakupan_mod.GLOBAL
HEADER = "X-Kinerja-Cache"
_TULIS = ("INSERT", "UPDATE", "DELETE")
# Set while `tulis_bersama` runs the WITH statement whose parts it has scoped itself.
_bersama: contextvars.ContextVar[bool] = contextvars.ContextVar("kinerja_bersama", default=False)
_SIMPAN_HEADER = ("Vary", "Cache-Control", "Content-Language", "ETag")


def detik() -> int:
    return int(getattr(settings, "KINERJA_HALAMAN_DETIK", 0) or 0)


# --- the data versions --------------------------------------------------------------------------
# One version per SKP, pegawai or user read: a province has a few hundred thousand. They expire
# this long after they were made (INCR keeps the expiry), so Redis does not keep one for every
# SKP ever opened. A version made again starts at a new value (time_ns), so a page cached under
# the old one never matches. The global, SEMUA and instansi versions are few and kept.
VERSI_BANYAK_DETIK = 24 * 3600
_BANYAK = (":s:", ":p:", ":u:")


def _umur(key: str) -> int | None:
    return VERSI_BANYAK_DETIK if any(m in key for m in _BANYAK) else None


def versi_naik(kunci: Any = None) -> None:
    """A write was committed: the cached pages that read these versions are stale. No keys: the
    global version (every cached page). A data bump also moves SEMUA (pages of unknown scope);
    a user's own version does not (every page of that user reads it)."""
    keys = set(kunci or (VERSI_KEY,))
    if any(not k.startswith(cakupan_mod.PENGGUNA) for k in keys):
        keys.add(cakupan_mod.SEMUA)
    naik = getattr(cache, "naik_versi", None)
    if naik is not None:  # kinerja.redis_cache: all of them in one round trip
        naik({key: _umur(key) for key in sorted(keys)})
        return
    for key in sorted(keys):
        try:
            cache.incr(key)
        except ValueError:  # no version yet (fresh Redis): any new value differs from old ones
            cache.set(key, time.time_ns(), _umur(key))
        except CacheMati:  # Redis down (logged by the backend): nothing is served from it either
            return


def pengguna_naik(user_id: Any) -> None:
    """The user's own facts on every page (the menu's unread count) changed."""
    if user_id is not None and detik():
        versi_naik({cakupan_mod.pengguna_key(user_id)})


class _Tertunda:
    """The versions the current transaction's writes end, bumped once when it commits."""

    def __init__(self) -> None:
        self.kunci: set[str] = set()

    def __call__(self) -> None:
        versi_naik(self.kunci)


def _tertunda(conn: Any) -> _Tertunda | None:
    for entry in conn.run_on_commit:
        if isinstance(entry[1], _Tertunda):
            return entry[1]
    return None


def _pantau_tulis(execute: Callable, sql: Any, params: Any, many: bool, context: dict) -> Any:
    if not (detik() and isinstance(sql, str)):
        return execute(sql, params, many, context)
    head = sql.lstrip()[:6].upper()
    conn = context["connection"]
    if head in _TULIS:
        # Read before the statement runs: a DELETE's rows are still there to say whose they were.
        keys = cakupan_mod.cakupan(sql, params, many, conn)
    elif head.startswith("WITH") and not _bersama.get():
        # A data-modifying WITH that `tulis_bersama` did not scope part by part: broad, never
        # stale (reads and plumbing-only writes end nothing).
        keys = cakupan_mod.cakupan_with(sql, conn)
        if not keys:
            return execute(sql, params, many, context)
    else:
        return execute(sql, params, many, context)
    result = execute(sql, params, many, context)
    _berakhir(conn, keys)
    return result


def _berakhir(conn: Any, keys: set[str] | None) -> None:
    if keys:
        if not conn.in_atomic_block:
            versi_naik(keys)
        else:
            pending = _tertunda(conn)
            if pending is None:
                pending = _Tertunda()
                conn.on_commit(pending)
            pending.kunci |= keys


def tulis_bersama(conn: Any, bagian: list[tuple[str, list]], jalankan: Callable[[], Any]) -> Any:
    """Run `jalankan`, one data-modifying WITH statement made of the INSERT/UPDATE/DELETE
    `bagian` (each its SQL and parameters), and end the versions each part ends, as
    `_pantau_tulis` does for a statement (it sees only `WITH` and leaves it alone)."""
    keys: set[str] = set()
    if detik():
        for sql, params in bagian:
            keys |= cakupan_mod.cakupan(sql, params, False, conn) or set()
    token = _bersama.set(True)
    try:
        result = jalankan()
    finally:
        _bersama.reset(token)
    _berakhir(conn, keys)
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
    request carries, i.e. the session key or the Authorization header; the entry also holds the
    session's data (`_sesi`: it names the user and the hash of their password), and is served
    only to a request whose session has the same data. A page is stored only after the view
    authenticated those same credentials (`_pemilik`), and any write to users, tokens, roles or
    positions bumps the version, so a current entry was rendered for the same user in the same
    state; an expired or ended session loads as empty and never matches. The session's data is
    not in the key so that the session and the page are read in one Redis round trip
    (kinerja.sesi.SessionStore.muat_bersama)."""
    if request.COOKIES.get("messages"):
        return None
    session = getattr(request, "session", None)
    session_key = getattr(session, "session_key", None) or ""
    auth = request.META.get("HTTP_AUTHORIZATION", "")
    if not auth and not session_key:
        return None
    parts = [
        nama,
        session_key,
        auth,
        request.META.get("CSRF_COOKIE") or "",
        request.get_full_path(),
        # META, as request.headers reads it, without building the whole header map per request
        request.META.get("HTTP_HX_REQUEST", ""),
        request.META.get("HTTP_HX_TARGET", ""),
        request.META.get("HTTP_ACCEPT", ""),
        timezone.localdate().isoformat(),
    ]
    return "kinerja:halaman:2:" + hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def _sesi(request: HttpRequest) -> str | None:
    """The session's data as the entry keeps it, or None when the page must not be cached
    (flash messages waiting, or neither a signed-in session nor an Authorization header)."""
    session = getattr(request, "session", None)
    data: dict = dict(session.items()) if session is not None else {}
    if data.get("_messages"):
        return None
    if not request.META.get("HTTP_AUTHORIZATION") and not data.get(SESSION_KEY):
        return None
    return json.dumps(data, sort_keys=True, default=str)


def _baca(request: HttpRequest, keys: list[str]) -> dict[str, Any]:
    """The cache values at `keys`; with the session, when it is not loaded yet, in the same
    round trip. Redis down: {} (kinerja.redis_cache)."""
    muat = getattr(getattr(request, "session", None), "muat_bersama", None)
    found = muat(keys) if muat is not None else None
    return cache.get_many(keys) if found is None else found


def _pemilik(request: HttpRequest) -> bool:
    """The view authenticated the credentials the key was made from."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return False
    if request.META.get("HTTP_AUTHORIZATION"):
        return True  # the API authenticated the header (a wrong one never gets a 200)
    session = getattr(request, "session", None)
    return session is not None and session.get(SESSION_KEY) == str(user.pk)


def cakupan_halaman(request: HttpRequest, instansi_ids: Any) -> None:
    """The view names the instansi whose stage data (periods, SKPs, evaluations, dialog) the page
    shows; the cached page then reads those instansi's versions instead of SEMUA. Called with
    every instansi the page may show; a page that never calls it depends on every write."""
    ids = getattr(request, "_halaman_instansi", None)
    ids = set() if ids is None else ids
    ids.update(int(i) for i in instansi_ids if i is not None)
    request._halaman_instansi = ids


def cakupan_skp(request: HttpRequest, skp_ids: Any) -> None:
    """The SKP page names every SKP whose rows it shows (its own, the leaders' rows its rows
    intervene in): their own writes (kinerja.cache_cakupan.BAGIAN_SKP) end it, not the
    instansi's other SKPs'. It also names the instansi (cakupan_halaman), whose version the
    SKP's status, evaluations and everything else still bump."""
    _tambah_ids(request, "_halaman_skp", skp_ids)


def cakupan_tahap(request: HttpRequest, instansi_ids: Any) -> None:
    """The SKP page: the instansi's stage data but the statuses of SKPs it does not name
    (kinerja.cache_cakupan.tahap_key), instead of `cakupan_halaman`'s instansi version, which
    every approval in the instansi bumps. The page names with `cakupan_skp` every SKP whose row
    it shows (its own, its versions, its leaders'): a change of those ends it."""
    cakupan_halaman(request, [])  # the page's scope is known: not SEMUA
    _tambah_ids(request, "_halaman_tahap", instansi_ids)


def cakupan_pegawai(request: HttpRequest, pegawai_ids: Any) -> None:
    """The page shows the feedback received by these pegawai (the team page's counts)."""
    _tambah_ids(request, "_halaman_pegawai", pegawai_ids)


def _tambah_ids(request: HttpRequest, attr: str, ids: Any) -> None:
    got = getattr(request, attr, None)
    got = set() if got is None else got
    got.update(int(i) for i in ids if i is not None)
    setattr(request, attr, got)


def jangan_simpan(request: HttpRequest) -> None:
    """This response shows something no version follows (a job's progress): never store it."""
    request._halaman_jangan = True


# Per process: a page key -> the version keys its entry read, so a hit is one Redis round trip.
_dugaan: dict[str, tuple[str, ...]] = {}


def _wajib(request: HttpRequest, instansi: Any) -> tuple[str, ...]:
    """The versions a page rendered for this request depends on."""
    keys = [VERSI_KEY]
    session = getattr(request, "session", None)
    uid = session.get(SESSION_KEY) if session is not None else None
    if uid:
        keys.append(cakupan_mod.pengguna_key(uid))
    if instansi is None:
        keys.append(cakupan_mod.SEMUA)
        return tuple(keys)
    keys.extend(cakupan_mod.instansi_key(i) for i in sorted(instansi))
    keys.extend(cakupan_mod.tahap_key(i) for i in sorted(getattr(request, "_halaman_tahap", ())))
    keys.extend(cakupan_mod.skp_key(i) for i in sorted(getattr(request, "_halaman_skp", ())))
    keys.extend(
        cakupan_mod.pegawai_key(i) for i in sorted(getattr(request, "_halaman_pegawai", ()))
    )
    return tuple(keys)


def _baca_versi(keys: tuple[str, ...]) -> dict[str, Any] | None:
    found = cache.get_many(list(keys))  # Redis down: {} (kinerja.redis_cache)
    missing = [k for k in keys if found.get(k) is None]
    if missing:  # a fresh Redis: start the counters
        versi_naik(missing)
        found = cache.get_many(list(keys))
        if any(found.get(k) is None for k in keys):
            return None  # Redis down: render as without a cache
    return {k: found[k] for k in keys}


def layani(request: HttpRequest, nama: str, render: Callable[[], HttpResponse]) -> HttpResponse:
    """The cached page when it is still current, else `render()` (stored when it may be)."""
    ttl = detik()
    key = _kunci(request, nama) if ttl else None
    if key is None:
        return render()
    guess = _dugaan.get(key, ())
    found = _baca(request, [key, *guess])
    sesi = _sesi(request)
    if sesi is None:
        return render()
    hit = found.get(key)
    if hit is not None and hit[5] == sesi:
        read, status, body, headers, wanted, _ = hit
        if read and not set(read) <= set(found):
            found.update(cache.get_many(list(read)))
            _dugaan[key] = tuple(read)
        if read and all(found.get(k) == v for k, v in read.items()):
            response = HttpResponse(body, status=status)
            for name, value in headers:
                response[name] = value
            response[HEADER] = "hit"
            return response
    else:
        wanted = _wajib(request, None)
    versi = _baca_versi(tuple(wanted))  # read BEFORE rendering: a write during it ends the page
    if versi is None:
        return render()
    had_secret = bool(request.META.get("CSRF_COOKIE"))
    response = render()
    if hasattr(response, "render") and callable(response.render):
        response = response.render()
    # A CSRF secret made while rendering is not in the key: the next request carries it anyway.
    new_secret = not had_secret and bool(request.META.get("CSRF_COOKIE"))
    if (
        not new_secret
        and not getattr(request, "_halaman_jangan", False)
        and _pemilik(request)
        and _boleh_simpan(request, response)
        # the view changed nothing the key and the entry are made of
        and _kunci(request, nama) == key
        and _sesi(request) == sesi
    ):
        need = _wajib(request, getattr(request, "_halaman_instansi", None))
        # Valid when the versions read cover what the page needs (SEMUA covers every instansi,
        # SKP and pegawai version: each of their bumps moves it too); else kept without
        # versions, only to name what the next render must read first.
        covered = all(k in versi or (_data(k) and cakupan_mod.SEMUA in versi) for k in need)
        read = versi if covered else None
        headers = [(h, response[h]) for h in ("Content-Type", *_SIMPAN_HEADER) if h in response]
        cache.set(key, (read, response.status_code, response.content, headers, need, sesi), ttl)
        if read:
            if len(_dugaan) > 50_000:
                _dugaan.clear()
            _dugaan[key] = tuple(read)
    response[HEADER] = "miss"
    return response


def _data(key: str) -> bool:
    """A version whose bumps also move SEMUA (versi_naik): not the global, not a user's."""
    return key != VERSI_KEY and not key.startswith(cakupan_mod.PENGGUNA)


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
