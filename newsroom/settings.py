"""
Settings for newsroom, read from the environment.

Every value has a safe development default, so `make run` needs nothing set. In production set
DJANGO_DEBUG=0 and DJANGO_SECRET_KEY; the process refuses to start without a secret.
See docs/configuration.md for the full table.
"""

import ipaddress
import os
import sys
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name, default=""):
    return os.environ.get(name, default)


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name, default):
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


def env_list(name, default=""):
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG", True)
TESTING = "pytest" in sys.modules or env_bool("DJANGO_TESTING")

SECRET_KEY = env("DJANGO_SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is not set. With DJANGO_DEBUG off the site refuses to start "
            "without a secret key: set DJANGO_SECRET_KEY to a long random string."
        )
    SECRET_KEY = "django-insecure-development-only-key-do-not-use-in-production"

# Keys reader IP hashes separately from SECRET_KEY, so rotating one does not touch the other.
IP_HASH_KEY = env("DJANGO_IP_HASH_KEY", SECRET_KEY)

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "drf_standardized_errors",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "articles",
    "comments",
    "notifications",
    "accounts",
    "embeds",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Before the session and CSRF middleware, so it sees the cookies they set (embeds/).
    "embeds.middleware.FrameCookieMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # After sessions, before common: the language comes from the switch's cookie, else the
    # browser's Accept-Language; URLs carry no language (docs/architecture.md, "Languages").
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "comments.readers.ReaderMiddleware",
    "newsroom.middleware.AdminBadInputMiddleware",
    "newsroom.middleware.SecurityHeadersMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "newsroom.urls"
WSGI_APPLICATION = "newsroom.wsgi.application"

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
            ],
        },
    },
]

# Database: SQLite file by default, tuned for many concurrent writers; DATABASE_URL switches.
SQLITE_PATH = Path(env("DJANGO_SQLITE_PATH", str(BASE_DIR / "db.sqlite3")))
SQLITE_OPTIONS = {
    # IMMEDIATE takes the write lock at BEGIN, so two writers queue on the busy
    # timeout instead of deadlocking on a read-to-write upgrade ("database is locked").
    "transaction_mode": "IMMEDIATE",
    "timeout": 30,
    "init_command": (
        "PRAGMA journal_mode=WAL;"
        "PRAGMA synchronous=NORMAL;"
        "PRAGMA foreign_keys=ON;"
        "PRAGMA temp_store=MEMORY;"
        "PRAGMA cache_size=-32000;"
        "PRAGMA mmap_size=134217728;"
    ),
}
DATABASE_URL = env("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {
        "default": dj_database_url.parse(
            DATABASE_URL, conn_max_age=env_int("DJANGO_CONN_MAX_AGE", 60), conn_health_checks=True
        )
    }
    if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
        # The same tuning however SQLite is named: without it, concurrent readers and
        # writers get "database is locked" errors.
        DATABASES["default"]["OPTIONS"] = {
            **SQLITE_OPTIONS,
            **DATABASES["default"].get("OPTIONS", {}),
        }
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": SQLITE_PATH,
            "OPTIONS": SQLITE_OPTIONS,
            "TEST": {"NAME": BASE_DIR / "test-db.sqlite3"},
            # Opening a connection runs the PRAGMAs above: keep it for the thread's next request.
            "CONN_MAX_AGE": env_int("DJANGO_CONN_MAX_AGE", 60),
            "CONN_HEALTH_CHECKS": True,
        }
    }

# Cache: local memory by default; DJANGO_CACHE_URL=redis://... shares cache and rate limits.
# With Redis down the site keeps serving from each process's memory (newsroom/cache.py).
CACHE_URL = env("DJANGO_CACHE_URL")
if TESTING and CACHE_URL and os.environ.get("PYTEST_XDIST_WORKER"):
    # Each parallel test worker gets its own Redis database, since cache.clear() flushes a whole
    # database and rate-limit counters must not leak between workers.
    _base, _, _db = CACHE_URL.rpartition("/")
    _worker = int(os.environ["PYTEST_XDIST_WORKER"].removeprefix("gw"))
    CACHE_URL = f"{_base}/{int(_db or 0) + _worker}" if _db.isdigit() else CACHE_URL
# Rate limits without Redis: an SQLite file every worker on this machine shares.
if TESTING:
    _worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    _ratelimits_path = BASE_DIR / f"test-db.ratelimits-{_worker}.sqlite3"
elif str(SQLITE_PATH) == ":memory:":
    _ratelimits_path = ":memory:"
else:
    _ratelimits_path = SQLITE_PATH.with_name(f"{SQLITE_PATH.stem}.ratelimits.sqlite3")
RATELIMIT_SQLITE_PATH = env("DJANGO_RATELIMIT_SQLITE_PATH", str(_ratelimits_path))
if CACHE_URL.startswith(("redis://", "rediss://", "unix://")):
    _timeout = float(env("DJANGO_CACHE_SOCKET_TIMEOUT", "0.5"))
    CACHES = {
        "default": {
            "BACKEND": "newsroom.cache.FallbackRedisCache",
            "LOCATION": CACHE_URL,
            "KEY_PREFIX": env("DJANGO_CACHE_PREFIX", "newsroom"),
            "OPTIONS": {
                "socket_connect_timeout": _timeout,
                "socket_timeout": _timeout,
                "RETRY_SECONDS": float(env("DJANGO_CACHE_RETRY_SECONDS", "5")),
            },
        }
    }
    RATELIMIT_USE_CACHE = "default"
elif CACHE_URL:
    raise ImproperlyConfigured(f"DJANGO_CACHE_URL must be a redis:// URL, got {CACHE_URL!r}.")
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "newsroom",
            "OPTIONS": {"MAX_ENTRIES": 10_000},
        },
        "ratelimits": {
            "BACKEND": "newsroom.cache.SQLiteCache",
            "LOCATION": RATELIMIT_SQLITE_PATH,
        },
    }
    RATELIMIT_USE_CACHE = "ratelimits"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # Django's ModelBackend, also taking an email address for the username (accounts/backends.py).
    "accounts.backends.UsernameOrEmailBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "articles:list"
LOGOUT_REDIRECT_URL = "articles:list"

LANGUAGE_CODE = "en"
# Readers' languages, offered by the header's switch. Adding one: README, "Adding a language".
LANGUAGES = [("en", gettext_lazy("English")), ("es", gettext_lazy("Spanish"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Spanish dates and numbers as a US newsroom writes them (newsroom/formats/es/formats.py).
FORMAT_MODULE_PATH = ["newsroom.formats"]
# The switch remembers a reader's choice for a year; the cookie says only the language.
LANGUAGE_COOKIE_AGE = 365 * 24 * 60 * 60
LANGUAGE_COOKIE_SAMESITE = "Lax"
TIME_ZONE = env("DJANGO_TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env("DJANGO_STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or TESTING
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Mail: the console in development; naming an SMTP host switches to SMTP unless a backend is set.
EMAIL_HOST = env("DJANGO_EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("DJANGO_EMAIL_PORT", 25)
EMAIL_HOST_USER = env("DJANGO_EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env("DJANGO_EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("DJANGO_EMAIL_USE_TLS")
EMAIL_USE_SSL = env_bool("DJANGO_EMAIL_USE_SSL")
EMAIL_TIMEOUT = env_int("DJANGO_EMAIL_TIMEOUT", 10)
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise ImproperlyConfigured("Set only one of DJANGO_EMAIL_USE_TLS and DJANGO_EMAIL_USE_SSL.")
EMAIL_BACKEND = env(
    "DJANGO_EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if env("DJANGO_EMAIL_HOST")
    else "django.core.mail.backends.console.EmailBackend",
)
DEFAULT_FROM_EMAIL = env("DJANGO_DEFAULT_FROM_EMAIL", "newsroom@localhost")

# Background work (django-tasks, Django 6's tasks API): the database backend needs nothing else
# running but `manage.py db_worker`. See docs/operations.md for workers and the RQ backend.
TASKS = {
    "default": {
        "BACKEND": env("DJANGO_TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}

# Security headers. Production values switch on when debug is off.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
# Django's database sessions, read with a statement compiled once (accounts/sessions.py says why
# not the cache: a session must end in every worker the moment it is deleted).
SESSION_ENGINE = "accounts.sessions"
CSRF_COOKIE_HTTPONLY = False  # The progressive-enhancement script reads it for fetch() posts.
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 31_536_000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True

# Content Security Policy: no inline scripts anywhere; the admin needs inline styles.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: https:; media-src 'self' https:; frame-src https:; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'self'; "
    "object-src 'none'"
)

# Admin brute-force lockout (django-axes).
AXES_FAILURE_LIMIT = env_int("DJANGO_AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = 1  # hours
# Lock the pair, so nobody can lock an editor out from elsewhere, or a whole office network out.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_ENABLED = env_bool("DJANGO_AXES_ENABLED", True)
AXES_LOCKOUT_TEMPLATE = "registration/lockout.html"
# Lock out the address every other rule sees (the reader behind our proxies, see NEWSROOM below).
AXES_CLIENT_IP_CALLABLE = "comments.readers.client_ip"
# Count failures against the account, whether its username or its email address was typed.
AXES_USERNAME_CALLABLE = "accounts.backends.axes_username"

# Request size: a comment is a few KB and a long story under 100 KB; anything past this is
# refused with 400 before a view reads it. Headers are limited by the server (gunicorn: 8 KB).
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DJANGO_DATA_UPLOAD_MAX_MEMORY_SIZE", 512 * 1024)
DATA_UPLOAD_MAX_NUMBER_FIELDS = 1000

REST_FRAMEWORK = {
    # drf-standardized-errors: one JSON error shape for every status, documented in the schema.
    "DEFAULT_SCHEMA_CLASS": "newsroom.api_errors.AutoSchema",
    "EXCEPTION_HANDLER": "drf_standardized_errors.handler.exception_handler",
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["newsroom.api.JSONParser"],
    "DEFAULT_METADATA_CLASS": "newsroom.api.Metadata",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "newsroom API",
    "DESCRIPTION": "Stories, reader comments, reactions and moderation.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        name: f"drf_standardized_errors.openapi_serializers.{name}.choices"
        for name in [
            "ValidationErrorEnum",
            "ClientErrorEnum",
            "ServerErrorEnum",
            *(f"ErrorCode{code}Enum" for code in (401, 403, 404, 405, 406, 415, 429, 500)),
        ]
    },
    "POSTPROCESSING_HOOKS": [
        "drf_standardized_errors.openapi_hooks.postprocess_schema_enums",
        "newsroom.api.document_refused_nul_characters",
    ],
}
# One enum for every status a comment can have, wherever the desk's API shows one.
SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"]["ModerationCommentStatusEnum"] = (
    "comments.models.Comment.Status"
)
# Every API error, whatever its cause, is JSON in one documented shape.
DRF_STANDARDIZED_ERRORS = {
    "ENABLE_IN_DEBUG_FOR_UNHANDLED_EXCEPTIONS": True,
    "EXCEPTION_HANDLER_CLASS": "newsroom.api_errors.APIExceptionHandler",
    "ALLOWED_ERROR_STATUS_CODES": [
        "400",
        "401",
        "403",
        "404",
        "405",
        "406",
        "413",
        "415",
        "429",
        "500",
    ],
    "ERROR_SCHEMAS": {413: "newsroom.api_errors.ErrorResponse413Serializer"},
}

# Product settings (all overridable from the environment).
NEWSROOM = {
    # Behind a reverse proxy: the header it puts the client's address in ("X-Forwarded-For" or
    # "X-Real-IP") and how many proxies of ours stand in front. Empty: REMOTE_ADDR is the client.
    "PROXY_CLIENT_HEADER": env("NEWSROOM_PROXY_CLIENT_HEADER", ""),
    "TRUSTED_PROXY_COUNT": env_int("NEWSROOM_TRUSTED_PROXY_COUNT", 1),
    # Days after publication that a story stops taking comments; 0 keeps comments open.
    "COMMENTS_CLOSE_AFTER_DAYS": env_int("NEWSROOM_COMMENTS_CLOSE_AFTER_DAYS", 30),
    # Site moderation mode: "pre" (hold everything), "first" (hold first-timers), "post".
    "MODERATION_MODE": env("NEWSROOM_MODERATION_MODE", "first"),
    "COMMENT_MAX_LENGTH": env_int("NEWSROOM_COMMENT_MAX_LENGTH", 3000),
    "COMMENT_EDIT_WINDOW_MINUTES": env_int("NEWSROOM_COMMENT_EDIT_WINDOW_MINUTES", 15),
    "COMMENTS_PER_PAGE": env_int("NEWSROOM_COMMENTS_PER_PAGE", 20),
    # Anti-spam: a comment form must be this many seconds old, and at most this many hours.
    "COMMENT_MIN_SECONDS": env_int("NEWSROOM_COMMENT_MIN_SECONDS", 3),
    "COMMENT_FORM_MAX_AGE_HOURS": env_int("NEWSROOM_COMMENT_FORM_MAX_AGE_HOURS", 24),
    # How long an API posting token (GET /api/csrf/) stays good for its one comment.
    "POSTING_TOKEN_MAX_AGE_MINUTES": env_int("NEWSROOM_POSTING_TOKEN_MAX_AGE_MINUTES", 60),
    # How long a story page rendered for readers without an identity may be served from the
    # cache; writes replace it at once, this bounds "3 minutes ago" texts. 0 switches it off.
    "STORY_CACHE_SECONDS": env_int("NEWSROOM_STORY_CACHE_SECONDS", 60),
    # How long a comment's drawn HTML is kept for later versions of its page (comments.fragments);
    # 0 draws every comment of every version.
    "COMMENT_FRAGMENT_SECONDS": env_int("NEWSROOM_COMMENT_FRAGMENT_SECONDS", 3600),
    # How often an open story page asks what is new (seconds, jittered; backs off when hidden).
    "LIVE_POLL_SECONDS": env_int("NEWSROOM_LIVE_POLL_SECONDS", 15),
    # Most bytes of rendered story pages each worker keeps in its memory (the oldest go first).
    "PAGE_CACHE_WORKER_BYTES": env_int("NEWSROOM_PAGE_CACHE_WORKER_BYTES", 16 * 1024 * 1024),
    # Stories made for embedding sites' pages (embeds/), per network of the reader who asks.
    "EMBED_PAGE_RATE": env("NEWSROOM_EMBED_PAGE_RATE", "30/h"),
    # Rate limits in django-ratelimit syntax, per reader and per network.
    "REACTION_RATE": env("NEWSROOM_REACTION_RATE", "30/m"),
    "REACTION_NETWORK_RATE": env("NEWSROOM_REACTION_NETWORK_RATE", "600/m"),
    "COMMENT_RATE": env("NEWSROOM_COMMENT_RATE", "5/m"),
    "COMMENT_NETWORK_RATE": env("NEWSROOM_COMMENT_NETWORK_RATE", "60/m"),
    # The comment box's live preview renders on the server: a reader typing asks about once a
    # second at most (the script waits for a pause), so these only stop a client hammering it.
    "PREVIEW_RATE": env("NEWSROOM_PREVIEW_RATE", "60/m"),
    "PREVIEW_NETWORK_RATE": env("NEWSROOM_PREVIEW_NETWORK_RATE", "600/m"),
    # Reports from one network, whoever sends them: far below the comment rate, since a handful
    # of reports is all a brigade needs (a reader's own report rate is REACTION_RATE).
    "REPORT_NETWORK_RATE": env("NEWSROOM_REPORT_NETWORK_RATE", "20/h"),
    # Every write through the API (likes, reports, edits...) on top of each action's own limit.
    "API_WRITE_RATE": env("NEWSROOM_API_WRITE_RATE", "60/m"),
    # How much of an IPv6 address is one network (reports, network rates, network bans).
    "IPV6_NETWORK_PREFIX": min(max(env_int("NEWSROOM_IPV6_NETWORK_PREFIX", 48), 32), 64),
    "API_WRITE_NETWORK_RATE": env("NEWSROOM_API_WRITE_NETWORK_RATE", "600/m"),
    # Posts of the sign-up, log-in and password reset forms, per address and per network; a
    # reset per email address too (django-axes still locks a username after failed log-ins).
    "ACCOUNT_RATE": env("NEWSROOM_ACCOUNT_RATE", "20/h"),
    "ACCOUNT_NETWORK_RATE": env("NEWSROOM_ACCOUNT_NETWORK_RATE", "100/h"),
    "PASSWORD_RESET_EMAIL_RATE": env("NEWSROOM_PASSWORD_RESET_EMAIL_RATE", "3/h"),
    # The external classifier (its URL is set by editors in the admin) may only reach public
    # addresses over https; these networks (CIDR, comma-separated) are allowed anyway.
    "CLASSIFIER_ALLOWED_NETWORKS": [
        str(ipaddress.ip_network(net, strict=False))
        for net in env_list("NEWSROOM_CLASSIFIER_ALLOWED_NETWORKS")
    ],
    # After this many failures in a row the classifier is not asked for this many seconds.
    "CLASSIFIER_CIRCUIT_FAILURES": env_int("NEWSROOM_CLASSIFIER_CIRCUIT_FAILURES", 5),
    "CLASSIFIER_CIRCUIT_SECONDS": env_int("NEWSROOM_CLASSIFIER_CIRCUIT_SECONDS", 60),
    # "background": a comment waits held while the worker asks the classifier; "inline": the
    # request asks it (at most 3 s) before answering the reader.
    "CLASSIFIER_MODE": env("NEWSROOM_CLASSIFIER_MODE", "background"),
    # Reader notices: the site's address for links in mail (scheme and host, no trailing slash),
    # how long a confirmation link works, and the most notices one address gets in a day.
    "SITE_URL": env("NEWSROOM_SITE_URL", "http://127.0.0.1:8000").rstrip("/"),
    "NOTICE_CONFIRM_DAYS": env_int("NEWSROOM_NOTICE_CONFIRM_DAYS", 7),
    "NOTICE_DAILY_CAP": env_int("NEWSROOM_NOTICE_DAILY_CAP", 20),
    # Accounts and privacy: how long a sign-up or email-change confirmation link works, and after
    # how many days comments and reports lose their network traces (IP and network hashes, user
    # agent) to `manage.py purge_personal_data`.
    "ACCOUNT_CONFIRM_DAYS": env_int("NEWSROOM_ACCOUNT_CONFIRM_DAYS", 3),
    "RETENTION_DAYS": env_int("NEWSROOM_RETENTION_DAYS", 90),
    # Webhook endpoints (set by editors in the admin) may only reach public addresses over https;
    # these networks (CIDR, comma-separated) are allowed anyway.
    "WEBHOOK_ALLOWED_NETWORKS": [
        str(ipaddress.ip_network(net, strict=False))
        for net in env_list("NEWSROOM_WEBHOOK_ALLOWED_NETWORKS")
    ],
    # A webhook endpoint is switched off after this many failed attempts in a row.
    "WEBHOOK_DISABLE_AFTER": env_int("NEWSROOM_WEBHOOK_DISABLE_AFTER", 15),
    # First values of the moderation settings editors then change in the admin.
    "MODERATION": {
        "BANNED_WORDS": env_list("NEWSROOM_BANNED_WORDS"),
        "SUSPECT_WORDS": env_list("NEWSROOM_SUSPECT_WORDS"),
        "GUEST_MAX_LINKS": env_int("NEWSROOM_GUEST_MAX_LINKS", 1),
        "ACCOUNT_MAX_LINKS": env_int("NEWSROOM_ACCOUNT_MAX_LINKS", 3),
        "REPEAT_WINDOW_HOURS": env_int("NEWSROOM_REPEAT_WINDOW_HOURS", 24),
        "REPEAT_STORY_COUNT": env_int("NEWSROOM_REPEAT_STORY_COUNT", 2),
        "FIRST_TIMER_APPROVALS": env_int("NEWSROOM_FIRST_TIMER_APPROVALS", 1),
        "REPORT_THRESHOLD": env_int("NEWSROOM_REPORT_THRESHOLD", 3),
        # A reporter whose cookie or account is younger than this, with no visible comment,
        # counts as brand-new, and weighs NEW_REPORTER_WEIGHT percent of an established one.
        "REPORTER_MIN_AGE_HOURS": env_int("NEWSROOM_REPORTER_MIN_AGE_HOURS", 24),
        "NEW_REPORTER_WEIGHT": env_int("NEWSROOM_NEW_REPORTER_WEIGHT", 0),
        "BAN_ACTION": env("NEWSROOM_BAN_ACTION", "refuse"),  # or "hold"
        "CLASSIFIER_URL": env("NEWSROOM_CLASSIFIER_URL"),
        "CLASSIFIER_SECRET": env("NEWSROOM_CLASSIFIER_SECRET"),
        "CLASSIFIER_TIMEOUT": float(env("NEWSROOM_CLASSIFIER_TIMEOUT", "2")),
    },
}
if NEWSROOM["CLASSIFIER_MODE"] not in {"background", "inline"}:
    raise ImproperlyConfigured("NEWSROOM_CLASSIFIER_MODE must be background or inline.")

# `key="ip"` counts the same address as our own limits, bans and lockouts.
RATELIMIT_IP_META_KEY = "comments.readers.client_ip"
# django-ratelimit's E003 (a cache that is not shared or not atomic) stays on: both rate-limit
# stores above are shared and count atomically (tests/test_ratelimits_shared.py). Its W001 only
# says a backend is not one of the few it names (django-redis, memcached), which ours are not.
SILENCED_SYSTEM_CHECKS = ["django_ratelimit.W001"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("DJANGO_LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
    },
}
