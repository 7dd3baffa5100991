"""Test overrides on top of kinerja/settings.py (named by the pytest config)."""

from kinerja.settings import *  # noqa: F403

# The test client and live_server speak plain http.
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = 0
# Fast hashing: thousands of persona logins per run.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Throttling is switched on by the tests that check it.
AXES_ENABLED = False
# Every test request comes from 127.0.0.1: the public verification page's per-address limit
# (30 a minute) would trip across tests. Its own tests set a small limit explicitly.
KINERJA_VERIFIKASI_PER_MENIT = 100_000
# The per-user menu cache (kinerja.context_processors) off: a page's query count must not
# depend on which test request came first. Its own tests switch it on.
KINERJA_NAV_DETIK = 0
# The page cache is tested on its own (tests/kinerja/test_cache_halaman.py) with commits.
KINERJA_HALAMAN_DETIK = 0
# Sessions in the database alone, whatever REDIS_URL says: query counts must not depend on a copy
# left by an earlier test. The Redis copy (kinerja.sesi) has its own tests.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
# API rate limits are tested on their own (tests/security/test_token.py sets small ones); across
# the suite one persona makes thousands of requests within a minute.
REST_FRAMEWORK = {
    **REST_FRAMEWORK,  # noqa: F405
    "DEFAULT_THROTTLE_RATES": {
        "user": "1000000/min",
        "integrasi": "1000000/min",
        "anon": "1000000/min",
    },
}
