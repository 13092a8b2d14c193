import os
import re
import secrets
import subprocess
import sys

import pytest
from django.conf import settings

pytestmark = pytest.mark.django_db


def production_env(**extra):
    """The environment of a production process: debug off, a real secret, a real host."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "NEWSROOM_", "PYTEST_")) and key != "DATABASE_URL"
    }
    env.update(
        DJANGO_SETTINGS_MODULE="newsroom.settings",
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS="news.example.com",
        **extra,
    )
    return env


def run_manage(*args, **extra_env):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        env=production_env(**extra_env),
        capture_output=True,
        text=True,
        cwd=settings.BASE_DIR,
        timeout=120,
    )


def directives(csp):
    parts = (part.split() for part in csp.split(";") if part.strip())
    return {words[0]: words[1:] for words in parts}


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/accounts/login/",
        "/accounts/signup/",
        "/admin/login/",
        "/stories/no-such-story/",
    ],
)
def test_every_page_sends_the_security_headers(client, article, path):
    response = client.get(path)
    policy = directives(response.headers["Content-Security-Policy"])
    assert policy["script-src"] == ["'self'"], "scripts come only from our own files"
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["base-uri"] == ["'self'"]
    assert policy["form-action"] == ["'self'"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Cross-Origin-Opener-Policy"] == "same-origin"


def test_pages_load_scripts_only_from_static_files(client, article):
    for path in ["/", article.get_absolute_url(), "/accounts/login/"]:
        html = client.get(path).content.decode()
        scripts = re.findall(r"<script[^>]*>", html)
        assert scripts, "the page should load its progressive-enhancement script"
        assert all(f'src="{settings.STATIC_URL}' in tag for tag in scripts), scripts
        assert not re.search(r"\son[a-z]+=", html), "no inline event handlers"


def test_deploy_check_is_clean_with_production_settings():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_cookies_are_secure_and_https_is_enforced():
    script = (
        "from django.conf import settings as s; "
        "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY, "
        "s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS >= 31536000, s.DEBUG)"
    )
    result = run_manage("shell", "--no-imports", "-c", script)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "True", "True", "True", "True", "False"]


def test_production_responses_tell_browsers_to_stay_on_https():
    script = (
        "from django.test import Client; c = Client(headers={'host': 'news.example.com'}); "
        "print(c.get('/health/').status_code, c.get('/health/', secure=True).status_code, "
        "c.get('/health/', secure=True).headers['Strict-Transport-Security'])"
    )
    result = run_manage("shell", "--no-imports", "-c", script, DJANGO_SQLITE_PATH=":memory:")
    assert result.returncode == 0, result.stderr
    plain, secure, hsts = result.stdout.split(maxsplit=2)
    assert (plain, secure) == ("301", "200"), "plain HTTP is redirected to HTTPS"
    assert "max-age=31536000" in hsts and "includeSubDomains" in hsts
