"""An open story page learns what is new by polling a small endpoint: cheap when nothing changed."""

import html as markup
import json
import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from articles import live
from comments import moderation, reactions, services
from comments.models import Comment
from comments.readers import Reader

pytestmark = pytest.mark.django_db

SECTION = re.compile(r'data-live-url="([^"]+)" data-live-etag="([^"]+)" data-live-since="(\d+)"')


@pytest.fixture(autouse=True)
def open_site(relaxed_comment_limits, post_moderated_site):
    pass


def reader(n=1):
    """An established guest (a cookie days old) on a network of their own."""
    since = timezone.now() - timedelta(days=2)
    return Reader(key=f"g:00000000-0000-0000-0000-00000000000{n}", ip=f"203.0.{n}.9", since=since)


def opened(client, article):
    """Open the story page as a reader would; return what it tells its script (url, etag, since)."""
    html = client.get(article.get_absolute_url()).content.decode()
    match = SECTION.search(html)
    assert match, "the comments section carries no live attributes"
    return tuple(markup.unescape(value) for value in match.groups())


def poll(client, url, since, etag=None):
    headers = {"If-None-Match": etag} if etag else {}
    return client.get(url, {"since": since}, headers=headers)


def post(article, body, *, n=1, parent=None, name="Al"):
    return services.comment_submit(
        article=article, reader=reader(n), body=body, author_name=name, parent=parent
    )


# The hostile cases first.


@pytest.mark.parametrize(
    "query",
    [
        "",
        "since=",
        "since=yesterday",
        "since=-5",
        "since=1e9",
        "since=%00",
        "since=１２３",
        "since=" + "9" * 40,
        "since=1&since=2",
        "since=1&junk=1",
        "since=1&sort=newest",
    ],
)
def test_junk_parameters_get_a_clear_400(client, article, query):
    url = reverse("articles:live", kwargs={"slug": article.slug})
    response = client.get(f"{url}?{query}")
    assert response.status_code == 400
    assert response.json()["error"]


def test_unknown_or_unpublished_story_is_404(client, make_article):
    draft = make_article(status="draft")
    for slug in (draft.slug, "no-such-story"):
        response = client.get(reverse("articles:live", kwargs={"slug": slug}), {"since": 1})
        assert response.status_code == 404


def test_posting_to_the_poll_is_refused(client, article):
    response = client.post(reverse("articles:live", kwargs={"slug": article.slug}), {"since": 1})
    assert response.status_code == 405


def test_held_comment_is_not_announced_to_anyone(client, article, settings):
    url, etag, since = opened(client, article)
    settings.NEWSROOM = {**settings.NEWSROOM, "MODERATION_MODE": "pre"}
    held = post(article, "Held until an editor looks")
    assert held.status == Comment.Status.PENDING
    # Its author too: their page drew it when they posted it; the poll is the same for everyone.
    for who in (client, Client()):
        answer = poll(who, url, since, etag).json()
        assert [item["id"] for item in answer["comments"]] == []
        assert "Held until" not in json.dumps(answer)
        assert answer["count"] == 0


def test_withdrawn_comment_is_not_announced(client, article):
    url, etag, since = opened(client, article)
    gone = post(article, "Said in haste")
    services.comment_delete(comment=gone, reader=reader())
    answer = poll(client, url, since, etag).json()
    assert "Said in haste" not in json.dumps(answer)


def test_a_flood_is_capped_and_says_there_is_more(client, article):
    url, etag, since = opened(client, article)
    for n in range(live.LIMIT + 5):
        post(article, f"Flood {n}", n=n % 9 + 1)
    response = poll(client, url, since, etag)
    answer = response.json()
    assert len(answer["comments"]) == live.LIMIT
    assert answer["more"] is True
    assert answer["count"] == live.LIMIT + 5
    assert len(response.content) < 200_000


def test_the_fragment_carries_no_csrf_token_or_page_secret(client, article):
    url, etag, since = opened(client, article)
    post(article, "Tokenless")
    html = poll(client, url, since, etag).json()["comments"][0]["html"]
    assert 'name="csrfmiddlewaretoken" value=""' in html
    assert "csrftoken" not in poll(client, url, since, etag).cookies


# The happy cases.


def test_unchanged_story_answers_304_with_one_query(client, article, make_comment):
    make_comment(article, body="Already there")
    url, etag, since = opened(client, article)
    with CaptureQueriesContext(connection) as queries:
        response = poll(Client(), url, since, etag)
    assert response.status_code == 304
    assert response.content == b""
    assert response["ETag"] == etag
    assert len(queries) == 1


def test_new_comment_is_in_the_next_poll_with_its_place(client, article):
    top = post(article, "Opening remark")
    url, etag, since = opened(client, article)
    reply = post(article, "A reply, arrived live", n=2, parent=top, name="Bea")
    response = poll(client, url, since, etag)
    assert response.status_code == 200
    assert response["ETag"] != etag
    answer = response.json()
    [item] = [item for item in answer["comments"] if item["id"] == reply.pk]
    assert item["parent"] == top.pk and item["level"] == 1
    assert "A reply, arrived live" in item["html"]
    assert 'class="comment-node comment-node--level-1"' in item["html"]
    assert answer["count"] == 2
    assert answer["labels"][1][0] == "1 new comment"
    # With the new ETag the page is up to date again.
    assert poll(client, url, answer["since"], response["ETag"]).status_code == 304


def test_top_level_comment_comes_as_a_thread(client, article):
    url, etag, since = opened(client, article)
    comment = post(article, "A new thread")
    [item] = poll(client, url, since, etag).json()["comments"]
    assert item["parent"] is None and item["thread"] == comment.pk
    assert f'id="t{comment.pk}" data-thread="{comment.pk}"' in item["html"]


def test_reply_deeper_than_the_last_level_names_whom_it_answers(client, article):
    parent = post(article, "Level 0")
    for level in range(1, 4):
        parent = post(article, f"Level {level}", parent=parent, name=f"Writer {level}")
    url, etag, since = opened(client, article)
    deep = post(article, "Level 4", parent=parent, name="Deep")
    [item] = [i for i in poll(client, url, since, etag).json()["comments"] if i["id"] == deep.pk]
    assert item["level"] == 3 and item["replying"] is True
    assert "Replying to" in item["html"] and "Writer 3" in item["html"]


def test_comment_approved_from_the_desk_is_announced(client, article, settings, moderator):
    settings.NEWSROOM = {**settings.NEWSROOM, "MODERATION_MODE": "pre"}
    held = post(article, "Worth the wait")
    url, etag, since = opened(client, article)
    assert poll(client, url, since, etag).status_code == 304
    moderation.comment_moderate(
        comments=Comment.objects.filter(pk=held.pk), status=Comment.Status.APPROVED, actor=moderator
    )
    answer = poll(client, url, since, etag).json()
    assert [item["id"] for item in answer["comments"]] == [held.pk]


def test_reactions_and_count_refresh(client, article):
    url, etag, since = opened(client, article)
    reactions.reaction_set(article=article, reader=reader(3), kind="love")
    answer = poll(client, url, since, etag).json()
    love = next(item for item in answer["reactions"] if item["key"] == "love")
    assert love["count"] == 1 and love["share"] == 100
    assert answer["total_text"] == "1 reaction"
    assert answer["comments"] == []


def test_changed_poll_is_built_once_per_version(client, article, django_assert_max_num_queries):
    url, etag, since = opened(client, article)
    for n in range(10):
        post(article, f"Comment {n}", n=n % 9 + 1)
    poll(client, url, since, etag)
    with django_assert_max_num_queries(1):
        answer = poll(Client(), url, since, etag).json()
    assert len(answer["comments"]) == 10


def test_old_comments_are_not_sent_again(client, article, make_comment):
    old = post(article, "From before")
    Comment.objects.filter(pk=old.pk).update(decided_at=timezone.now() - timedelta(hours=1))
    url, etag, since = opened(client, article)
    post(article, "Just now", n=2)
    answer = poll(client, url, since, etag).json()
    assert [item["id"] for item in answer["comments"]] != [] and all(
        item["id"] != old.pk for item in answer["comments"]
    )


def test_page_without_javascript_is_unchanged_by_the_live_layer(client, article):
    html = client.get(article.get_absolute_url()).content.decode()
    slot = re.search(r'<div class="comments__live" data-live-slot></div>', html)
    assert slot, "the slot the script fills is empty in the page"
    assert "new comment" not in html


def test_a_signed_in_reader_polls_as_cheaply_and_leaves_no_trace(
    client, article, django_user_model
):
    user = django_user_model.objects.create_user("ann", password="pw-for-tests")
    client.force_login(user)
    url, etag, since = opened(client, article)
    with CaptureQueriesContext(connection) as queries:
        response = poll(client, url, since, etag)
    assert response.status_code == 304
    assert len(queries) == 1  # no session, no account: the story's version only
    assert not response.cookies
    assert "Cookie" not in response.get("Vary", "")
