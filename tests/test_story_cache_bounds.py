"""Junk query parameters cannot fill the story page cache or a worker's memory."""

import tracemalloc

import pytest
from django.core.cache import caches
from django.core.cache.backends.locmem import LocMemCache
from django.test import Client

from articles import page_cache
from comments.threads import make_cursor

pytestmark = pytest.mark.django_db

MiB = 1024 * 1024


@pytest.fixture(autouse=True)
def open_site(relaxed_comment_limits, post_moderated_site, settings):
    settings.NEWSROOM = {**settings.NEWSROOM, "COMMENTS_PER_PAGE": 2}


def cache_keys():
    """Every key in the cache: this process's memory, or Redis with DJANGO_CACHE_URL."""
    store = caches["default"]
    if isinstance(store, LocMemCache):
        return list(store._cache)
    return store._cache.get_client().keys("*")


def newcomer_get(path):
    response = Client().get(path)
    assert response.status_code in (200, 400), (path, response.status_code)
    return response


JUNK = [
    "sort=x{n}",
    "after=junk{n}",
    "after={n}.{n}",
    "thread={n}99999",
    "thread=0{pk}",
    "sort=newest&utm_x={n}",
]


def junk_paths(url, count, pk):
    return [f"{url}?{junk.format(n=n, pk=pk)}" for n in range(count) for junk in JUNK]


def test_thousands_of_junk_values_name_no_cache_entry(article, make_comment, rf):
    thread = make_comment(article, body="A real thread")
    url = article.get_absolute_url()
    story = page_cache.lookup(article.slug)
    for path in junk_paths(url, 400, thread.pk):
        assert page_cache.cache_key(rf.get(path), story) is None, path


def test_junk_parameters_leave_no_cache_entries_and_the_worker_within_two_mib(
    article, make_comment
):
    thread = make_comment(article, body="A real thread")
    for n in range(4):
        make_comment(article, body=f"Comment {n}")
    url = article.get_absolute_url()
    newcomer_get(url)  # the real page, kept once
    for path in junk_paths(url, 1, thread.pk):
        newcomer_get(path)  # Django's own first-use caches (templates, URLs) fill here
    kept_before, keys_before = page_cache.kept_bytes(), set(cache_keys())

    tracemalloc.start()
    try:
        started, _ = tracemalloc.get_traced_memory()
        for path in junk_paths(url, 40, thread.pk)[len(JUNK) :]:
            assert article.headline.encode() in newcomer_get(path).content
        grown = tracemalloc.get_traced_memory()[0] - started
    finally:
        tracemalloc.stop()

    assert grown < 2 * MiB, f"the worker grew by {grown / MiB:.1f} MiB"
    assert page_cache.kept_bytes() == kept_before
    assert set(cache_keys()) - keys_before == set()


def test_duplicate_parameters_share_one_entry_with_the_page_they_name(article, make_comment):
    for n in range(5):
        make_comment(article, body=f"Comment {n}")
    url = article.get_absolute_url()
    newcomer_get(f"{url}?sort=newest")
    kept = page_cache.kept_bytes()
    for n in range(50):
        newcomer_get(f"{url}?sort=oldest&sort={'x' * n}&sort=newest")
    assert page_cache.kept_bytes() == kept


def test_pages_named_by_real_parameters_are_still_served_from_the_cache(
    article, make_comment, django_assert_max_num_queries
):
    comments = [make_comment(article, body=f"Comment {n}") for n in range(5)]
    url = article.get_absolute_url()
    paths = [
        f"{url}?sort=liked",
        f"{url}?thread={comments[3].pk}",
        f"{url}?after={make_cursor(comments[1], 'oldest')}",
        f"{url}?sort=newest&after={make_cursor(comments[3], 'newest')}",
    ]
    for path in paths:
        first = newcomer_get(path).content.decode()
        with django_assert_max_num_queries(2):
            again = newcomer_get(path).content.decode()
        assert first.count("Comment ") == again.count("Comment ") > 0
    second_page = newcomer_get(f"{url}?after={make_cursor(comments[1], 'oldest')}").content
    assert b"Comment 2" in second_page and b"Comment 0" not in second_page


def test_kept_pages_stay_within_the_byte_cap(make_article, settings):
    settings.NEWSROOM = {**settings.NEWSROOM, "PAGE_CACHE_WORKER_BYTES": 256 * 1024}
    stories = [make_article(body="A long paragraph of news. " * 2000) for _ in range(8)]
    for story in stories:
        newcomer_get(story.get_absolute_url())
        assert page_cache.kept_bytes() <= 256 * 1024
    assert page_cache.kept_bytes() > 0
    assert stories[-1].headline in newcomer_get(stories[-1].get_absolute_url()).content.decode()
