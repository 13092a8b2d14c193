"""The conversation in an embedding site's frame: who may frame it, its cache, its cookies."""

import gzip
import re

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from articles.models import Article
from comments.models import Comment
from embeds.models import EmbedSite

pytestmark = pytest.mark.django_db

HOST = "https://news.example"
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
TIMESTAMP = re.compile(r'name="ts" value="([^"]+)"')


@pytest.fixture(autouse=True)
def open_site(relaxed_comment_limits, post_moderated_site, settings):
    settings.NEWSROOM = {**settings.NEWSROOM, "COMMENT_MIN_SECONDS": 0}


@pytest.fixture
def site(db):
    return EmbedSite.objects.create(name="Example News", origins=HOST)


def frame_url(article):
    return reverse("embeds:frame", args=[article.slug])


def in_frame(article):
    """Headers of a request the frame's script sends: its page is the Referer."""
    return {"HTTP_REFERER": f"http://testserver{frame_url(article)}"}


def test_only_listed_sites_may_frame_the_conversation(client, site, article):
    response = client.get(frame_url(article))
    assert response.status_code == 200
    assert "X-Frame-Options" not in response
    assert "frame-ancestors https://news.example;" in response["Content-Security-Policy"]


def test_our_own_pages_still_refuse_every_frame(client, site, article):
    response = client.get(article.get_absolute_url())
    assert response["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]


def test_without_an_active_site_nobody_may_frame_it(client, article):
    EmbedSite.objects.create(name="Paused", origins=HOST, active=False)
    response = client.get(frame_url(article))
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]


def test_the_frame_shows_the_conversation_without_our_site(client, site, article, make_comment):
    make_comment(article, body="Framed words", author_name="Grace")
    html = client.get(frame_url(article)).content.decode()
    assert "Framed words" in html and "What do you think?" in html
    assert "Join the conversation" in html and "Load more" not in html
    assert "site-header" not in html and "More stories" not in html
    assert article.body.split("\n")[0] not in html  # the host page shows the story itself
    assert f'href="{article.get_absolute_url()}#comments"' in html  # fallback to our page


def test_a_draft_story_has_no_frame(client, site, make_article):
    draft = make_article(status=Article.Status.DRAFT)
    assert client.get(frame_url(draft)).status_code == 404


def test_newcomers_share_one_cached_frame_that_every_write_refreshes(
    site, article, make_comment, comment_data
):
    make_comment(article, body="Before")
    Client().get(frame_url(article))
    with CaptureQueriesContext(connection) as queries:
        cached = Client().get(frame_url(article))
    assert len(queries) == 1  # the story's key, as on the story page
    assert "Before" in cached.content.decode()
    writer = Client()
    writer.post(
        reverse("comment_post", args=[article.slug]),
        comment_data(article, browser=writer, body="After"),
        **in_frame(article),
    )
    assert "After" in Client().get(frame_url(article)).content.decode()


def test_frame_and_story_page_are_cached_apart(client, site, article):
    client.get(frame_url(article))
    page = Client().get(article.get_absolute_url()).content.decode()
    assert "site-header" in page  # not the frame's page from the same cache


def test_frame_is_gzipped_from_the_cache_with_fresh_tokens(site, article):
    Client().get(frame_url(article))
    first = Client().get(frame_url(article), HTTP_ACCEPT_ENCODING="gzip")
    second = Client().get(frame_url(article), HTTP_ACCEPT_ENCODING="gzip")
    assert first["Content-Encoding"] == "gzip"
    tokens = [TOKEN.search(gzip.decompress(r.content).decode())[1] for r in (first, second)]
    assert tokens[0] != tokens[1]


# Cookies: the frame's reader lives in a partitioned jar of the embedding site's own.


def cookie_line(response, name):
    return response.cookies[name].output(header="")


def test_the_frame_sets_its_csrf_cookie_partitioned(client, site, article):
    response = client.get(frame_url(article))
    line = cookie_line(response, "csrftoken")
    assert "SameSite=None; Partitioned" in line and "Secure" in line


def test_a_reaction_from_the_frame_gets_a_partitioned_reader_cookie(client, site, article):
    client.get(frame_url(article))
    response = client.post(
        reverse("react", args=[article.slug]), {"kind": "love"}, **in_frame(article)
    )
    assert response.status_code == 302
    line = cookie_line(response, "newsroom_reader")
    assert "SameSite=None; Partitioned" in line and "Secure" in line and "HttpOnly" in line
    html = client.get(frame_url(article)).content.decode()
    assert re.search(r'value="love"\s+aria-pressed="true"', html)  # the frame knows its reader


def test_our_own_pages_keep_their_first_party_cookies(client, site, article):
    response = client.post(reverse("react", args=[article.slug]), {"kind": "love"})
    line = cookie_line(response, "newsroom_reader")
    assert "SameSite=Lax" in line and "Partitioned" not in line


def test_our_page_opened_from_the_frame_in_a_tab_keeps_first_party_cookies(client, site, article):
    response = client.post(
        reverse("react", args=[article.slug]),
        {"kind": "love"},
        HTTP_SEC_FETCH_MODE="navigate",
        **in_frame(article),
    )
    assert "Partitioned" not in cookie_line(response, "newsroom_reader")


def test_a_referer_from_another_host_is_not_the_frame(client, site, article):
    response = client.post(
        reverse("react", args=[article.slug]),
        {"kind": "love"},
        HTTP_REFERER=f"https://evil.example{frame_url(article)}",
    )
    assert "Partitioned" not in cookie_line(response, "newsroom_reader")


def test_every_write_in_the_frame_needs_its_csrf_token(site, article, make_comment):
    comment = make_comment(article)
    browser = Client(enforce_csrf_checks=True)
    html = browser.get(frame_url(article)).content.decode()
    token, timestamp = TOKEN.search(html)[1], TIMESTAMP.search(html)[1]
    writes = [
        (reverse("react", args=[article.slug]), {"kind": "love"}),
        (
            reverse("comment_post", args=[article.slug]),
            {"author_name": "Ada", "body": "From the frame", "ts": timestamp},
        ),
        (reverse("comment_like", args=[comment.pk]), {}),
        (reverse("comment_report", args=[comment.pk]), {"reason": "spam"}),
    ]
    for url, data in writes:
        assert browser.post(url, data, **in_frame(article)).status_code == 403, url
    assert not Comment.objects.filter(body="From the frame").exists()
    posted = browser.post(
        writes[1][0], {**writes[1][1], "csrfmiddlewaretoken": token}, **in_frame(article)
    )
    assert posted.status_code == 302
    assert Comment.objects.filter(body="From the frame").count() == 1


def test_a_reader_signs_in_inside_the_frame_and_stays_there(site, article):
    get_user_model().objects.create_user("ada", "ada@example.com", "a long passphrase here")
    browser = Client()
    login = reverse("embeds:login", args=[article.slug])
    page = browser.get(login)
    assert page.status_code == 200 and "X-Frame-Options" not in page
    response = browser.post(
        f"{login}?next=https://evil.example/",
        {"username": "ada", "password": "a long passphrase here", "next": "https://evil.example/"},
    )
    assert response.status_code == 302
    assert response["Location"] == frame_url(article)
    assert "Partitioned" in cookie_line(response, "sessionid")
    html = browser.get(frame_url(article)).content.decode()
    assert "Posting as <strong>ada</strong>" in html


def test_a_wrong_password_in_the_frame_is_said_and_signs_nobody_in(site, article):
    get_user_model().objects.create_user("ada", "ada@example.com", "a long passphrase here")
    browser = Client()
    response = browser.post(
        reverse("embeds:login", args=[article.slug]), {"username": "ada", "password": "nope"}
    )
    assert response.status_code == 200
    assert "sessionid" not in response.cookies
    assert "correct" in response.content.decode().lower()


def test_the_frame_login_of_a_draft_story_is_not_found(site, make_article):
    draft = make_article(status=Article.Status.DRAFT)
    assert Client().get(reverse("embeds:login", args=[draft.slug])).status_code == 404


@pytest.mark.parametrize("sort", ["newest", "liked", "\x00", "x" * 5000])
def test_any_sort_shows_a_frame(client, site, article, sort):
    assert client.get(frame_url(article), {"sort": sort}).status_code == 200
