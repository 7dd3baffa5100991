from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

from kinerja.policy import actor, may

# The menu facts of every page (unread notifications, which menu entries show) cost three to
# six queries per request; they are kept per user for settings.KINERJA_NAV_DETIK seconds
# (0: not cached). A new or read notification drops them at once (kinerja.notifikasi); a change
# in the organisation (someone becomes a penilai or a ketua tim) shows in the menu within that
# time. The menu is cosmetic: the pages behind it still ask the policy on every request.


NAV_PREFIX = "kinerja:nav:"
# Facts dropped in this process so far: what a session's read offered before that is not taken.
_dilupakan = 0


def nav_dilupakan() -> int:
    return _dilupakan


def _detik() -> int:
    return int(getattr(settings, "KINERJA_NAV_DETIK", 30) or 0)


def _nav_key(user_id: int) -> str:
    return f"{NAV_PREFIX}{user_id}"


def _stamp(user: Any) -> int:
    # A new login (another session, a test's force_login) never sees facts from before it.
    return int(user.last_login.timestamp() * 1_000_000) if user.last_login else 0


def nav_lupakan(user_id: int | None) -> None:
    """Drop a user's cached menu facts (a notification was created or read), and the cached
    pages that show them (kinerja.cache_halaman: the user's own version)."""
    global _dilupakan
    if user_id is not None:
        from kinerja import cache_cakupan, cache_halaman
        from kinerja.redis_cache import hapus_naik

        _dilupakan += 1
        # The delete and the user's version (cache_halaman.pengguna_naik: a user's version
        # moves nothing else) in one round trip.
        versi = cache_cakupan.pengguna_key(user_id)
        umur = {versi: cache_halaman._umur(versi)} if cache_halaman.detik() else {}
        if not hapus_naik(cache, [_nav_key(user_id)], umur):
            cache.delete(_nav_key(user_id))
            cache_halaman.pengguna_naik(user_id)


def nav_fakta(request: HttpRequest) -> dict | None:
    """The signed-in user's menu facts, from the short per-user cache or computed once."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    facts = getattr(request, "_kinerja_nav", None)
    if facts is not None:
        return facts
    key, stamp, detik = _nav_key(user.pk), _stamp(user), _detik()
    facts = None
    if detik:
        # Read with the session in the same round trip (kinerja.sesi), else one GET.
        awal = getattr(getattr(request, "session", None), "nav_awal", None)
        if awal is not None and awal[0] == user.pk and awal[2] == _dilupakan:
            facts = awal[1]
        else:
            facts = cache.get(key)  # Redis down: None (kinerja.redis_cache), computed below
    if facts is None or facts.get("stamp") != stamp:
        from kinerja.models import Notifikasi
        from kinerja.navigation import NAV

        a = actor(user)
        facts = {
            "stamp": stamp,
            "belum_dibaca": Notifikasi.objects.filter(penerima=user, dibaca=False).count(),
            "nav": {
                "pegawai": may(a, "pegawai"),
                "penilai": may(a, "menilai"),
                "admin": may(a, "kelola_instansi"),
            },
            "tautan": [item.url_name for item in NAV if item.visible(a)],
        }
        if detik:
            cache.set(key, facts, detik)
    request._kinerja_nav = facts
    return facts


def navigation(request: HttpRequest) -> dict:
    """Which menus the user sees; the menus themselves never grant anything."""
    facts = nav_fakta(request)
    if facts is None:
        return {}
    return {"jumlah_belum_dibaca": facts["belum_dibaca"], "nav": facts["nav"]}
