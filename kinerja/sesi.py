"""Sessions: PostgreSQL keeps the record, Redis a short-lived copy for the read every request makes.

Every signed-in request reads its session; from Redis that is one GET instead of a query. The
copy lives at most SALINAN_DETIK, never past the session's own expiry, so a session ended while
Redis could not be told (a logout during a Redis outage) ends everywhere within that time.
Redis down: reads and writes go to PostgreSQL alone, as with the plain database backend.
"""

from __future__ import annotations

from django.contrib.sessions.backends import cached_db

SALINAN_DETIK = 300


class SessionStore(cached_db.SessionStore):
    def _salin(self, data: dict, umur: int) -> None:
        # Redis down: the cache backend drops the copy (PostgreSQL has the record).
        self._cache.set(self.cache_key, data, max(0, min(umur, SALINAN_DETIK)))

    def load(self) -> dict:
        data = self._cache.get(self.cache_key)  # Redis down: None, read from PostgreSQL
        if data is not None:
            return data
        s = self._get_session_from_db()
        if not s:
            return {}
        data = self.decode(s.session_data)
        self._salin(data, self.get_expiry_age(expiry=s.expire_date))
        return data

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
            self._cache.delete(self.cache_key_prefix + key)
