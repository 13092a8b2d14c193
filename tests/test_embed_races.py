"""Many first views of one page at once, each on its own database connection: one story."""

import threading

import pytest
from django.core.cache import cache
from django.db import connections

from articles.models import Article
from embeds import services
from embeds.models import EmbeddedPage, EmbedSite

pytestmark = pytest.mark.django_db(transaction=True)

THREADS = 8


def test_simultaneous_first_views_of_a_page_make_one_story(settings):
    cache.clear()
    settings.NEWSROOM = {**settings.NEWSROOM, "EMBED_PAGE_RATE": "100000/m"}
    EmbedSite.objects.create(name="Race", origins="https://race.example", auto_create_stories=True)
    start, made, errors = threading.Barrier(THREADS), [], []

    def view(index):
        try:
            start.wait()
            story = services.page_story(
                url="https://race.example/big-news?utm_source=x", title=f"Title {index}"
            )
            made.append(story.pk)
        except Exception as error:  # noqa: BLE001 - every failure is the test's finding
            errors.append(repr(error))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=view, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert Article.objects.count() == 1 and EmbeddedPage.objects.count() == 1
    assert set(made) == {Article.objects.get().pk} and len(made) == THREADS
