import importlib
import os
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from articles.models import Article

SEED_NAME = "000_b6644f9eb1b60515.txt"
# The seed lives beside the project in ../shared; a clone elsewhere finds it by NEWSROOM_SEEDS.
SEED_DIRS = [
    Path(os.environ.get("NEWSROOM_SEEDS", "/nonexistent")),
    Path(__file__).resolve().parents[2] / "shared" / "seeds",
    Path("/work/shared/seeds"),
]


@pytest.fixture
def seed_path():
    for folder in SEED_DIRS:
        if (folder / SEED_NAME).exists():
            return folder / SEED_NAME
    pytest.skip(f"seed story {SEED_NAME} not found in {', '.join(map(str, SEED_DIRS))}")


@pytest.fixture
def make_article(db):
    def make(**fields):
        n = Article.objects.count() + 1
        defaults = {
            "headline": f"Story number {n}",
            "slug": f"story-{n}",
            "caption": "A caption",
            "body": "First paragraph.\n\nSecond paragraph.",
            "status": Article.Status.PUBLISHED,
            "published_at": timezone.now() - timedelta(hours=1),
        }
        defaults.update(fields)
        return Article.objects.create(**defaults)

    return make


@pytest.fixture
def article(make_article):
    return make_article(headline="Bridge reopens", slug="bridge-reopens")


# ---------- Comments (issue 4) ----------
@pytest.fixture
def relaxed_comment_limits(settings):
    """Lift the comment rate limits so a test can post freely from one address."""
    settings.NEWSROOM = {
        **settings.NEWSROOM,
        "COMMENT_RATE": "10000/m",
        "COMMENT_NETWORK_RATE": "10000/m",
        "REACTION_RATE": "10000/m",
        "REACTION_NETWORK_RATE": "10000/m",
        "API_WRITE_RATE": "10000/m",
        "API_WRITE_NETWORK_RATE": "10000/m",
    }


def browser_token(client, article, *, age=60):
    """Return a form token for `article` served `age` seconds ago to `client`'s browser.

    A token is bound to the browser's CSRF cookie: one is set on the client if it has none.
    """
    import time

    from django.conf import settings
    from django.middleware.csrf import CSRF_ALLOWED_CHARS, CSRF_SECRET_LENGTH
    from django.utils.crypto import get_random_string

    from comments.tokens import browser_hash, make_token

    name = settings.CSRF_COOKIE_NAME
    if name not in client.cookies:
        client.cookies[name] = get_random_string(CSRF_SECRET_LENGTH, CSRF_ALLOWED_CHARS)
    browser = browser_hash(client.cookies[name].value)
    return make_token(article, browser=browser, issued_at=time.time() - age)


@pytest.fixture
def comment_data(client):
    """Return form data for a comment as if the reader had spent a minute writing it.

    Its token is good once, from `client` (the `client` fixture unless another is given).
    """

    def data(article, *, browser=None, **fields):
        values = {
            "author_name": "Ada",
            "author_email": "ada@example.com",
            "body": "A thoughtful comment.",
            "website": "",
            "ts": browser_token(browser or client, article),
        }
        values.update(fields)
        return values

    return data


@pytest.fixture
def make_comment(db):
    from comments.models import Comment

    def make(article, *, parent=None, **fields):
        defaults = {
            "article": article,
            "parent": parent,
            "thread_id": (parent.thread_id or parent.pk) if parent else None,
            "depth": parent.depth + 1 if parent else 0,
            "reader_key": "g:someone-else",
            "author_name": "Someone",
            "author_email": "someone@example.com",
            "body": "Hello",
            "status": Comment.Status.APPROVED,
        }
        defaults.update(fields)
        return Comment.objects.create(**defaults)

    return make


# Moderation desk fixtures.


@pytest.fixture
def desk_comment(article, make_comment):
    """Save a comment on `article` directly, with the status given (default approved)."""

    def make(**fields):
        defaults = {
            "reader_key": "g:reader",
            "author_name": "Reader",
            "author_email": "",
            "body": "A thoughtful comment.",
        }
        return make_comment(fields.pop("article", article), **{**defaults, **fields})

    return make


@pytest.fixture
def post_comment(article):
    """Run a new comment through the moderation pipeline, save it and log the decision."""
    from comments import moderation
    from comments.models import Comment
    from comments.readers import Reader

    def post(body, *, reader=None, on=None, name="Reader", email="", **fields):
        reader = reader or Reader(key="g:reader", ip="203.0.113.9")
        comment = Comment(
            article=on or article,
            reader_key=reader.key,
            user=reader.user,
            author_name=name,
            author_email=email,
            body=body,
            ip_hash=reader.ip_hash,
            network_hash=reader.network_hash,
            **fields,
        )
        decision = moderation.moderate(comment=comment, reader=reader)
        decision.apply_to(comment)
        comment.save()
        moderation.record(comment, decision)
        return comment

    return post


def _staff_in(group_name, django_user_model, username):
    from django.contrib.auth.models import Group

    user = django_user_model.objects.create_user(username, password="pw-for-tests", is_staff=True)
    user.groups.add(Group.objects.get(name=group_name))
    return user


@pytest.fixture
def moderator(django_user_model):
    return _staff_in("Moderators", django_user_model, "mo")


@pytest.fixture
def editor(django_user_model):
    return _staff_in("Editors", django_user_model, "ed")


@pytest.fixture
def post_moderated_site(settings):
    """Publish comments at once, so a test of the write path is not held by first-timer rules."""
    settings.NEWSROOM = {**settings.NEWSROOM, "MODERATION_MODE": "post"}


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Hash test passwords cheaply: the real hasher costs seconds per user on a busy machine."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


# ---------- Reference data ----------
@pytest.fixture(autouse=True)
def reference_data(request):
    """Put back what migrations install (reaction kinds, staff groups) for database tests.

    A transactional test (live server, concurrency) ends by flushing every table, which also
    drops rows that data migrations created; tests that run after it on the same worker would
    otherwise see a site without its default reactions or its Moderators and Editors groups.
    """
    marker = request.node.get_closest_marker("django_db")
    if marker is None and not {"db", "transactional_db"} & set(request.fixturenames):
        return
    from django.contrib.auth.models import Group, Permission
    from django.db.models import Q

    from comments.models import ReactionKind

    ReactionKind.objects.install_defaults()
    groups = importlib.import_module("comments.migrations.0003_moderation")
    classifier = importlib.import_module("comments.migrations.0008_classifier_permission")
    for name, codes in [
        ("Moderators", groups.MODERATOR_PERMISSIONS),
        ("Editors", groups.EDITOR_PERMISSIONS + classifier.EDITOR_PERMISSIONS),
    ]:
        group, created = Group.objects.get_or_create(name=name)
        if created:
            wanted = Q()
            for app_label, codename in codes:
                wanted |= Q(content_type__app_label=app_label, codename=codename)
            group.permissions.set(Permission.objects.filter(wanted))


@pytest.fixture(autouse=True)
def steady_rate_windows(monkeypatch):
    """Keep the rate limiter's clock still during a test.

    Its windows are whole minutes (and hours...) of the real clock, so a test counting to a limit
    just as a minute ends would see the count start again, and pass or fail by the second.
    """
    import time
    import types

    import django_ratelimit.core

    now = time.time()
    monkeypatch.setattr(django_ratelimit.core, "time", types.SimpleNamespace(time=lambda: now))


# ---------- Story page cache (issue 8) ----------
@pytest.fixture(autouse=True)
def empty_cache_per_test():
    """Start every test with an empty cache: cached pages, settings and rate-limit counts must
    not cross tests."""
    from django.conf import settings
    from django.core.cache import cache, caches

    from articles import live, page_cache

    def empty():
        cache.clear()
        caches[settings.RATELIMIT_USE_CACHE].clear()
        page_cache.forget()
        live.forget()

    empty()
    yield
    empty()


# ---------- Background work and mail (issue 15) ----------
@pytest.fixture
def smtp_server(settings):
    """A real SMTP server on 127.0.0.1 (aiosmtpd), with the site's mail pointed at it.

    `smtp_server.messages` holds each message received, parsed; `.stop()` and `.start()` take it
    down and bring it back on the same port.
    """
    import email
    import email.policy
    import socket

    from aiosmtpd.controller import Controller

    class Sink:
        def __init__(self):
            self.messages = []

        async def handle_DATA(self, server, session, envelope):
            self.messages.append(
                email.message_from_bytes(envelope.content, policy=email.policy.default)
            )
            return "250 OK"

    class Server:
        def __init__(self):
            with socket.socket() as probe:
                probe.bind(("127.0.0.1", 0))
                self.port = probe.getsockname()[1]
            self.sink = Sink()
            self.messages = self.sink.messages
            self.controller = None

        def start(self):
            self.controller = Controller(self.sink, hostname="127.0.0.1", port=self.port)
            self.controller.start()

        def stop(self):
            if self.controller is not None:
                self.controller.stop()
                self.controller = None

    server = Server()
    server.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", server.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
    yield server
    server.stop()


@pytest.fixture
def run_worker(transactional_db):
    """Run the real database worker's loop in this process until no task is ready; return the
    number of tasks it ran. (django-tasks-db's `db_worker --batch`, without its signal handlers.)"""
    from django_tasks_db.management.commands.db_worker import Worker

    def run():
        worker = Worker(
            queue_names=["*"],
            interval=0,
            batch=True,
            backend_name="default",
            startup_delay=False,
            max_tasks=None,
            worker_id="pytest",
        )
        worker.run()
        return worker._run_tasks

    return run
