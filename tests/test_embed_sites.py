"""Embedding sites: which origins may frame a conversation, and stories made for their pages."""

import time

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from articles.models import Article
from embeds import services
from embeds.models import EmbeddedPage, EmbedSite, parse_origin

pytestmark = pytest.mark.django_db

HOST = "https://news.example"
SECRET = "s" * 40


@pytest.fixture
def site(db):
    return EmbedSite.objects.create(
        name="Example News", origins=f"{HOST}\nhttps://www.news.example", auto_create_stories=True
    )


def ask(client=None, **params):
    """An embedding page's frame asking for the conversation of a page URL."""
    params.setdefault("title", "Council votes on the harbour")
    headers = {"HTTP_REFERER": f"{HOST}/"}
    return (client or Client()).get(reverse("embeds:page"), params, **headers)


# Origins


@pytest.mark.parametrize(
    "text",
    [
        "*",
        "https://*.example.com",
        "javascript:alert(1)",
        "https://news.example/path",
        "https://user@news.example",
        "ftp://news.example",
        "https://news.example:99999",
        "https://news.example?x=1",
        "https://news.example\x00",
        "",
        "news.example",
    ],
)
def test_anything_but_a_plain_origin_is_refused(text):
    with pytest.raises(ValueError):
        parse_origin(text)


def test_editor_sees_which_origin_line_is_wrong_and_nothing_is_saved():
    site = EmbedSite(name="Bad", origins="https://ok.example\nhttps://*.wild.example")
    with pytest.raises(ValidationError, match=r"wild\.example"):
        site.full_clean()


def test_origins_are_saved_lowercase_without_the_slash():
    site = EmbedSite(name="Caps", origins="  HTTPS://News.Example/ \n\nhttp://localhost:8001")
    site.full_clean()
    assert site.origins == "https://news.example\nhttp://localhost:8001"


def test_a_short_signing_secret_is_refused():
    site = EmbedSite(name="Weak", origins=HOST, secret="password")
    with pytest.raises(ValidationError, match="32"):
        site.full_clean()


def test_only_active_sites_may_frame_and_never_everyone(site):
    EmbedSite.objects.create(name="Old partner", origins="https://old.example", active=False)
    assert services.frame_ancestors() == "https://news.example https://www.news.example"
    EmbedSite.objects.update(active=False)
    assert services.frame_ancestors() == "'none'"


# Page URLs


@pytest.mark.parametrize(
    ("given", "canonical"),
    [
        ("HTTPS://News.Example:443/a/b?utm_source=x&id=3#top", "https://news.example/a/b?id=3"),
        ("https://news.example", "https://news.example/"),
        ("http://news.example:80/x?fbclid=1&gclid=2", "http://news.example/x"),
        ("https://news.example:8443/x?b=2&a=1", "https://news.example:8443/x?b=2&a=1"),
    ],
)
def test_page_urls_are_normalised(given, canonical):
    assert services.normalise_url(given) == canonical


@pytest.mark.parametrize(
    "junk",
    [
        "javascript:alert(1)",
        "https://news.example/\x07bell",
        "https://news.example/" + "a" * 1000,
        "//news.example/a",
        "https://",
        "not a url",
        "https://news.example/\u202eevil",
    ],
)
def test_junk_page_urls_get_a_message_and_make_nothing(site, junk):
    response = ask(url=junk)
    assert response.status_code == 400
    assert "not a web page address" in response.content.decode()
    assert not Article.objects.exists()


def test_first_page_view_makes_a_story_and_the_next_one_finds_it(site):
    first = ask(url=f"{HOST}/2026/harbour?utm_campaign=mail#comments", sort="newest")
    story = Article.objects.get()
    assert first.status_code == 302
    assert first["Location"] == f"/embed/{story.slug}/?sort=newest"
    assert story.headline == "Council votes on the harbour" and story.is_published()
    assert EmbeddedPage.objects.get().url == f"{HOST}/2026/harbour"
    assert [link.url for link in story.links.all()] == [f"{HOST}/2026/harbour"]
    again = ask(url=f"{HOST}/2026/harbour", title="Another title")
    assert again["Location"] == f"/embed/{story.slug}/"
    assert Article.objects.count() == 1


def test_the_loser_of_a_race_for_a_new_page_gets_the_winners_story(site):
    winner = services.page_story(url=f"{HOST}/race", title="First")
    # A second request that read "no page yet" before the first committed:
    loser = services._create_page_story(site, f"{HOST}/race", "Second", winner.published_at)
    assert loser.pk == winner.pk
    assert Article.objects.count() == 1 and EmbeddedPage.objects.count() == 1


def test_a_page_title_is_cleaned_and_cut(site):
    ask(url=f"{HOST}/t", title="\x00Bad\x1b[31m\u202e  title " + "x" * 500)
    headline = Article.objects.get().headline
    assert headline.startswith("Bad [31m title")
    assert len(headline) == 300
    assert "\x00" not in headline and "\u202e" not in headline


def test_a_page_without_a_title_is_named_by_its_address(site):
    ask(url=f"{HOST}/untitled", title="   ")
    assert Article.objects.get().headline == "news.example/untitled"


def test_a_page_of_a_site_not_listed_gets_no_story(site):
    response = ask(url="https://elsewhere.example/page")
    assert response.status_code == 403
    assert not Article.objects.exists()


def test_a_page_of_an_inactive_site_gets_no_story(site):
    EmbedSite.objects.update(active=False)
    assert ask(url=f"{HOST}/page").status_code == 403
    assert not Article.objects.exists()


def test_a_site_that_makes_no_stories_gets_none(site):
    EmbedSite.objects.update(auto_create_stories=False)
    assert ask(url=f"{HOST}/page").status_code == 404
    assert not Article.objects.exists()


def test_another_site_cannot_make_stories_for_a_listed_one(site):
    response = Client().get(
        reverse("embeds:page"), {"url": f"{HOST}/x"}, HTTP_REFERER="https://evil.example/"
    )
    assert response.status_code == 403
    assert not Article.objects.exists()


def test_one_network_cannot_make_stories_without_end(site, settings):
    settings.NEWSROOM = {**settings.NEWSROOM, "EMBED_PAGE_RATE": "2/h"}
    assert [ask(url=f"{HOST}/p{n}").status_code for n in range(3)] == [302, 302, 429]
    assert Article.objects.count() == 2
    assert ask(url=f"{HOST}/p0").status_code == 302  # pages it already has are still shown


def test_a_closed_page_story_is_not_reopened_by_asking(site):
    ask(url=f"{HOST}/gone")
    Article.objects.update(status=Article.Status.DRAFT)
    assert ask(url=f"{HOST}/gone").status_code == 404
    assert Article.objects.count() == 1


# Signed pages


@pytest.fixture
def signed_site(site):
    site.secret = SECRET
    site.save()
    return site


def signed(url, *, expires=None, secret=SECRET):
    expires = expires or int(time.time()) + 3600
    return {"url": url, "exp": str(expires), "sig": services.url_signature(secret, url, expires)}


def test_a_signed_site_gets_no_unsigned_story(signed_site):
    assert ask(url=f"{HOST}/a").status_code == 403
    assert not Article.objects.exists()


@pytest.mark.parametrize(
    "params",
    [
        signed(f"{HOST}/a", secret="t" * 40),  # another secret
        signed(f"{HOST}/a", expires=int(time.time()) - 5),  # expired
        {**signed(f"{HOST}/other"), "url": f"{HOST}/a"},  # replayed for another page
        {**signed(f"{HOST}/a"), "exp": "99999999999999999999"},  # absurd expiry
        {**signed(f"{HOST}/a"), "sig": "\x00" * 64},
    ],
)
def test_a_bad_signature_makes_nothing(signed_site, params):
    assert ask(**params).status_code == 403
    assert not Article.objects.exists()


def test_a_signed_page_gets_its_story(signed_site):
    assert ask(**signed(f"{HOST}/a")).status_code == 302
    assert EmbeddedPage.objects.get().url == f"{HOST}/a"


def test_a_signed_page_of_a_site_that_makes_no_stories_gets_none(signed_site):
    EmbedSite.objects.update(auto_create_stories=False)
    assert ask(**signed(f"{HOST}/a")).status_code == 404
    assert not Article.objects.exists()


# Counts for listing pages


def count(keys, origin=HOST):
    headers = {"HTTP_ORIGIN": origin} if origin else {}
    return Client().get(reverse("embeds:counts"), {"k": keys}, **headers)


def test_a_listing_page_gets_every_count_in_one_answer(site, article, make_comment):
    make_comment(article)
    make_comment(article, status="pending")
    ask(url=f"{HOST}/by-url")
    by_url = Article.objects.get(embedded_pages__isnull=False)
    make_comment(by_url)
    make_comment(by_url)
    response = count([article.slug, f"{HOST}/by-url?utm_source=home", "no-such-story"])
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == HOST
    assert response.json()["counts"] == {
        article.slug: {"n": 1, "label": "1 comment"},
        f"{HOST}/by-url?utm_source=home": {"n": 2, "label": "2 comments"},
    }


def test_counts_take_the_same_queries_for_three_stories_or_a_hundred(site, make_article):
    stories = [make_article() for _ in range(100)]
    with CaptureQueriesContext(connection) as few:
        count([story.slug for story in stories[:3]])
    with CaptureQueriesContext(connection) as many:
        count([story.slug for story in stories] + [f"{HOST}/x"])
    assert len(many) <= len(few) + 1  # the page URLs' own query


def test_a_site_not_listed_gets_no_counts(site, article):
    response = count([article.slug], origin="https://evil.example")
    assert response.status_code == 403
    assert "Access-Control-Allow-Origin" not in response
    assert "counts" not in response.json()


def test_a_draft_story_has_no_count(site, make_article):
    draft = make_article(status=Article.Status.DRAFT)
    assert count([draft.slug]).json()["counts"] == {}


@pytest.mark.parametrize("keys", [[], [f"s{n}" for n in range(101)]])
def test_too_few_or_too_many_counts_are_refused(site, keys):
    response = count(keys)
    assert response.status_code == 400
    assert "between 1 and 100" in response.json()["detail"]


def test_no_other_address_answers_another_origin(site, article):
    response = Client().get(article.get_absolute_url(), HTTP_ORIGIN=HOST)
    assert "Access-Control-Allow-Origin" not in response
    api = Client().get("/api/articles/", HTTP_ORIGIN=HOST)
    assert "Access-Control-Allow-Origin" not in api
