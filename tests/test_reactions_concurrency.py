"""Many readers at once, each thread on its own database connection, against the real test database
(a file for SQLite, a server for PostgreSQL): nothing lost, nothing doubled, nothing locked."""

import importlib
import random
import threading
import time
from collections import Counter

import pytest
from django.core.cache import cache
from django.db import connection, connections
from django.test import Client
from django.urls import reverse

from comments.models import Reaction, ReactionKind, ReactionTally
from comments.reactions import reaction_recount, reaction_set
from comments.readers import Reader

pytestmark = pytest.mark.django_db(transaction=True)

THREADS = 24
KINDS = ["like", "love", "laugh", "wow", "sad", "angry"]


@pytest.fixture(autouse=True)
def reaction_kinds():
    # Transactional tests flush the database, which drops the kinds the data migration made.
    seeded = importlib.import_module("comments.migrations.0002_default_reaction_kinds")
    for position, (key, emoji, label) in enumerate(seeded.DEFAULT_KINDS):
        ReactionKind.objects.get_or_create(
            key=key, defaults={"emoji": emoji, "label": label, "position": position}
        )


@pytest.fixture(autouse=True)
def generous_limits(settings):
    cache.clear()
    settings.NEWSROOM = {
        **settings.NEWSROOM,
        "REACTION_RATE": "100000/m",
        "REACTION_NETWORK_RATE": "100000/m",
    }


def run_in_threads(work, count=THREADS):
    """Start `count` threads at the same instant; return (errors, seconds taken)."""
    start = threading.Barrier(count)
    errors = []

    def thread(index):
        try:
            start.wait()
            work(index)
        except Exception as error:  # noqa: BLE001 - every failure is the test's finding
            errors.append(repr(error))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=thread, args=(i,)) for i in range(count)]
    began = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return errors, time.perf_counter() - began


def tallies(article):
    return dict(ReactionTally.objects.filter(article=article).values_list("kind", "count"))


def assert_tallies_equal_rows(*articles):
    for article in articles:
        rows = Counter(Reaction.objects.filter(article=article).values_list("kind", flat=True))
        assert {k: v for k, v in tallies(article).items() if v} == dict(rows)
    assert reaction_recount() == []


def test_many_guests_reacting_at_once_through_http_lose_nothing(article, capsys):
    per_thread = 12
    url = reverse("react", kwargs={"slug": article.slug})
    statuses = Counter()

    def work(index):
        for n in range(per_thread):
            # A fresh client is a fresh guest with their own signed cookie.
            response = Client().post(url, {"kind": KINDS[(index + n) % len(KINDS)]})
            statuses[response.status_code] += 1

    errors, seconds = run_in_threads(work)

    writes = THREADS * per_thread
    assert errors == []
    assert statuses == {302: writes}
    assert Reaction.objects.count() == writes
    expected = Counter(
        KINDS[(i + n) % len(KINDS)] for i in range(THREADS) for n in range(per_thread)
    )
    assert tallies(article) == dict(expected)
    assert_tallies_equal_rows(article)
    with capsys.disabled():
        print(
            f"\n[{connection.vendor}] {writes} HTTP reactions from {THREADS} threads: "
            f"{writes / seconds:.0f} writes/s"
        )


def test_readers_toggling_the_same_reactions_at_once_keep_tallies_exact(
    article, make_article, capsys
):
    other = make_article()
    stories = [article, other]
    # Few readers shared by many threads: the same reader adds, replaces and removes concurrently.
    readers = [Reader(key=f"g:shared-{n}", ip=f"198.51.100.{n}") for n in range(8)]
    per_thread = 25

    def work(index):
        rng = random.Random(index)
        for _ in range(per_thread):
            reaction_set(
                article=rng.choice(stories), reader=rng.choice(readers), kind=rng.choice(KINDS)
            )

    errors, seconds = run_in_threads(work)

    assert errors == []
    assert_tallies_equal_rows(*stories)
    for story in stories:
        per_reader = Counter(Reaction.objects.filter(article=story).values_list("reader_key"))
        assert set(per_reader.values()) <= {1}
    with capsys.disabled():
        writes = THREADS * per_thread
        print(
            f"\n[{connection.vendor}] {writes} contended toggles from {THREADS} threads: "
            f"{writes / seconds:.0f} writes/s"
        )
