"""Hostile text in every field of a story renders as text in Chromium and never runs."""

from datetime import timedelta

import pytest
from django.utils import timezone

from articles.importer import article_import
from articles.models import Article, ArticleLink

from .xss import PAYLOADS, assert_shown_as_text, open_and_check

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def publish(**fields):
    return Article.objects.create(
        status=Article.Status.PUBLISHED,
        published_at=timezone.now() - timedelta(minutes=len(Article.objects.all()) + 1),
        **fields,
    )


@pytest.fixture
def hostile_story():
    """One story whose body, related links and teasers are all payloads."""
    article = publish(
        headline="Payloads in the body",
        slug="payloads-in-the-body",
        caption=PAYLOADS[0],
        body="\n\n".join(PAYLOADS),
        video_url="javascript:alert(1)",
    )
    ArticleLink.objects.bulk_create(
        ArticleLink(article=article, title=payload, url=payload, position=len(PAYLOADS))
        for payload in PAYLOADS
    )
    ArticleLink.objects.bulk_create(
        ArticleLink(article=article, kind=ArticleLink.Kind.TEASER, title=payload, url=payload)
        for payload in PAYLOADS
    )
    return article


def test_story_body_links_and_teasers_show_payloads_as_text(any_page, hostile_story):
    open_and_check(any_page, hostile_story.get_absolute_url())
    assert_shown_as_text(any_page, ".story__body > p", PAYLOADS)
    assert_shown_as_text(
        any_page,
        ".story__related p",
        [f"RELATED: {payload}" for payload in PAYLOADS],
        allowed_children={"strong", "a"},
    )
    assert_shown_as_text(
        any_page, ".more-stories__list li", PAYLOADS, allowed_children={"a", "span"}
    )
    assert_shown_as_text(any_page, ".story__figure figcaption", [PAYLOADS[0]])
    # Only the site paths and web URLs among the payloads may become links.
    hrefs = any_page.locator(".story__related a").evaluate_all("els => els.map(a => a.href)")
    assert hrefs and all(href.startswith(("http://", "https://")) for href in hrefs)
    assert any_page.locator(".story__video-link").count() == 0


def test_headlines_and_captions_show_as_text_on_story_and_home_pages(page):
    stories = [
        publish(headline=payload, slug=f"payload-{n}", caption=payload, body=payload)
        for n, payload in enumerate(PAYLOADS)
    ]
    newest_first = [story.headline for story in stories]  # each one published earlier
    page_number = 1
    while newest_first:
        open_and_check(page, f"/?page={page_number}")
        on_this_page = page.locator(".story-card__headline").count()
        expected, newest_first = newest_first[:on_this_page], newest_first[on_this_page:]
        assert_shown_as_text(page, ".story-card__headline", expected, allowed_children={"a"})
        assert_shown_as_text(page, ".story-card__caption", expected)
        page_number += 1

    # The home page showed every payload; a story page per payload would add half a minute for
    # the same template filter, so a spread of them checks the <title>, <h1> and caption there.
    for story in stories[::6]:
        open_and_check(page, story.get_absolute_url())
        assert_shown_as_text(page, "h1", [story.headline])
        assert_shown_as_text(page, "figcaption", [story.caption])
        assert page.title().startswith(story.headline)


def test_imported_story_with_payloads_renders_inert(page, tmp_path):
    wire_copy = tmp_path / "hostile.txt"
    lines = ["Council meets on the <b>bridge</b>"] + [
        f"RELATED: {payload}" if n % 2 else payload for n, payload in enumerate(PAYLOADS)
    ]
    wire_copy.write_text("\n".join(lines) + "\nWhat do you think?\n" + PAYLOADS[-1], "utf-8")
    article, _ = article_import(path=wire_copy)

    open_and_check(page, article.get_absolute_url())
    assert_shown_as_text(page, "h1", ["Council meets on the <b>bridge</b>"])
    related = [p for n, p in enumerate(PAYLOADS) if n % 2]
    assert_shown_as_text(
        page, ".story__related p", [f"RELATED: {p}" for p in related], allowed_children={"strong"}
    )
