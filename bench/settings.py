"""Settings for `make bench`: production settings (DEBUG off, same middleware, same database and
cache configuration) plus the bench-only URLconf that serves the bare baseline views.

Used only by the bench's gunicorn and Celery processes; never by the application itself.
"""

import warnings

from kinerja.settings import *  # noqa: F403

# whitenoise warns once per process that STATIC_ROOT was never collected; the bench does not care.
warnings.filterwarnings("ignore", message="No directory at")

ROOT_URLCONF = "bench.urls"
# The bench's worker consumes only its own queue; jobs that its jobs enqueue (the close's unit
# jobs) must go there too.
CELERY_TASK_DEFAULT_QUEUE = "kinerja-bench"
DEBUG = False
# The load tool speaks plain http on loopback; the TLS redirect would measure a 301.
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
# Static files are served by whitenoise from the source folders (no collectstatic needed).
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "ERROR"},
}
