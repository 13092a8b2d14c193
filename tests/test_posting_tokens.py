"""A posting token is good once, from the browser it was served to, by the form and the API."""

import re
import time
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from comments import tokens
from comments.models import Comment, ModerationSettings, SpentToken
from comments.tokens import browser_hash, make_posting_token

from .conftest import browser_token

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("post_moderated_site")]

TOO_FAST = "That was quick!"


def post_url(article):
    return reverse("comment_post", args=[article.slug])


def test_replayed_form_token_is_refused_like_a_too_fast_post(client, article, comment_data):
    data = comment_data(article, body="Posted once")
    assert client.post(post_url(article), data).status_code == 302
    replay = client.post(post_url(article), {**data, "body": "Posted twice"})
    assert replay.status_code == 400
    assert TOO_FAST in replay.content.decode() and "Posted twice" in replay.content.decode()
    assert list(Comment.objects.values_list("body", flat=True)) == ["Posted once"]


def test_replayed_form_token_is_refused_to_the_script_too(client, article, comment_data):
    fetch = {"HTTP_X_REQUESTED_WITH": "fetch"}
    data = comment_data(article, body="Posted once")
    first = client.post(post_url(article), data, **fetch)
    assert first.status_code == 201
    replay = client.post(post_url(article), {**data, "body": "Posted twice"}, **fetch)
    assert replay.status_code == 400 and TOO_FAST in replay.json()["message"]
    # The answer to the first post carries a fresh token, which posts the next comment.
    again = client.post(
        post_url(article), {**data, "ts": first.json()["ts"], "body": "Next"}, **fetch
    )
    # ...once it is a few seconds old, like any served form.
    assert again.status_code == 400 and TOO_FAST in again.json()["message"]
    assert Comment.objects.count() == 1


def test_token_served_to_another_reader_is_refused(client, article, comment_data):
    stranger = Client()
    data = comment_data(article, browser=stranger, body="Borrowed token")
    response = client.post(post_url(article), data)
    assert response.status_code == 400 and TOO_FAST in response.content.decode()
    assert not Comment.objects.exists()
    assert stranger.post(post_url(article), data).status_code == 302


def test_form_token_without_a_browser_is_refused(article):
    bot = Client()
    token = browser_token(Client(), article)
    response = bot.post(post_url(article), {"author_name": "Bot", "body": "Hi", "ts": token})
    assert response.status_code == 400
    assert not Comment.objects.exists()


def test_reply_form_served_without_script_posts_once(client, article, make_comment, settings):
    parent = make_comment(article, body="Parent")
    url = reverse("comment_reply", args=[parent.pk])
    html = client.get(url).content.decode()
    token = re.search(r'name="ts" value="([^"]+)"', html)[1]
    data = {"author_name": "Ada", "body": "My reply", "ts": token}
    settings.NEWSROOM = {**settings.NEWSROOM, "COMMENT_MIN_SECONDS": 0}
    assert client.post(url, data).status_code == 302
    assert client.post(url, {**data, "body": "My reply again"}).status_code == 400
    assert Comment.objects.filter(parent=parent).count() == 1


class Clock:
    """The time the token checks read (`comments.tokens.time`), moved on by the test."""

    def __init__(self):
        self.now = time.time()
        self.elapsed = 0.0

    def time(self):
        return self.now

    def monotonic(self):
        return self.elapsed

    def advance(self, seconds):
        self.now += seconds
        self.elapsed += seconds


@pytest.fixture
def clock(monkeypatch):
    clock = Clock()
    monkeypatch.setattr(tokens, "time", clock)
    monkeypatch.setattr(tokens, "_next_purge", 0.0)  # as in a process that has not purged yet
    return clock


def expired_row(nonce):
    return SpentToken.objects.create(nonce=nonce, expires_at=timezone.now() - timedelta(hours=1))


def form_data(client, article, clock, body):
    """A form served to `client` a minute ago (on the test's clock)."""
    token = browser_token(client, article, age=time.time() - clock.now + 60)
    return {"author_name": "Ada", "body": body, "ts": token}


def test_spent_tokens_are_purged_once_expired(client, article, clock, relaxed_comment_limits):
    expired_row("long-gone")
    client.post(post_url(article), form_data(client, article, clock, "First comment"))
    assert not SpentToken.objects.filter(nonce="long-gone").exists()
    assert SpentToken.objects.count() == 1

    # The next posts in this process leave the table alone for a while...
    expired_row("gone-since")
    clock.advance(tokens.PURGE_EVERY_SECONDS - 10)
    client.post(post_url(article), form_data(client, article, clock, "Second comment"))
    assert SpentToken.objects.filter(nonce="gone-since").exists()
    # ...and then purge again.
    clock.advance(10)
    client.post(post_url(article), form_data(client, article, clock, "Third comment"))
    assert not SpentToken.objects.filter(nonce="gone-since").exists()
    assert Comment.objects.count() == SpentToken.objects.count() == 3


def test_a_purge_keeps_the_row_of_a_token_that_has_not_expired(
    client, article, clock, relaxed_comment_limits, settings
):
    data = form_data(client, article, clock, "Posted once")
    assert client.post(post_url(article), data).status_code == 302
    # One second before the form expires, with a purge due in this very request:
    expired_row("long-gone")
    clock.advance(settings.NEWSROOM["COMMENT_FORM_MAX_AGE_HOURS"] * 3600 - 60 - 1)
    replay = client.post(post_url(article), {**data, "body": "Posted twice"})
    assert not SpentToken.objects.filter(nonce="long-gone").exists()  # the purge ran
    assert replay.status_code == 400 and TOO_FAST in replay.content.decode()
    # Past its expiry it is refused as too old; its row goes with a later purge.
    clock.advance(2)
    late = client.post(post_url(article), {**data, "body": "Posted late"})
    assert late.status_code == 400 and "open a long time" in late.content.decode()
    assert list(Comment.objects.values_list("body", flat=True)) == ["Posted once"]


def test_an_api_posting_token_is_refused_when_replayed_up_to_its_expiry(
    browser, article, clock, settings
):
    token = posting_token(browser)
    assert api_post(browser, article, posting_token=token).status_code == 201
    expired_row("long-gone")
    clock.advance(settings.NEWSROOM["POSTING_TOKEN_MAX_AGE_MINUTES"] * 60 - 1)
    replay = api_post(browser, article, posting_token=token, body="Again")
    assert not SpentToken.objects.filter(nonce="long-gone").exists()  # the purge ran
    assert replay.status_code == 400 and TOO_FAST in str(replay.json())
    assert Comment.objects.count() == 1


def test_a_purge_goes_only_for_rows_a_minute_past_their_expiry(clock):
    now = timezone.now()
    for nonce, expired_ago in [("just-now", 0), ("half-a-minute", 30), ("two-minutes", 120)]:
        SpentToken.objects.create(nonce=nonce, expires_at=now - timedelta(seconds=expired_ago))
    assert tokens.purge_spent() == 1
    assert sorted(SpentToken.objects.values_list("nonce", flat=True)) == [
        "half-a-minute", "just-now"]  # fmt: skip
    assert tokens.purge_spent() == 0  # not again so soon


# The API


@pytest.fixture
def browser(relaxed_comment_limits):
    """A script in a browser: it keeps cookies and sends the CSRF token."""
    client = APIClient(enforce_csrf_checks=True)
    client.credentials(HTTP_X_CSRFTOKEN=client.get("/api/csrf/").json()["csrf_token"])
    return client


def api_post(client, article, **data):
    return client.post(
        f"/api/articles/{article.slug}/comments/",
        {"body": "Well said.", "author_name": "Ada", **data},
        format="json",
    )


def posting_token(client):
    return client.get("/api/csrf/").json()["posting_token"]


def test_api_comment_with_a_posting_token_is_published(browser, article):
    response = api_post(browser, article, posting_token=posting_token(browser))
    assert response.status_code == 201
    assert Comment.objects.get().status == Comment.Status.APPROVED


def test_api_posting_token_may_come_in_a_header(browser, article):
    response = browser.post(
        f"/api/articles/{article.slug}/comments/",
        {"body": "Via the header", "author_name": "Ada"},
        format="json",
        HTTP_X_POSTING_TOKEN=posting_token(browser),
    )
    assert response.status_code == 201


@pytest.mark.parametrize("token", ["", "not-a-token"], ids=["missing", "forged"])
def test_api_comment_without_a_valid_token_is_held_never_published(
    article, relaxed_comment_limits, token
):
    response = api_post(APIClient(), article, posting_token=token)
    assert response.status_code == 202
    comment = Comment.objects.get()
    assert comment.status == Comment.Status.PENDING
    assert comment.moderation_rule == "posting_token"
    assert "posting token" in comment.moderation_reason
    assert comment not in Comment.objects.visible()


def test_api_comment_with_an_expired_token_is_held(browser, article):
    secret = browser.cookies["csrftoken"].value
    old = make_posting_token(browser=browser_hash(secret), issued_at=time.time() - 2 * 3600)
    assert api_post(browser, article, posting_token=old).status_code == 202
    assert Comment.objects.get().moderation_rule == "posting_token"


def test_api_replayed_posting_token_is_refused(browser, article):
    token = posting_token(browser)
    assert api_post(browser, article, posting_token=token).status_code == 201
    replay = api_post(browser, article, posting_token=token, body="Again")
    assert replay.status_code == 400
    [error] = replay.json()["errors"]
    assert error["attr"] == "posting_token" and TOO_FAST in error["detail"]
    assert Comment.objects.count() == 1


def test_api_posting_token_of_another_browser_is_refused(browser, article, relaxed_comment_limits):
    other = APIClient(enforce_csrf_checks=True)
    other.credentials(HTTP_X_CSRFTOKEN=other.get("/api/csrf/").json()["csrf_token"])
    response = api_post(other, article, posting_token=posting_token(browser))
    assert response.status_code == 400 and TOO_FAST in str(response.json())
    assert not Comment.objects.exists()


def test_api_comment_without_token_still_meets_the_other_rules(article, relaxed_comment_limits):
    config = ModerationSettings.load()
    config.banned_words = "moron"
    config.save()
    api_post(APIClient(), article, body="You moron")
    assert Comment.objects.get().status == Comment.Status.REJECTED


def test_schema_documents_the_posting_token(client):
    schema = client.get("/api/schema/?format=json").json()
    create = schema["paths"]["/api/articles/{slug}/comments/"]["post"]
    assert "posting_token" in create["description"]
    assert "X-Posting-Token" in [p["name"] for p in create["parameters"]]
    assert "posting_token" in schema["components"]["schemas"]["CommentCreateRequest"]["properties"]
    assert "posting_token" in schema["components"]["schemas"]["CsrfToken"]["properties"]
