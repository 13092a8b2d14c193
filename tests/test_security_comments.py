"""Comments and reactions under attack, without a browser: CSRF, IDOR, leaks, abuse, floods."""

import uuid

import pytest
from django.core import signing
from django.test import Client
from django.urls import reverse

from comments.models import Comment, CommentLike, CommentReport, Reaction
from comments.readers import COOKIE_NAME, COOKIE_SALT

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("relaxed_comment_limits")]
FETCH = {"HTTP_X_REQUESTED_WITH": "fetch", "HTTP_ACCEPT": "application/json"}


def guest(*, csrf=False):
    """Return a client that is a known guest reader, and that reader's key."""
    client = Client(enforce_csrf_checks=csrf)
    guest_id = str(uuid.uuid4())
    client.cookies[COOKIE_NAME] = signing.dumps(guest_id, salt=COOKIE_SALT)
    return client, f"g:{guest_id}"


def snapshot():
    return (
        list(Comment.objects.order_by("pk").values_list("pk", "body", "status", "deleted_at")),
        CommentLike.objects.count(),
        CommentReport.objects.count(),
        list(Reaction.objects.values_list("reader_key", "kind")),
    )


@pytest.fixture
def own_and_other(article, make_comment):
    client, key = guest(csrf=True)
    mine = make_comment(article, reader_key=key, author_name="Me", body="My words.")
    theirs = make_comment(article, author_name="Them", body="Their words.")
    return client, mine, theirs


def state_changing_posts(article, mine, theirs, comment_data, client):
    form = comment_data(article, browser=client)
    return {
        "comment": (reverse("comment_post", args=[article.slug]), form),
        "reply": (reverse("comment_reply", args=[theirs.pk]), form),
        "edit": (reverse("comment_edit", args=[mine.pk]), {"body": "Changed."}),
        "delete": (reverse("comment_delete", args=[mine.pk]), {}),
        "like": (reverse("comment_like", args=[theirs.pk]), {}),
        "report": (reverse("comment_report", args=[theirs.pk]), {"reason": "spam"}),
        "reaction": (reverse("react", args=[article.slug]), {"kind": "sad"}),
    }


ACTIONS = ["comment", "reply", "edit", "delete", "like", "report", "reaction"]


@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("headers", [{}, FETCH], ids=["form", "script"])
def test_every_state_changing_post_needs_the_csrf_token(
    article, own_and_other, comment_data, post_moderated_site, action, headers
):
    client, mine, theirs = own_and_other
    url, data = state_changing_posts(article, mine, theirs, comment_data, client)[action]
    before = snapshot()
    response = client.post(url, data, **headers)
    assert response.status_code == 403
    assert snapshot() == before

    # The same request with the token goes through, so the refusal above was the token's doing.
    client.get(article.get_absolute_url())
    token = client.cookies["csrftoken"].value
    response = client.post(url, data, HTTP_X_CSRFTOKEN=token, **headers)
    assert response.status_code in {200, 201, 302}
    assert snapshot() != before


@pytest.mark.parametrize("action", ["edit", "delete"])
@pytest.mark.parametrize("headers", [{}, FETCH], ids=["form", "script"])
def test_another_reader_cannot_change_someone_elses_comment(
    article, own_and_other, action, headers
):
    _client, mine, _theirs = own_and_other
    stranger, _key = guest()
    url = reverse(f"comment_{action}", args=[mine.pk])
    before = snapshot()
    assert stranger.get(url, **headers).status_code in {403, 404}
    assert stranger.post(url, {"body": "Hijacked."}, **headers).status_code in {403, 404}
    assert snapshot() == before


def test_emails_and_ip_hashes_never_reach_any_reader_page(client, article, make_comment):
    comment = make_comment(
        article, author_email="secret.reader@example.com", ip_hash="f00dfeed" * 8, body="Hi."
    )
    pages = [
        reverse("articles:list"),
        article.get_absolute_url(),
        comment.get_absolute_url(),
        reverse("comment_reply", args=[comment.pk]),
        reverse("comment_report", args=[comment.pk]),
    ]
    for path in pages:
        response = client.get(path, follow=True)
        assert response.status_code == 200, path
        text = response.content.decode()
        assert "secret.reader" not in text and "f00dfeed" not in text, path
    fragment = client.get(reverse("comment_list", args=[article.slug]), **FETCH)
    assert "secret.reader" not in fragment.content.decode()


BAD_BODIES = {
    "empty": "",
    "whitespace": " \n\t \n ",
    "oversized": "x" * 3001,
    "nul": "Hello\x00world",
    "control": "Ring \x07 the bell",
    "only bidi overrides": "\u202e\u2066\u202d",
}


@pytest.mark.parametrize("body", BAD_BODIES.values(), ids=BAD_BODIES.keys())
@pytest.mark.parametrize("headers", [{}, FETCH], ids=["form", "script"])
def test_bad_comment_bodies_are_refused_and_change_nothing(
    client, article, comment_data, body, headers
):
    url = reverse("comment_post", args=[article.slug])
    response = client.post(url, comment_data(article, body=body), **headers)
    assert response.status_code == 400
    assert not Comment.objects.exists()


def test_bad_edits_are_refused_and_keep_the_comment(article, own_and_other):
    client, mine, _theirs = own_and_other
    client = Client()
    client.cookies = own_and_other[0].cookies
    for body in BAD_BODIES.values():
        response = client.post(reverse("comment_edit", args=[mine.pk]), {"body": body})
        assert response.status_code == 400
    mine.refresh_from_db()
    assert (mine.body, mine.edited_at) == ("My words.", None)


def test_bidi_overrides_are_stripped_so_text_reads_as_stored(
    client, article, comment_data, post_moderated_site
):
    url = reverse("comment_post", args=[article.slug])
    client.post(url, comment_data(article, body="Total: \u202e001 $\u202c", author_name="A\u202eB"))
    comment = Comment.objects.get()
    assert (comment.body, comment.author_name) == ("Total: 001 $", "AB")


@pytest.mark.parametrize("field", ["body", "author_name"])
def test_invalid_utf8_gets_a_clear_400_and_nothing_is_saved(client, article, comment_data, field):
    from urllib.parse import urlencode

    data = urlencode(comment_data(article, **{field: "BROKEN"})).encode()
    data = data.replace(b"BROKEN", b"Caf%C3%20au%20lait")  # %C3 alone is not UTF-8
    url = reverse("comment_post", args=[article.slug])
    response = client.post(url, data, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400
    assert "not valid UTF-8" in response.content.decode()
    assert not Comment.objects.exists()


def test_invalid_utf8_in_an_edit_changes_nothing(client, article, comment_data):
    from urllib.parse import urlencode

    client.post(reverse("comment_post", args=[article.slug]), comment_data(article, body="Fine"))
    comment = Comment.objects.get()
    data = urlencode({"body": "BROKEN"}).encode().replace(b"BROKEN", b"Fine%20%FF")
    url = reverse("comment_edit", args=[comment.pk])
    response = client.post(url, data, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400
    comment.refresh_from_db()
    assert comment.body == "Fine"


@pytest.mark.parametrize("kind", ["", "nope", "sad\x00", "s" * 10_000, "<script>"])
def test_unknown_or_hostile_reaction_kinds_are_refused(client, article, kind):
    response = client.post(reverse("react", args=[article.slug]), {"kind": kind}, **FETCH)
    assert response.status_code == 400
    assert not Reaction.objects.exists()


def test_a_reaction_flood_from_one_client_is_stopped_with_429(client, article, settings):
    settings.NEWSROOM = {**settings.NEWSROOM, "REACTION_RATE": "5/m"}
    url = reverse("react", args=[article.slug])
    statuses = [client.post(url, {"kind": "sad"}, **FETCH).status_code for _ in range(8)]
    assert statuses[:5] == [200] * 5
    assert set(statuses[5:]) == {429}
    # The fifth toggle left one reaction in place; refused toggles did not remove it.
    assert Reaction.objects.count() == 1
    response = client.post(url, {"kind": "love"}, **FETCH)
    assert response.status_code == 429 and int(response["Retry-After"]) > 0
    assert list(Reaction.objects.values_list("kind", flat=True)) == ["sad"]


def test_a_report_flood_from_one_client_is_stopped_with_429(
    client, article, make_comment, settings
):
    settings.NEWSROOM = {**settings.NEWSROOM, "REACTION_RATE": "5/m"}
    targets = [make_comment(article, reader_key=f"g:r{n}", body=f"Post {n}") for n in range(8)]
    statuses = [
        client.post(reverse("comment_report", args=[c.pk]), {"reason": "spam"}, **FETCH).status_code
        for c in targets
    ]
    assert statuses[:5] == [200] * 5
    assert set(statuses[5:]) == {429}
    assert CommentReport.objects.count() == 5
