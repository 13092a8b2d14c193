from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from articles.models import Article, ArticleLink

pytestmark = pytest.mark.django_db


def test_published_rule_lives_in_the_queryset(make_article):
    live = make_article()
    make_article(status=Article.Status.DRAFT)
    make_article(published_at=timezone.now() + timedelta(days=1))
    assert list(Article.objects.published()) == [live]
    assert live.is_published()


def test_story_page_shows_headline_caption_body_and_prompt(client, article):
    ArticleLink.objects.create(article=article, title="Council approves toll", position=1)
    response = client.get(article.get_absolute_url())
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count("<h1") == 1
    assert "Bridge reopens" in html
    assert "A caption" in html
    assert "<p>First paragraph.</p>" in html
    assert (
        html.index("First paragraph.")
        < html.index("Council approves toll")
        < html.index("Second paragraph.")
    )
    assert "What do you think?" in html
    assert 'aria-labelledby="reactions-heading"' in html


@pytest.mark.parametrize(
    "fields",
    [
        {"status": Article.Status.DRAFT},
        {"published_at": None},
        {"published_at": timezone.now() + timedelta(hours=2)},
    ],
)
def test_drafts_and_future_stories_are_not_found(client, make_article, fields):
    story = make_article(**fields)
    assert client.get(story.get_absolute_url()).status_code == 404


def test_home_page_lists_published_stories_newest_first(client, make_article):
    old = make_article(headline="Older story", published_at=timezone.now() - timedelta(days=2))
    new = make_article(headline="Newer story")
    make_article(headline="Secret draft", status=Article.Status.DRAFT)
    html = client.get(reverse("articles:list")).content.decode()
    assert html.index(new.headline) < html.index(old.headline)
    assert "Secret draft" not in html


def test_more_stories_links_other_published_stories(client, article, make_article):
    other = make_article(headline="Night market returns")
    html = client.get(article.get_absolute_url()).content.decode()
    assert f'href="{other.get_absolute_url()}"' in html


def test_story_page_query_count_is_fixed(
    client, article, make_article, django_assert_max_num_queries
):
    for _ in range(10):
        make_article()
    with django_assert_max_num_queries(8):
        assert client.get(article.get_absolute_url()).status_code == 200


def test_comments_close_after_configured_days(make_article, settings):
    settings.NEWSROOM = {**settings.NEWSROOM, "COMMENTS_CLOSE_AFTER_DAYS": 3}
    fresh = make_article()
    stale = make_article(published_at=timezone.now() - timedelta(days=4))
    kept_open = make_article(
        published_at=timezone.now() - timedelta(days=4), comments_close_after_days=0
    )
    switched_off = make_article(comments_enabled=False)
    assert fresh.comments_open
    assert not stale.comments_open
    assert kept_open.comments_open
    assert not switched_off.comments_open
