"""Password sign-in: Django's ModelBackend with Kinerja's account rules.

An account signs in (and a session stays signed in) only while `policy.akses.alasan_tolak_masuk`
finds nothing: it is active and, when it is a pegawai's, the pegawai has not left (`berhenti`).
Local passwords can be switched off per deployment (KINERJA_SANDI_LOKAL=0) when single sign-on
is the way in; the superuser keeps a break-glass password.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend

from kinerja import policy
from kinerja.akses.muat import muat_user


class KinerjaBackend(ModelBackend):
    def authenticate(
        self, request: Any, username: str | None = None, password: str | None = None, **kwargs: Any
    ) -> Any:
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is not None and not policy.akses.sandi_lokal_boleh(user):
            return None
        return user

    def user_can_authenticate(self, user: Any) -> bool:
        return policy.akses.alasan_tolak_masuk(user) is None

    def get_user(self, user_id: Any) -> Any:
        # The pegawai row comes with the user (one query): every request checks its status,
        # and the policy's actor is built from the same row (policy.dengan_actor).
        # One query, its SQL compiled once per process (kinerja.akses.muat).
        user = muat_user(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None
