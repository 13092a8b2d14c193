"""
The incumbent for the benchmark: django-comments-xtd set up as its tutorial does.

Production-like: debug off, the stock Django middleware, SQLite, the cached template loader.
"""

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent

DEBUG = False
SECRET_KEY = os.environ["XTD_SECRET_KEY"]
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.sites",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_comments_xtd",
    "django_comments",
    "xtd_site",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "xtd_site.urls"
WSGI_APPLICATION = "xtd_site.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
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

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.environ["XTD_SQLITE_PATH"],
        "OPTIONS": {"init_command": "PRAGMA journal_mode=WAL;"},
    }
}

USE_TZ = True
TIME_ZONE = "UTC"
STATIC_URL = "static/"
STATIC_ROOT = os.environ.get("XTD_STATIC_ROOT", str(BASE_DIR / "static"))
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
SITE_ID = 1
EMAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"

COMMENTS_APP = "django_comments_xtd"
COMMENTS_XTD_MAX_THREAD_LEVEL = 4
COMMENTS_XTD_CONFIRM_EMAIL = False
COMMENTS_XTD_APP_MODEL_OPTIONS = {
    "xtd_site.story": {
        "who_can_post": "all",
        "allow_flagging": True,
        "allow_feedback": True,
        "show_feedback": True,
    }
}
