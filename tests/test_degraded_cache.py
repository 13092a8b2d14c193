"""With the configured Redis down, readers are still served and writers still heard."""

import re
import socket
import subprocess
import time
from logging import ERROR

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from articles import page_cache
from comments.models import Comment

pytestmark = pytest.mark.django_db

REDIS_SERVER = "/usr/bin/redis-server"


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class OwnRedis:
    """A Redis server of this test's own, on a port nobody else uses, that the test may stop."""

    def __init__(self):
        self.port = free_port()
        self.process = None

    def start(self):
        self.process = subprocess.Popen(
            [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1"]
            + ["--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(200):
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.1).close()
                return
            except OSError:
                time.sleep(0.02)
        raise RuntimeError("redis-server did not start")

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


@pytest.fixture
def redis_site(settings, relaxed_comment_limits, post_moderated_site):
    """Point the site's cache and rate limits at a Redis started for this test alone."""
    import shutil

    if not shutil.which(REDIS_SERVER):
        pytest.skip("redis-server is not installed")
    redis = OwnRedis()
    redis.start()
    settings.CACHES = {
        "default": {
            "BACKEND": "newsroom.cache.FallbackRedisCache",
            "LOCATION": f"redis://127.0.0.1:{redis.port}/0",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
    settings.RATELIMIT_USE_CACHE = "default"
    page_cache.forget()
    yield redis
    redis.stop()
    page_cache.forget()


def cache_errors(caplog):
    return [r for r in caplog.records if r.name == "newsroom.cache" and r.levelno >= ERROR]


def test_story_page_comments_and_reactions_go_on_when_redis_dies(
    redis_site, client, article, make_comment, comment_data, caplog
):
    make_comment(article, body="Said before the outage")
    assert Client().get(article.get_absolute_url()).status_code == 200  # cached in Redis
    redis_site.stop()

    newcomer = Client().get(article.get_absolute_url())
    assert newcomer.status_code == 200
    assert "Said before the outage" in newcomer.content.decode()

    url = reverse("comment_post", args=[article.slug])
    posted = client.post(url, comment_data(article, body="Said during the outage"))
    assert posted.status_code == 302
    assert Comment.objects.filter(body="Said during the outage").exists()
    assert "Said during the outage" in Client().get(article.get_absolute_url()).content.decode()

    api = APIClient()
    reacted = api.put(f"/api/articles/{article.slug}/reactions/", {"kind": "love"}, format="json")
    assert reacted.status_code in (200, 201)
    assert article.reactions.filter(kind="love").count() == 1

    assert len(cache_errors(caplog)) == 1, "the outage is logged once, not per request"


def test_rate_limits_still_refuse_a_flood_when_redis_is_down(
    redis_site, client, article, comment_data, settings
):
    settings.NEWSROOM = {**settings.NEWSROOM, "COMMENT_RATE": "3/m"}
    redis_site.stop()
    url = reverse("comment_post", args=[article.slug])
    answers = [
        client.post(url, comment_data(article, body=f"Flood number {n}")).status_code
        for n in range(6)
    ]
    assert answers[:3] == [302, 302, 302]
    assert 429 in answers[3:]


def test_health_says_degraded_but_serving_when_redis_is_down(redis_site, client, caplog):
    healthy = client.get("/health/")
    assert healthy.status_code == 200
    assert healthy.json() == {"status": "ok", "database": "ok", "cache": "ok"}

    redis_site.stop()
    for _ in range(3):
        degraded = client.get("/health/")
        assert degraded.status_code == 200, "a load balancer keeps sending readers"
        assert degraded.json() == {"status": "degraded", "database": "ok", "cache": "unreachable"}
    assert len(cache_errors(caplog)) == 1


def test_cache_is_used_again_and_said_so_once_redis_is_back(redis_site, client, settings, caplog):
    settings.CACHES["default"]["OPTIONS"]["RETRY_SECONDS"] = 0  # try Redis on every call
    settings.CACHES = {**settings.CACHES}  # apply: a new cache object from the settings
    redis_site.stop()
    assert client.get("/health/").json()["cache"] == "unreachable"
    assert client.get("/health/").json()["cache"] == "unreachable"
    redis_site.start()
    assert client.get("/health/").json() == {"status": "ok", "database": "ok", "cache": "ok"}
    assert client.get("/health/").json()["status"] == "ok"
    assert len(cache_errors(caplog)) == 1
    recovered = [r for r in caplog.records if r.name == "newsroom.cache" and r.levelno < ERROR]
    assert len(recovered) == 1


def test_a_signed_in_reader_keeps_their_own_page_when_redis_dies(redis_site, article, make_comment):
    """Sessions live in the database: with the cache gone a reader stays signed in, and a logout
    still ends the session everywhere."""
    from django.conf import settings as django_settings
    from django.contrib.auth import get_user_model

    make_comment(article, body="Said before the outage")
    reader = Client()
    reader.force_login(get_user_model().objects.create_user("ada", password="pw"))
    assert reader.post(reverse("react", args=[article.slug]), {"kind": "love"}).status_code == 302
    assert "Signed in as ada" in reader.get(article.get_absolute_url()).content.decode()
    other = Client()
    other.cookies[django_settings.SESSION_COOKIE_NAME] = reader.cookies["sessionid"].value
    redis_site.stop()

    page = reader.get(article.get_absolute_url()).content.decode()
    assert "Signed in as ada" in page
    assert re.search(r'value="love"\s+aria-pressed="true"', page), "their reaction pressed"
    assert "Signed in as ada" in other.get(article.get_absolute_url()).content.decode()

    reader.post(reverse("logout"))
    assert "Signed in as ada" not in other.get(article.get_absolute_url()).content.decode()
