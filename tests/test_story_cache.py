"""The story page served from the cache: fresh after every write, and nobody's page but your own."""

import gzip
import re
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import connection
from django.middleware.csrf import _unmask_cipher_token
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from articles import page_cache
from comments import moderation, services
from comments.models import Comment
from comments.readers import Reader

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
TIMESTAMP = re.compile(r'name="ts" value="([^"]+)"')


@pytest.fixture(autouse=True)
def open_site(relaxed_comment_limits, post_moderated_site):
    pass


def page(client, article):
    response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def seen_by_newcomer(article):
    """What a reader arriving with no cookies at all is shown."""
    return page(Client(), article)


def warm(article):
    """Have one newcomer fill the cache, so the next newcomer is answered from it."""
    seen_by_newcomer(article)


def reader(n=1):
    """An established guest (a cookie days old) on a network of their own."""
    since = timezone.now() - timedelta(days=2)
    return Reader(key=f"g:00000000-0000-0000-0000-00000000000{n}", ip=f"203.0.{n}.9", since=since)


def test_newcomer_after_the_first_is_served_with_one_query(client, article, make_comment):
    make_comment(article, body="Cached comment")
    warm(article)
    with CaptureQueriesContext(connection) as queries:
        html = page(client, article)
    assert "Cached comment" in html
    assert len(queries) == 1


def test_page_query_count_does_not_grow_with_comments(article, make_article, make_comment):
    from bench.seed import bulk_create_comments

    crowded = make_article(headline="Crowded story", slug="crowded")
    for _ in range(20):
        make_comment(article)
    bulk_create_comments(crowded, 2000)

    def cold_queries(story):
        Client().get(story.get_absolute_url())  # the first newcomer renders the page
        with CaptureQueriesContext(connection) as queries:
            assert (
                Client(HTTP_COOKIE="sessionid=none").get(story.get_absolute_url()).status_code
                == 200
            )
        return len(queries)

    assert cold_queries(article) == cold_queries(crowded)


# Every write path is visible to the very next newcomer.


def test_new_comment_is_shown_to_the_next_newcomer(client, article, comment_data):
    warm(article)
    response = client.post(
        reverse("comment_post", args=[article.slug]), comment_data(article, body="Fresh news")
    )
    assert response.status_code == 302
    assert "Fresh news" in seen_by_newcomer(article)


def test_edited_comment_is_shown_to_the_next_newcomer(article):
    comment = services.comment_submit(
        article=article, reader=reader(), body="Frist", author_name="Al"
    )
    assert "Frist" in seen_by_newcomer(article)
    services.comment_edit(comment=comment, reader=reader(), body="First, corrected")
    html = seen_by_newcomer(article)
    assert "First, corrected" in html
    assert "Frist" not in html


def test_deleted_comment_disappears_for_the_next_newcomer(article):
    comment = services.comment_submit(
        article=article, reader=reader(), body="Regrettable words", author_name="Al"
    )
    assert "Regrettable words" in seen_by_newcomer(article)
    services.comment_delete(comment=comment, reader=reader())
    assert "Regrettable words" not in seen_by_newcomer(article)


def test_comment_approved_from_the_desk_is_shown_to_the_next_newcomer(
    admin_client, article, desk_comment
):
    held = desk_comment(body="Waiting for an editor", status=Comment.Status.PENDING)
    assert "Waiting for an editor" not in seen_by_newcomer(article)
    admin_client.post(
        reverse("admin:comments_comment_changelist"),
        {"action": "approve_comments", "_selected_action": [held.pk]},
    )
    assert "Waiting for an editor" in seen_by_newcomer(article)


def test_comment_rejected_by_a_moderator_disappears_for_the_next_newcomer(
    article, desk_comment, moderator
):
    shown = desk_comment(body="Soon to be rejected")
    assert "Soon to be rejected" in seen_by_newcomer(article)
    moderation.comment_moderate(
        comments=Comment.objects.filter(pk=shown.pk),
        status=Comment.Status.REJECTED,
        actor=moderator,
    )
    assert "Soon to be rejected" not in seen_by_newcomer(article)


def test_comment_hidden_by_reports_disappears_for_the_next_newcomer(article, desk_comment):
    reported = desk_comment(body="Reported into hiding")
    assert "Reported into hiding" in seen_by_newcomer(article)
    for n in range(1, 4):
        services.comment_report(comment=reported, reader=reader(n), reason="abuse")
    assert "Reported into hiding" not in seen_by_newcomer(article)


def test_like_is_counted_for_the_next_newcomer(article, desk_comment):
    liked = desk_comment(body="Likeable")
    assert "1 like" not in seen_by_newcomer(article)
    services.comment_like_toggle(comment=liked, reader=reader())
    assert "1 like" in seen_by_newcomer(article)


def test_reaction_is_counted_for_the_next_newcomer(client, article):
    assert "data-count>1<" not in seen_by_newcomer(article)
    assert client.post(reverse("react", args=[article.slug]), {"kind": "wow"}).status_code == 302
    html = seen_by_newcomer(article)
    assert re.search(r'value="wow".*?data-count>1<', html, re.S)


def test_story_edit_is_shown_to_the_next_newcomer(article):
    warm(article)
    article.headline = "Bridge reopens after all"
    article.save()
    assert "Bridge reopens after all" in seen_by_newcomer(article)


def test_comments_closed_from_the_desk_are_closed_for_the_next_newcomer(admin_client, article):
    assert "Join the conversation" in seen_by_newcomer(article)
    admin_client.post(
        reverse("admin:articles_article_changelist"),
        {"action": "close_comments", "_selected_action": [article.pk]},
    )
    html = seen_by_newcomer(article)
    assert "Comments are closed on this story." in html
    assert "Join the conversation" not in html


# Nobody's page but your own.


def test_cached_page_carries_no_other_readers_token_or_name(article, comment_data):
    user = get_user_model().objects.create_user("ada_lovelace", password="pw")
    signed_in = Client()
    signed_in.force_login(user)
    own = page(signed_in, article)
    assert "ada_lovelace" in own
    warm(article)
    newcomer = seen_by_newcomer(article)
    assert "ada_lovelace" not in newcomer
    assert TOKEN.search(own)[1] not in newcomer
    # Two newcomers served from the same cached page get tokens of their own.
    assert TOKEN.search(newcomer)[1] != TOKEN.search(seen_by_newcomer(article))[1]
    assert page_cache.csrf_placeholder() not in newcomer
    assert page_cache.timestamp_placeholder() not in newcomer


def test_held_comment_is_shown_to_its_author_only(client, article, comment_data, settings):
    settings.NEWSROOM = {**settings.NEWSROOM, "MODERATION_MODE": "pre"}
    warm(article)
    client.post(
        reverse("comment_post", args=[article.slug]), comment_data(article, body="My held words")
    )
    assert "My held words" in page(client, article)
    assert "My held words" not in seen_by_newcomer(article)
    other = Client()
    other.post(reverse("react", args=[article.slug]), {"kind": "sad"})  # another guest cookie
    assert "My held words" not in page(other, article)
    assert "My held words" in page(client, article)


def test_pressed_reaction_is_shown_to_its_reader_only(client, article):
    warm(article)
    client.post(reverse("react", args=[article.slug]), {"kind": "love"})
    assert re.search(r'value="love"\s+aria-pressed="true"', page(client, article))
    newcomer = seen_by_newcomer(article)
    assert 'aria-pressed="true"' not in newcomer
    assert "Your reaction:" not in newcomer


def test_form_from_the_cached_page_posts_with_its_token_and_not_without(article, settings):
    settings.NEWSROOM = {**settings.NEWSROOM, "COMMENT_MIN_SECONDS": 0}
    warm(article)
    browser = Client(enforce_csrf_checks=True)
    html = page(browser, article)
    token, timestamp = TOKEN.search(html)[1], TIMESTAMP.search(html)[1]
    url = reverse("comment_post", args=[article.slug])
    form = {"author_name": "Ada", "body": "Posted from a cached page", "ts": timestamp}
    assert browser.post(url, form).status_code == 403
    assert browser.post(url, {**form, "csrfmiddlewaretoken": token}).status_code == 302
    assert Comment.objects.filter(body="Posted from a cached page").count() == 1


def test_returning_reader_keeps_their_csrf_secret_across_cached_pages(article, settings):
    settings.NEWSROOM = {**settings.NEWSROOM, "COMMENT_MIN_SECONDS": 0}
    warm(article)
    browser = Client(enforce_csrf_checks=True)
    first = page(browser, article)
    secret = browser.cookies[settings.CSRF_COOKIE_NAME].value
    with CaptureQueriesContext(connection) as queries:
        second = page(browser, article)  # still a cached page: a CSRF cookie is no identity
    assert len(queries) == 1
    assert browser.cookies[settings.CSRF_COOKIE_NAME].value == secret
    tokens = [TOKEN.search(html)[1] for html in (first, second)]
    assert tokens[0] != tokens[1]  # masked afresh each time, as Django masks
    for token in tokens:
        assert len(token) == 64 and token.isascii() and token.isalnum()
        assert _unmask_cipher_token(token) == secret
    url = reverse("comment_post", args=[article.slug])
    form = {"author_name": "Ada", "body": "From the first tab", "ts": TIMESTAMP.search(first)[1]}
    assert browser.post(url, {**form, "csrfmiddlewaretoken": tokens[0]}).status_code == 302


def test_cached_page_gives_each_newcomer_a_form_token_of_their_own(article, settings):
    settings.NEWSROOM = {**settings.NEWSROOM, "COMMENT_MIN_SECONDS": 0}
    warm(article)
    first, second = Client(), Client()
    tokens = [TIMESTAMP.search(page(browser, article))[1] for browser in (first, second)]
    assert tokens[0] != tokens[1]
    url = reverse("comment_post", args=[article.slug])
    form = {"author_name": "Ada", "body": "Whose token is this?"}
    # The second newcomer cannot post with the first one's token, nor the first one twice.
    assert second.post(url, {**form, "ts": tokens[0]}).status_code == 400
    assert first.post(url, {**form, "ts": tokens[0]}).status_code == 302
    assert first.post(url, {**form, "ts": tokens[0], "body": "Again"}).status_code == 400
    assert list(Comment.objects.values_list("body", flat=True)) == ["Whose token is this?"]


# Conditional GET.


def test_unchanged_page_answers_304_to_if_none_match(client, article):
    first = client.get(article.get_absolute_url())
    etag = first["ETag"]
    again = Client().get(article.get_absolute_url(), HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    assert not again.content


def test_changed_page_answers_200_to_an_old_etag(article, desk_comment):
    etag = Client().get(article.get_absolute_url())["ETag"]
    desk_comment(body="Newer than your copy")
    Comment.objects.filter(article=article).mark_stories_changed()
    changed = Client().get(article.get_absolute_url(), HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200
    assert "Newer than your copy" in changed.content.decode()
    assert changed["ETag"] != etag


# What the cached path reads without the ORM must mean what the ORM meant.


def test_draft_and_scheduled_stories_are_not_found_by_newcomers(make_article):
    from datetime import timedelta

    from django.utils import timezone

    draft = make_article(status="draft")
    scheduled = make_article(published_at=timezone.now() + timedelta(hours=1))
    for story in (draft, scheduled):
        assert Client().get(story.get_absolute_url()).status_code == 404


def test_percent_signs_and_placeholder_lookalikes_survive_the_cached_page(article, desk_comment):
    desk_comment(body="Up 50% since %(csrf)s and %s")
    warm(article)
    html = seen_by_newcomer(article)
    assert "Up 50% since %(csrf)s and %s" in html
    assert TOKEN.search(html)[1] != "%(csrf)s"


# Gzip, for the browsers that ask for it (all of them).

TOKENS = re.compile(rb'(name="csrfmiddlewaretoken" value=")[^"]+|(name="ts" value=")[^"]+')


def gzipped_page(client, article, **headers):
    return client.get(
        article.get_absolute_url(), HTTP_ACCEPT_ENCODING="gzip, deflate, br", **headers
    )


def test_gzipped_cached_page_is_the_same_page_with_the_readers_own_tokens(
    article, make_comment, settings
):
    settings.NEWSROOM = {**settings.NEWSROOM, "COMMENT_MIN_SECONDS": 0}
    make_comment(article, body="Squeezed but whole")
    warm(article)
    plain = Client().get(article.get_absolute_url())
    browser = Client(enforce_csrf_checks=True)
    response = gzipped_page(browser, article)
    assert response["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in response["Vary"] and "Cookie" in response["Vary"]
    assert len(response.content) < len(plain.content) / 3
    html = gzip.decompress(response.content)  # checks the CRC and length too
    assert TOKENS.sub(b"", html) == TOKENS.sub(b"", plain.content)
    token = TOKEN.search(html.decode())[1]
    assert _unmask_cipher_token(token) == browser.cookies[settings.CSRF_COOKIE_NAME].value
    url = reverse("comment_post", args=[article.slug])
    form = {"author_name": "Ada", "body": "Sent from a gzipped page"}
    form |= {"ts": TIMESTAMP.search(html.decode())[1], "csrfmiddlewaretoken": token}
    assert browser.post(url, form).status_code == 302


def test_tokens_travel_uncompressed_in_a_gzipped_page(article):
    """A token is never compressed, so a response's length cannot reveal it (BREACH)."""
    warm(article)
    response = gzipped_page(Client(), article)
    html = gzip.decompress(response.content).decode()
    for token in {TOKEN.search(html)[1], TIMESTAMP.search(html)[1]}:
        assert token.encode() in response.content


def test_each_encoding_has_its_own_etag_and_answers_304(article):
    warm(article)
    plain_etag = Client().get(article.get_absolute_url())["ETag"]
    gzip_etag = gzipped_page(Client(), article)["ETag"]
    assert plain_etag != gzip_etag
    again = gzipped_page(Client(), article, HTTP_IF_NONE_MATCH=gzip_etag)
    assert again.status_code == 304
    assert gzipped_page(Client(), article, HTTP_IF_NONE_MATCH=plain_etag).status_code == 200


def test_a_page_the_worker_kept_is_dropped_when_it_expires(article, make_comment):
    warm(article)
    for entry in page_cache._recent.values():
        entry["expires"] = 0  # as if STORY_CACHE_SECONDS had passed
    cache.clear()
    make_comment(article, body="Written without a version bump")  # only the clock refreshes it
    assert "Written without a version bump" in seen_by_newcomer(article)
