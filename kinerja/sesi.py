"""Sessions: PostgreSQL keeps the record, Redis a short-lived copy for the read every request makes.

Every signed-in request reads its session; from Redis that is one GET instead of a query. The
copy lives at most SALINAN_DETIK, never past the session's own expiry, so a session ended while
Redis could not be told (a logout during a Redis outage) ends everywhere within that time.
Redis down: reads and writes go to PostgreSQL alone, as with the plain database backend.

The same round trip brings the user's menu facts (kinerja.context_processors), which every page
reads next: beside the copy a small key holds the session's user id, and one Lua script reads
the copy, that id and the facts under it (kinerja.redis_cache.RedisCache.get_berantai). The
facts are only offered: nav_fakta takes them for the user the session names, unless they were
dropped in this process since (a notification read by this very request). A cached page
(kinerja.cache_halaman) asks for its entry and versions in that round trip too (`muat_bersama`).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends import cached_db
from django.core.cache import DEFAULT_CACHE_ALIAS

SALINAN_DETIK = 300
UID_PREFIX = "kinerja:sesi-uid:"


def _uid(data: dict) -> int | None:
    uid = data.get(SESSION_KEY)
    return int(uid) if isinstance(uid, str) and uid.isdigit() else None


class SessionStore(cached_db.SessionStore):
    # What load() read of the menu facts beside the copy: (user id, facts or None, the
    # forget count then) for nav_fakta; None: not read with the session.
    nav_awal: tuple[int, Any, int] | None = None
    # The same for the user's row (kinerja.akses.salinan): (user id, key prefix, version, own
    # version, row or None, this process's bump count then); None: not read with the session.
    pengguna_awal: tuple | None = None

    @property
    def uid_key(self) -> str:
        return UID_PREFIX + self._get_or_create_session_key()

    def _salin(self, data: dict, umur: int) -> None:
        # Redis down: the cache backend drops the copy (PostgreSQL has the record).
        umur = max(0, min(umur, SALINAN_DETIK))
        salinan: dict[str, Any] = {self.cache_key: data}
        uid = _uid(data)
        if uid is not None:
            salinan[self.uid_key] = uid  # stored as plain digits (an int): the script reads it
        if umur:
            self._cache.set_many(salinan, umur)
        else:
            self._cache.delete_many(list(salinan))

    def load(self) -> dict:
        return self._muat(())[0]

    def muat_bersama(self, tambahan: Any) -> dict | None:
        """Load the session now, as reading it would, and in the same Redis round trip the
        cache keys `tambahan` (kinerja.cache_halaman: a cached page and its versions): {key:
        value} of those found. None when they cannot come with it (no session key, already
        loaded, sessions not in the default cache, no Redis): the session is left as it was."""
        if self.session_key is None or hasattr(self, "_session_cache"):
            return None
        if not self._bersama():
            return None
        data, found = self._muat(tambahan)
        self.accessed = True  # as SessionBase._get_session
        self._session_cache = data
        return found

    def _bersama(self) -> bool:
        return (
            getattr(self._cache, "get_sesi_dan", None) is not None
            and settings.SESSION_CACHE_ALIAS == DEFAULT_CACHE_ALIAS
        )

    def _muat(self, tambahan: Any) -> tuple[dict, dict]:
        found: dict = {}
        if self._bersama():
            from kinerja.akses import muat, salinan
            from kinerja.context_processors import NAV_PREFIX, nav_dilupakan

            dilupakan, naik = nav_dilupakan(), salinan.naik_lokal()
            prefix = muat.prefix_baris_user() or ""
            sesi, found = self._cache.get_sesi_dan(
                self.cache_key,
                self.uid_key,
                NAV_PREFIX,
                salinan.VERSI,
                salinan.SENDIRI,
                prefix,
                tambahan,
            )
            data, uid, nav, versi, sendiri, baris = sesi
            if data is not None and uid is not None:
                self.nav_awal = (uid, nav, dilupakan)
                if prefix:
                    self.pengguna_awal = (uid, prefix, versi, sendiri, baris, naik)
        else:
            data = self._cache.get(self.cache_key)  # Redis down: None, read from PostgreSQL
        if data is not None:
            return data, found
        s = self._get_session_from_db()
        if not s:
            return {}, found
        data = self.decode(s.session_data)
        self._salin(data, self.get_expiry_age(expiry=s.expire_date))
        return data, found

    def exists(self, session_key: str) -> bool:
        # Asked only when a new key is drawn: the record answers, Redis may be down.
        return super(cached_db.SessionStore, self).exists(session_key)

    def save(self, must_create: bool = False) -> None:
        super(cached_db.SessionStore, self).save(must_create)  # the record, in PostgreSQL
        self._salin(self._session, self.get_expiry_age())

    def delete(self, session_key: str | None = None) -> None:
        super(cached_db.SessionStore, self).delete(session_key)
        key = session_key or self.session_key
        if key is not None:
            self._cache.delete_many([self.cache_key_prefix + key, UID_PREFIX + key])
