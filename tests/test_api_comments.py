import json
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from rest_framework.test import APIClient

from comments.models import Comment, CommentLike, CommentReport
from comments.readers import COOKIE_NAME

# Published at once, so a test of the API is not held by the first-timer rule.
pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("post_moderated_site"),
]

PRIVATE_WORDS = ("ada@example.com", "someone@example.com", "iphash", "Mozilla", "secret-note")


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def guest(relaxed_comment_limits):
    """A browser-like guest: posts once to get its reader cookie, then sends the CSRF token."""
    client = APIClient(enforce_csrf_checks=True)
    token = client.get("/api/csrf/").json()["csrf_token"]
    client.credentials(HTTP_X_CSRFTOKEN=token)
    return client


def post(client, article, **data):
    """Post as the page's script does: with a posting token fetched for this comment."""
    token = client.get("/api/csrf/").json()["posting_token"]
    return client.post(
        f"/api/articles/{article.slug}/comments/",
        {"body": "Well said.", "author_name": "Ada", "posting_token": token, **data},
        format="json",
    )


def assert_private_fields_absent(response):
    text = response.content.decode()
    for word in PRIVATE_WORDS:
        assert word not in text
    for key in ("author_email", "ip_hash", "network_hash", "user_agent", "moderation_reason"):
        assert f'"{key}"' not in text


def test_threaded_list_nests_replies_and_hides_private_fields(api, article, make_comment):
    root = make_comment(article, body="First", ip_hash="iphash", user_agent="Mozilla/5.0")
    reply = make_comment(article, parent=root, body="Reply", moderation_reason="secret-note")
    make_comment(article, parent=reply, body="Deeper")
    response = api.get(f"/api/articles/{article.slug}/comments/")
    assert response.status_code == 200
    [thread] = response.json()["results"]
    assert thread["body"] == "First"
    assert thread["replies"][0]["body"] == "Reply"
    assert thread["replies"][0]["replies"][0]["level"] == 2
    assert thread["url"].endswith(f"/stories/{article.slug}/?thread={root.pk}#c{root.pk}")
    assert_private_fields_absent(response)


def test_list_sorts_and_pages_with_the_cursor_it_gives(api, article, make_comment):
    comments = [make_comment(article, body=f"Comment {n}", like_count=n) for n in range(5)]
    first = api.get(f"/api/articles/{article.slug}/comments/?sort=liked&page_size=2").json()
    assert [c["id"] for c in first["results"]] == [comments[4].pk, comments[3].pk]
    second = api.get(first["next"]).json()
    assert [c["id"] for c in second["results"]] == [comments[2].pk, comments[1].pk]
    newest = api.get(f"/api/articles/{article.slug}/comments/?sort=newest").json()
    assert newest["results"][0]["id"] == comments[4].pk
    assert newest["next"] is None


@pytest.mark.parametrize(
    "query", ["sort=best", "page_size=0", "page_size=101", "cursor=abc", "thread=x"]
)
def test_bad_list_queries_are_400_naming_the_parameter(api, article, query):
    response = api.get(f"/api/articles/{article.slug}/comments/?{query}")
    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert error["attr"] == query.split("=")[0]


def test_list_runs_a_fixed_number_of_queries_whatever_the_page_size(
    api, article, make_comment, django_assert_max_num_queries
):
    for n in range(30):
        root = make_comment(article, body=f"Root {n}")
        make_comment(article, parent=make_comment(article, parent=root), body="deep")
    for size in (1, 30):
        with django_assert_max_num_queries(3):
            response = api.get(f"/api/articles/{article.slug}/comments/?page_size={size}")
        assert len(response.json()["results"]) == size


def test_signed_in_list_also_runs_a_fixed_number_of_queries(
    article, make_comment, django_assert_max_num_queries
):
    user = get_user_model().objects.create_user("reader", password="pw")
    client = APIClient()
    client.force_login(user)
    for n in range(30):
        make_comment(article, parent=make_comment(article, body=f"Root {n}"))
    with django_assert_max_num_queries(6):
        assert (
            len(
                client.get(f"/api/articles/{article.slug}/comments/?page_size=30").json()["results"]
            )
            == 30
        )


def test_unknown_story_comments_are_404(api):
    assert api.get("/api/articles/nope/comments/").status_code == 404


def test_guest_posts_without_cookies_and_gets_the_reader_cookie(
    api, article, relaxed_comment_limits
):
    response = post(api, article)
    assert response.status_code == 201
    assert response.json()["status"] == "approved"
    assert response.json()["mine"] is True
    assert COOKIE_NAME in response.cookies
    comment = Comment.objects.get()
    assert comment.author_name == "Ada"
    assert comment.ip_hash and comment.ip_hash != "127.0.0.1"
    assert_private_fields_absent(post(api, article, author_email="ada@example.com"))


def test_held_comment_is_202_and_visible_to_its_author_only(api, article, relaxed_comment_limits):
    article.moderation_mode = "pre"
    article.save()
    response = post(api, article)
    assert response.status_code == 202
    assert response.json()["status"] == "pending"
    mine = api.get(f"/api/articles/{article.slug}/comments/").json()["results"]
    assert [c["status"] for c in mine] == ["pending"]
    assert APIClient().get(f"/api/articles/{article.slug}/comments/").json()["results"] == []


def test_reply_lands_in_its_thread(api, article, make_comment, relaxed_comment_limits):
    root = make_comment(article)
    response = post(api, article, parent=root.pk, body="I agree")
    assert response.status_code == 201
    assert response.json()["parent"] == root.pk
    assert response.json()["thread"] == root.pk


def test_signed_in_reader_posts_as_themselves(article, relaxed_comment_limits):
    user = get_user_model().objects.create_user("grace", password="pw", email="g@example.com")
    client = APIClient()
    client.force_login(user)
    response = post(client, article, author_name="Someone else")
    assert response.status_code == 201
    assert response.json()["author_name"] == "grace"
    assert "g@example.com" not in response.content.decode()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"body": ""}, "body"),
        ({"body": "x" * 3001}, "body"),
        ({"body": "bad \u0007 bell"}, "body"),
        ({"author_name": ""}, "author_name"),
        ({"author_email": "not-an-email"}, "author_email"),
        ({"parent": 999999}, "parent"),
    ],
)
def test_invalid_comments_are_400_and_change_nothing(
    api, article, relaxed_comment_limits, data, field
):
    response = post(api, article, **data)
    assert response.status_code == 400
    assert response.json()["type"] == "validation_error"
    assert field in [error["attr"] for error in response.json()["errors"]]
    assert not Comment.objects.exists()


def test_reply_to_a_comment_on_another_story_is_400(
    api, article, make_article, make_comment, relaxed_comment_limits
):
    elsewhere = make_comment(make_article())
    assert post(api, article, parent=elsewhere.pk).status_code == 400


def test_closed_story_refuses_comments_with_403(api, article, relaxed_comment_limits):
    article.comments_enabled = False
    article.save()
    response = post(api, article)
    assert response.status_code == 403
    assert "closed" in response.json()["errors"][0]["detail"]


def test_flooding_is_429_with_retry_after(api, article, settings):
    settings.NEWSROOM = {**settings.NEWSROOM, "COMMENT_RATE": "2/m"}
    statuses = [post(api, article, body=f"Comment {n}") for n in range(3)]
    assert [r.status_code for r in statuses[:2]] == [201, 201]
    refused = statuses[2]
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) >= 1
    assert refused.json()["errors"][0]["code"] == "throttled"


def test_api_writes_of_any_kind_are_capped_per_reader(api, article, make_comment, settings):
    settings.NEWSROOM = {**settings.NEWSROOM, "API_WRITE_RATE": "2/m"}
    comment = make_comment(article)
    responses = [api.put(f"/api/comments/{comment.pk}/like/") for _ in range(3)]
    assert [r.status_code for r in responses] == [200, 200, 429]
    assert responses[2]["Retry-After"]


# CSRF: cookies identify readers, so a cross-site form must not be able to act as one.


def test_guest_with_reader_cookie_must_send_the_csrf_token(guest, article):
    assert post(guest, article).status_code == 201  # no cookie yet: a fresh guest
    forged = APIClient(enforce_csrf_checks=True)
    forged.cookies[COOKIE_NAME] = guest.cookies[COOKIE_NAME].value
    refused = post(forged, article)
    assert refused.status_code == 403
    assert "CSRF" in refused.json()["errors"][0]["detail"]
    assert post(guest, article, body="With the token").status_code == 201
    assert Comment.objects.count() == 2


def test_signed_in_reader_must_send_the_csrf_token(article, relaxed_comment_limits):
    user = get_user_model().objects.create_user("grace", password="pw")
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(user)
    assert post(client, article).status_code == 403
    token = client.get("/api/csrf/").json()["csrf_token"]
    client.credentials(HTTP_X_CSRFTOKEN=token)
    assert post(client, article).status_code == 201


# One comment: read, edit, delete


def own_comment(client, article):
    return post(client, article).json()["id"]


def test_author_edits_their_comment_within_the_window(guest, article):
    pk = own_comment(guest, article)
    response = guest.patch(f"/api/comments/{pk}/", {"body": "Changed my mind"}, format="json")
    assert response.status_code == 200
    assert response.json()["body"] == "Changed my mind"
    assert response.json()["edited_at"]
    assert Comment.objects.get(pk=pk).body == "Changed my mind"


def test_edit_after_the_window_is_400(guest, article):
    pk = own_comment(guest, article)
    Comment.objects.filter(pk=pk).update(created_at=timezone.now() - timedelta(hours=1))
    response = guest.patch(f"/api/comments/{pk}/", {"body": "Too late"}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["attr"] == "body"


def test_someone_elses_comment_cannot_be_edited_or_deleted(guest, article, make_comment):
    other = make_comment(article)
    assert (
        guest.patch(f"/api/comments/{other.pk}/", {"body": "Mine now"}, format="json").status_code
        == 403
    )
    assert guest.delete(f"/api/comments/{other.pk}/").status_code == 403
    other.refresh_from_db()
    assert other.body == "Hello" and other.deleted_at is None


def test_someone_elses_held_comment_is_404(api, article, make_comment):
    held = make_comment(article, status=Comment.Status.PENDING)
    assert api.get(f"/api/comments/{held.pk}/").status_code == 404
    assert api.delete(f"/api/comments/{held.pk}/").status_code == 404


def test_author_deletes_their_comment_leaving_a_placeholder(guest, api, article):
    pk = own_comment(guest, article)
    assert guest.delete(f"/api/comments/{pk}/").status_code == 204
    assert guest.delete(f"/api/comments/{pk}/").status_code == 204
    shown = api.get(f"/api/comments/{pk}/").json()
    assert shown["is_deleted"] is True
    assert shown["body"] == shown["author_name"] == shown["body_html"] == ""
    assert Comment.objects.get(pk=pk).body == "Well said."


def test_comment_body_is_rendered_sanitised(api, article, make_comment):
    comment = make_comment(article, body="**Hi** <script>alert(1)</script> https://example.com")
    html = api.get(f"/api/comments/{comment.pk}/").json()["body_html"]
    assert "<strong>Hi</strong>" in html
    assert "<script>" not in html
    assert 'rel="nofollow ugc noopener"' in html


# Likes and reports


def test_like_and_unlike_are_idempotent(guest, article, make_comment):
    comment = make_comment(article)
    url = f"/api/comments/{comment.pk}/like/"
    assert guest.put(url).json() == {"liked": True, "like_count": 1}
    assert guest.put(url).json() == {"liked": True, "like_count": 1}
    listed = guest.get(f"/api/articles/{article.slug}/comments/").json()["results"][0]
    assert listed["liked"] is True
    assert guest.delete(url).json() == {"liked": False, "like_count": 0}
    assert guest.delete(url).json() == {"liked": False, "like_count": 0}
    assert not CommentLike.objects.exists()


def test_liking_a_deleted_comment_is_409(api, article, make_comment):
    comment = make_comment(article, deleted_at=timezone.now())
    response = api.put(f"/api/comments/{comment.pk}/like/")
    assert response.status_code == 409
    assert response.json()["errors"][0]["code"] == "unavailable"


def test_report_once_then_409(guest, article, make_comment):
    comment = make_comment(article)
    url = f"/api/comments/{comment.pk}/report/"
    first = guest.post(url, {"reason": "abuse", "text": "Nasty"}, format="json")
    assert first.status_code == 201
    assert first.json()["reason"] == "abuse"
    again = guest.post(url, {"reason": "spam"}, format="json")
    assert again.status_code == 409
    assert again.json()["errors"][0]["code"] == "already_reported"
    assert CommentReport.objects.get().reason == "abuse"
    assert Comment.objects.get(pk=comment.pk).report_count == 1


def test_report_needs_a_known_reason(api, article, make_comment):
    comment = make_comment(article)
    response = api.post(f"/api/comments/{comment.pk}/report/", {"reason": "meh"}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["attr"] == "reason"


def test_reporting_your_own_comment_is_403(guest, article):
    pk = own_comment(guest, article)
    response = guest.post(f"/api/comments/{pk}/report/", {"reason": "spam"}, format="json")
    assert response.status_code == 403


def test_malformed_json_is_a_400_parse_error(api, article):
    response = api.generic(
        "POST",
        f"/api/articles/{article.slug}/comments/",
        "{not json",
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "parse_error"
    assert json.loads(response.content)["type"] == "client_error"


@pytest.mark.parametrize("query", ["cursor=", "page_size=", "thread="])
def test_empty_list_parameters_are_400_not_ignored(api, article, query):
    assert api.get(f"/api/articles/{article.slug}/comments/?{query}").status_code == 400


def test_unknown_api_paths_are_json_404_even_with_a_newline(api):
    for path in ("/api/nothing-here/", "/api/comments/1%0A/like/"):
        response = api.post(path)
        assert response.status_code == 404
        assert response.json()["errors"][0]["code"] == "not_found"
