"""Kinerja settings: one file, configured by environment variables (see .env.example)."""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from celery.schedules import crontab

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name: str, default: str = "") -> str:
    """A setting from the environment, or from the file named by NAME_FILE (docker secrets)."""
    file = os.environ.get(f"{name}_FILE")
    if file:
        return Path(file).read_text().strip()
    return os.environ.get(name, default)


def envbool(name: str, default: bool) -> bool:
    return env(name, "1" if default else "0").lower() in {"1", "true", "yes", "on"}


def envint(name: str, default: int) -> int:
    return int(env(name, str(default)))


DEBUG = envbool("DEBUG", False)
SECRET_KEY = env("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG and not envbool("KINERJA_ALLOW_INSECURE_KEY", True):
        raise RuntimeError("SECRET_KEY wajib diisi di produksi")
    # Django's deploy check (security.W009) flags the "django-insecure-" prefix, so
    # `check --deploy` fails loudly on a production that forgot its key.
    SECRET_KEY = "django-insecure-dev-only-key-change-me-" + "x" * 20
ALLOWED_HOSTS = [h for h in env("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o for o in env("CSRF_TRUSTED_ORIGINS", "").split(",") if o]
# The public address for QR codes in PDFs and links in emails (kinerja/situs.py); unset in
# development: taken from the requests the server answers.
SITE_URL = env("KINERJA_SITE_URL", env("SITE_URL", "")).rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",  # the widget templates, so templates/django/forms/ can restyle some
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "guardian",
    "simple_history",
    "axes",
    "kinerja",
    "skp",
    "dialog",
    "evaluasi",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "kinerja.middleware.BahasaMiddleware",  # Django's LocaleMiddleware, short for one language
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    # Django's, the user's row read with the session when Redis has it (kinerja.akses.salinan)
    "kinerja.middleware.AutentikasiMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "kinerja.middleware.SecurityHeadersMiddleware",
    "kinerja.situs.SitusMiddleware",
    "kinerja.middleware.DatabaseUnavailableMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "kinerja.urls"
WSGI_APPLICATION = "kinerja.wsgi.application"
AUTH_USER_MODEL = "kinerja.User"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "kinerja.context_processors.navigation",
            ],
        },
    }
]

# Form widgets render through TEMPLATES, so the project's templates/django/forms/ draws the file
# input (an Indonesian button and file name instead of the browser's "Choose File").
FORM_RENDERER = "kinerja.render_formulir.PenyajiFormulir"

# SQLite in the project folder is the zero-setup default; PostgreSQL in CI and production.
DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"), conn_max_age=60
    )
}
if DATABASES["default"]["ENGINE"].endswith("postgresql"):
    # No JIT: a page's queries are short, and PostgreSQL compiles whenever the planner's row
    # estimate is high (an OR over a subquery, a province-wide count). At 100k pegawai the team
    # page's one member query spent 2 s compiling for a 10-row answer (bench/temuan.md).
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # Passwords (refused for a deactivated account or a pegawai who left; KINERJA_SANDI_LOKAL),
    # then single sign-on (does nothing unless OIDC_RP_CLIENT_ID is set): kinerja/akses/.
    "kinerja.akses.backends.KinerjaBackend",
    "kinerja.akses.sso.NIPBackend",
    "guardian.backends.ObjectPermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    # Not a rule on the password: Django's `password_changed` hook revokes the personal token.
    {"NAME": "kinerja.akses.token.CabutTokenSaatSandiBerubah"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "beranda"
LOGOUT_REDIRECT_URL = "login"

# Login throttling (django-axes): failures count per (account, client address) pair, so one
# client guessing cannot lock an account for its owner elsewhere, nor everyone behind the same
# NAT or proxy. The address is the one kinerja.akses.alamat trusts (KINERJA_PROXY_HOPS); a locked
# page or token request answers 429 with Retry-After (kinerja.akses.kunci).
AXES_FAILURE_LIMIT = envint("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_CLIENT_IP_CALLABLE = "kinerja.akses.alamat.alamat_klien"
AXES_LOCKOUT_CALLABLE = "kinerja.akses.kunci.respons_terkunci"
AXES_WHITELIST_CALLABLE = "kinerja.akses.kunci.bukan_tebakan_sandi"  # SSO callbacks
AXES_LOCKOUT_TEMPLATE = "registration/terkunci.html"
AXES_HTTP_RESPONSE_CODE = 429
AXES_RESET_ON_SUCCESS = True
AXES_ENABLED = envbool("AXES_ENABLED", True)

# API tokens (kinerja/akses/): a personal token works this many days from its creation; an
# integration token at most this many days (its admin sets the date).
KINERJA_TOKEN_HARI = envint("KINERJA_TOKEN_HARI", 30)
KINERJA_TOKEN_INTEGRASI_MAKS_HARI = envint("KINERJA_TOKEN_INTEGRASI_MAKS_HARI", 366)

# Single sign-on by OpenID Connect (kinerja/akses/sso.py): everything off unless
# OIDC_RP_CLIENT_ID is set. The provider's endpoints are given one by one (no discovery at
# start-up); the NIP comes from the claim KINERJA_SSO_KLAIM_NIP; no account is made from a claim.
OIDC_RP_CLIENT_ID = env("OIDC_RP_CLIENT_ID", "")
OIDC_RP_CLIENT_SECRET = env("OIDC_RP_CLIENT_SECRET", "")
OIDC_OP_AUTHORIZATION_ENDPOINT = env("OIDC_OP_AUTHORIZATION_ENDPOINT", "")
OIDC_OP_TOKEN_ENDPOINT = env("OIDC_OP_TOKEN_ENDPOINT", "")
OIDC_OP_USER_ENDPOINT = env("OIDC_OP_USER_ENDPOINT", "")
OIDC_OP_JWKS_ENDPOINT = env("OIDC_OP_JWKS_ENDPOINT", "")
OIDC_OP_LOGOUT_ENDPOINT = env("OIDC_OP_LOGOUT_ENDPOINT", "")  # RP-initiated logout
OIDC_OP_ISSUER = env("OIDC_OP_ISSUER", "")  # set: the ID token's `iss` must equal it
OIDC_RP_SIGN_ALGO = env("OIDC_RP_SIGN_ALGO", "RS256")
OIDC_RP_SCOPES = env("OIDC_RP_SCOPES", "openid profile")
OIDC_USE_PKCE = True
OIDC_STORE_ID_TOKEN = True  # sent back as id_token_hint when signing out
OIDC_CREATE_USER = False
OIDC_TIMEOUT = envint("OIDC_TIMEOUT", 10)
OIDC_AUTHENTICATION_CALLBACK_URL = "sso_callback"
LOGIN_REDIRECT_URL_FAILURE = "/sso/ditolak/"
KINERJA_SSO_KLAIM_NIP = env("KINERJA_SSO_KLAIM_NIP", "nip")
KINERJA_SSO_NAMA = env("KINERJA_SSO_NAMA", "SSO ASN")
# Off: only single sign-on signs people in (a superuser keeps a break-glass password).
KINERJA_SANDI_LOKAL = envbool("KINERJA_SANDI_LOKAL", True)

LANGUAGE_CODE = "id"
LANGUAGES = [("id", "Bahasa Indonesia")]
TIME_ZONE = env("TIME_ZONE", "Asia/Jakarta")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
# Files browsers ask for at the site root (/favicon.ico), served by WhiteNoise.
WHITENOISE_ROOT = BASE_DIR / "static" / "root"
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(BASE_DIR / "media")))
# Uploads (bukti dukung, lampiran, staff-import previews) and issued documents (PDF, zip, xlsx):
# local disk under MEDIA_ROOT by default; an S3-compatible bucket (AWS S3, MinIO, Ceph, ...)
# through django-storages when KINERJA_S3_BUCKET is set, so several web and worker containers
# share one store. Files stay private either way: they are never served from MEDIA_URL, only
# through views that ask the policy (the code reads them through the storage API, never a path).
KINERJA_S3_BUCKET = env("KINERJA_S3_BUCKET", "")
if KINERJA_S3_BUCKET:
    _default_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": KINERJA_S3_BUCKET,
            # Unset: AWS itself; set for MinIO/Ceph, e.g. http://minio:9000.
            "endpoint_url": env("AWS_S3_ENDPOINT_URL", "") or None,
            "region_name": env("AWS_S3_REGION_NAME", "") or None,
            # Unset keys: boto3's own chain (instance role, ~/.aws, AWS_* environment).
            "access_key": env("AWS_ACCESS_KEY_ID", "") or None,
            "secret_key": env("AWS_SECRET_ACCESS_KEY", "") or None,
            # "path" for most MinIO setups; unset: the provider's default.
            "addressing_style": env("AWS_S3_ADDRESSING_STYLE", "") or None,
            "location": env("KINERJA_S3_PREFIX", ""),
            # An issued document keeps its own bytes: a re-issued PDF with the same name gets
            # a new key instead of overwriting the superseded one (its SHA-256 is on record).
            "file_overwrite": False,
            "querystring_auth": True,
        },
    }
else:
    _default_storage = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
STORAGES = {
    "default": _default_storage,
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedStaticFilesStorage"
    },
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024

EMAIL_BACKEND = env("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env("EMAIL_HOST", "localhost")
EMAIL_PORT = envint("EMAIL_PORT", 25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "Kinerja <noreply@kinerja.local>")

# Celery: with REDIS_URL unset, tasks run eagerly in-process so one command starts the app.
REDIS_URL = env("REDIS_URL", "")
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or "cache+memory://"
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Fail fast when Redis is down (about a second): the outbox row stays pending and the
# `sapu_outbox` beat task sends it once Redis is back. The visibility timeout is how long an
# unacknowledged message (its worker was killed) waits before Redis hands it to another worker;
# it must exceed the longest task and retry countdown (tests lower it through the environment).
CELERY_BROKER_CONNECTION_TIMEOUT = 1
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.3,
}
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "socket_connect_timeout": 1,
    "socket_timeout": 10,
    "visibility_timeout": envint("KINERJA_VISIBILITY_TIMEOUT", 3600),
    "unacked_restore_interval": envint("KINERJA_UNACKED_RESTORE_INTERVAL", 10),
    "unacked_restore_throttle": envint("KINERJA_UNACKED_RESTORE_THROTTLE", 10),
}
if env("KINERJA_BROKER_PREFIX"):  # keeps one test run's queues apart from another's
    CELERY_BROKER_TRANSPORT_OPTIONS["global_keyprefix"] = env("KINERJA_BROKER_PREFIX")
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {
    "socket_connect_timeout": 1,
    "retry_policy": {
        "max_retries": 1,
        "interval_start": 0,
        "interval_step": 0.2,
        "interval_max": 0.2,
    },
}
CELERY_RESULT_EXPIRES = 24 * 3600
# Outbox jobs (kinerja/jobs.py): heartbeat of a running job, after how long without one its
# worker counts as dead, attempts before a job fails, and the first retry delay (doubling).
KINERJA_JOB_DETAK = float(env("KINERJA_JOB_DETAK", "15"))
KINERJA_JOB_BASI = float(env("KINERJA_JOB_BASI", "60"))
KINERJA_JOB_MAKS_PERCOBAAN = envint("KINERJA_JOB_MAKS_PERCOBAAN", 5)
KINERJA_JOB_JEDA = float(env("KINERJA_JOB_JEDA", "10"))
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE = {
    # Work recorded in the outbox while Redis was down is sent once it is back.
    "sapu-outbox": {"task": "kinerja.tasks.sapu_outbox", "schedule": 60.0},
    # Hourly; each instansi's reminders go out from its own hour (PengaturanPengingat.jam_kirim),
    # and the per-day key makes the later hours no-ops.
    "pengingat": {
        "task": "kinerja.tasks.jalankan_pengingat",
        "schedule": crontab(minute=5),
    },
    # Changes of position dated today take effect, and acting appointments past their end
    # stop; hourly so a restart never skips a day (repeats are no-ops).
    "mutasi-jatuh-tempo": {
        "task": "kinerja.tasks.mutasi_jatuh_tempo",
        "schedule": crontab(minute=1),
    },
}

if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "kinerja.redis_cache.RedisCache",
            "LOCATION": REDIS_URL,
            # Every page reads the per-user menu facts from here: an unreachable Redis must
            # cost a second at most, then the page computes them itself.
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Sessions in PostgreSQL, read through a short copy in Redis when there is one (kinerja.sesi): any
# web container serves any request (stateless web tier).
SESSION_ENGINE = "kinerja.sesi" if REDIS_URL else "django.contrib.sessions.backends.db"

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "kinerja.akses.token.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PARSER_CLASSES": [
        "kinerja.akses.parser.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    # Per integration token, per account, per anonymous address (kinerja.akses.throttle).
    "DEFAULT_THROTTLE_CLASSES": ["kinerja.akses.throttle.KredensialThrottle"],
    "DEFAULT_THROTTLE_RATES": {
        "user": env("KINERJA_API_RATE_USER", "600/min"),
        "integrasi": env("KINERJA_API_RATE_INTEGRASI", "1200/min"),
        "anon": env("KINERJA_API_RATE_ANON", "60/min"),
    },
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "kinerja.api_base.Pagination",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "kinerja.api_schema.KinerjaAutoSchema",
    "EXCEPTION_HANDLER": "kinerja.api_base.exception_handler",
    "PAGE_SIZE": 50,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Kinerja API",
    "DESCRIPTION": (
        "API pengelolaan kinerja ASN (PermenPANRB No. 6/2022) untuk integrasi e-Kinerja/SIASN.\n\n"
        "Daftar dipaginasi: `{count, next, previous, results}` dengan `?page=` dan `?page_size=` "
        "(maks. 200). Untuk menelusuri daftar besar (pegawai, evaluasi, SKP) pakai mode keyset "
        "`?cursor=` (kosong untuk halaman pertama, lalu ikuti `next`/`previous`): urut menurut "
        "`id`, halaman ke-N sama cepatnya dengan halaman pertama, dan `count` bernilai null.\n\n"
        "Sinkronisasi inkremental: setiap sumber daya membawa `diubah`; setiap daftar menerima "
        "`?diubah_sejak=<waktu ISO 8601>` (urut menurut `diubah`, `id`, ikuti `next`); "
        "penghapusan ada di `perubahan/?diubah_sejak=`. Jawaban GET membawa `ETag`; kirim "
        "kembali di `If-None-Match` untuk mendapat 304 bila tidak berubah."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # JSON-only request bodies, every error status and ETag/304 documented (kinerja.api_schema).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "kinerja.api_schema.postprocess",
        "kinerja.akses.throttle.skema_429",
    ],
    # Several models have a `status`/`jenis`; name each enum after its model so the schema's
    # component names are stable (not hash-suffixed) for integrators' generated clients.
    "ENUM_NAME_OVERRIDES": {
        "InstansiJenisEnum": "kinerja.models.Instansi.Jenis",
        "JabatanJenisEnum": "kinerja.models.Jabatan.Jenis",
        "PegawaiStatusEnum": "kinerja.models.Pegawai.Status",
        "PeriodeStatusEnum": "kinerja.models.Periode.Status",
        "MutasiJenisEnum": "kinerja.models.Mutasi.Jenis",
        "MutasiStatusEnum": "kinerja.models.Mutasi.Status",
        "RiwayatJabatanJenisEnum": "kinerja.models.RiwayatJabatan.Jenis",
        "JobStatusEnum": "kinerja.models.Job.Status",
        "DokumenJenisEnum": "kinerja.models.Dokumen.Jenis",
        "SKPStatusEnum": "skp.models.SKP.Status",
        "SKPJenisEnum": "skp.models.SKP.Jenis",
        "RencanaHasilKerjaJenisEnum": "skp.models.RencanaHasilKerja.Jenis",
        "PermintaanUmpanBalikStatusEnum": "dialog.models.PermintaanUmpanBalik.Status",
        "UmpanBalikJenisEnum": "dialog.models.UmpanBalik.Jenis",
        "PenugasanStatusEnum": "dialog.models.Penugasan.Status",
        "DialogKinerjaJenisEnum": "dialog.models.DialogKinerja.Jenis",
        "EvaluasiJenisEnum": "evaluasi.models.Jenis",
        "RatingEnum": "evaluasi.models.Rating",
        "PredikatEnum": "evaluasi.models.Predikat",
        "PredikatOrganisasiEnum": "evaluasi.models.PredikatOrganisasi",
        "EvaluasiStatusEnum": "evaluasi.models.Evaluasi.Status",
        "PenutupanTahunStatusEnum": "evaluasi.models.PenutupanTahun.Status",
        "TabelTindakLanjutJenisEnum": "evaluasi.models.TabelTindakLanjut.Jenis",
        "KasusSanksiStatusEnum": "evaluasi.models.KasusSanksi.Status",
        "CakupanTokenEnum": "kinerja.akses.models.TokenIntegrasi.Cakupan",
        "JenisKredensialEnum": "kinerja.akses.api.JENIS_KREDENSIAL",
        "PeranEnum": "kinerja.akses.api.PERAN",
        "KirimanStatusEnum": "evaluasi.siasn.models.Kiriman.Status",
        "KirimanAlasanEnum": "evaluasi.siasn.models.Kiriman.Alasan",
    },
}

GUARDIAN_RAISE_403 = False
ANONYMOUS_USER_NAME = None

# Production hardening; `manage.py check --deploy` is clean with DEBUG off.
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", not DEBUG)
SESSION_COOKIE_SECURE = envbool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = envbool("CSRF_COOKIE_SECURE", not DEBUG)
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"

# Kinerja's own limits.
KINERJA_UPLOAD_MAX_BYTES = envint("KINERJA_UPLOAD_MAX_BYTES", 10 * 1024 * 1024)
# Public /verifikasi/ requests per client address per minute.
KINERJA_VERIFIKASI_PER_MENIT = envint("KINERJA_VERIFIKASI_PER_MENIT", 30)
# NIP lookups per account per minute when proposing an assignment (dialog; enumeration guard).
KINERJA_CARI_NIP_PER_MENIT = envint("KINERJA_CARI_NIP_PER_MENIT", 30)
# Trusted reverse proxies in front of the app (0: X-Forwarded-For is ignored).
KINERJA_PROXY_HOPS = envint("KINERJA_PROXY_HOPS", 0)
# Staff imports with more rows than this are written by a worker, with a progress bar.
KINERJA_IMPOR_LATAR_BARIS = envint("KINERJA_IMPOR_LATAR_BARIS", 2000)
# A year-end close job takes whole units until it holds about this many documents (small units
# share a job; a bigger unit is a job of its own): evaluasi.services.kelompok_unit.
KINERJA_TUTUP_DOKUMEN_PER_JOB = envint("KINERJA_TUTUP_DOKUMEN_PER_JOB", 100)
# Documents of one template rendered in one WeasyPrint pass (kinerja.pdf.render_pdf_massal:
# the year-end close's unit jobs); 1: each alone. A pass shares computed styles and text
# measurements between its documents: ±0.75-0.85x the CPU of one pass each, the same files
# (bench/temuan.md, issue 19 item 5, Putaran kelima). Peak ±200 MB for a pass of 50.
KINERJA_PDF_PER_PASS = envint("KINERJA_PDF_PER_PASS", 50)
# Seconds the per-user menu facts (unread count, which menu entries show) stay cached; 0: off.
KINERJA_NAV_DETIK = envint("KINERJA_NAV_DETIK", 30)
# Seconds a heavy read page is kept per user and data version (kinerja.cache_halaman); 0: off.
# Needs the shared cache (Redis): locmem in several processes would disagree on the version.
KINERJA_HALAMAN_DETIK = envint("KINERJA_HALAMAN_DETIK", 120 if REDIS_URL else 0)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "WARNING")},
}
# SIASN push (evaluasi/siasn): off unless KINERJA_SIASN_URL is set (e.g.
# https://apimws.bkn.go.id:8243/apisiasn/1.0). The API-manager token comes by OAuth2 client
# credentials (KINERJA_SIASN_CLIENT_ID/_SECRET at KINERJA_SIASN_TOKEN_URL), the operator's SSO
# token by password grant at KINERJA_SIASN_SSO_URL. Secrets may come from *_FILE.
KINERJA_SIASN_URL = env("KINERJA_SIASN_URL", "")
KINERJA_SIASN_TOKEN_URL = env("KINERJA_SIASN_TOKEN_URL", "https://apimws.bkn.go.id/oauth2/token")
KINERJA_SIASN_CLIENT_ID = env("KINERJA_SIASN_CLIENT_ID", "")
KINERJA_SIASN_CLIENT_SECRET = env("KINERJA_SIASN_CLIENT_SECRET", "")
KINERJA_SIASN_SSO_URL = env("KINERJA_SIASN_SSO_URL", "")
KINERJA_SIASN_SSO_CLIENT_ID = env("KINERJA_SIASN_SSO_CLIENT_ID", "")
KINERJA_SIASN_SSO_USERNAME = env("KINERJA_SIASN_SSO_USERNAME", "")
KINERJA_SIASN_SSO_PASSWORD = env("KINERJA_SIASN_SSO_PASSWORD", "")
KINERJA_SIASN_TIMEOUT = float(env("KINERJA_SIASN_TIMEOUT", "20"))
KINERJA_SIASN_HEADER_TERTUKAR = envbool("KINERJA_SIASN_HEADER_TERTUKAR", False)
