"""Hostile input to the API gets an honest 4xx in the API's JSON error shape, never a 500."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from articles.models import Article
from comments.models import Comment, ModerationSettings

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("post_moderated_site")]


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def moderator_api(moderator):
    client = APIClient()
    client.force_login(moderator)
    return client


def assert_error_shape(response, status, attr=None):
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"type", "errors"}
    assert body["errors"] and set(body["errors"][0]) == {"code", "detail", "attr"}
    if attr is not None:
        assert attr in [error["attr"] for error in body["errors"]], body
    return body


# Every list endpoint of newsroom/api_urls.py, with each query value it reads.
BAD_LIST_QUERIES = [
    ("article-list", "cursor", "junk"),
    ("article-list", "cursor", "%00"),
    ("article-list", "cursor", "cD15ZXN0ZXJkYXk="),  # base64 of "p=yesterday": not a time
    ("article-list", "cursor", "cD0lMDA="),  # base64 of "p=%00"
    ("article-list", "page_size", "x"),
    ("article-list", "page_size", "%00"),
    ("article-comments", "cursor", "1.%00"),
    ("article-comments", "page_size", "99999999999999999999999"),
    ("article-comments", "sort", "%00"),
    ("article-comments", "thread", "99999999999999999999999"),
    ("article-comments", "thread", "%00"),
    ("comment-counts", "slug", "%00"),
    ("comment-counts", "slug", "x" * 300),
    ("moderation-queue", "cursor", "junk"),
    ("moderation-queue", "cursor", "cj0xJnA9JTAw"),  # base64 of "r=1&p=%00"
    ("moderation-queue", "cursor", "cD05OTk5OTk5OTk5OTk5OTk5OTk5OTk5"),
    ("moderation-queue", "page_size", "-1"),
    ("moderation-queue", "status", "%00"),
    ("moderation-queue", "status", "x" * 10_000),
    ("moderation-queue", "story", "%00"),
    ("moderation-queue", "story", "x" * 10_000),
]
LIST_PATHS = {
    "article-list": "/api/articles/",
    "article-comments": "/api/articles/{slug}/comments/",
    "comment-counts": "/api/comment-counts/",
    "moderation-queue": "/api/moderation/comments/",
}


@pytest.mark.parametrize(("endpoint", "field", "value"), BAD_LIST_QUERIES)
def test_malformed_list_query_is_400_naming_the_field(
    moderator_api, article, make_comment, endpoint, field, value
):
    make_comment(article, status=Comment.Status.PENDING)
    path = LIST_PATHS[endpoint].format(slug=article.slug)
    response = moderator_api.get(f"{path}?{field}={value}")
    body = assert_error_shape(response, 400, attr=field)
    assert body["type"] == "validation_error"


def test_every_list_endpoint_is_covered():
    from django.urls import get_resolver

    names = {
        name
        for name in get_resolver("newsroom.api_urls").reverse_dict
        if isinstance(name, str) and (name.endswith("-list") or name in LIST_PATHS)
    }
    assert names <= set(LIST_PATHS)


def test_oversized_body_is_413_in_the_json_error_shape(api, article, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    body = json.dumps({"body": "x" * 5000, "author_name": "Ada"})
    response = api.post(
        f"/api/articles/{article.slug}/comments/", body, content_type="application/json"
    )
    assert_error_shape(response, 413)
    assert not Comment.objects.exists()


def test_deeply_nested_json_is_400(api, article):
    body = "[" * 100_000 + "]" * 100_000
    response = api.post(
        f"/api/articles/{article.slug}/comments/", body, content_type="application/json"
    )
    assert_error_shape(response, 400)
    assert not Comment.objects.exists()


# Honest status codes for comments the rules refuse.


def post(client, article, **data):
    token = client.get("/api/csrf/").json()["posting_token"]
    return client.post(
        f"/api/articles/{article.slug}/comments/",
        {"body": "Well said.", "author_name": "Ada", "posting_token": token, **data},
        format="json",
    )


def test_comment_with_a_banned_word_is_refused_but_kept_for_moderators(
    api, article, relaxed_comment_limits
):
    config = ModerationSettings.load_row()
    config.banned_words = "gnome"
    config.save()
    response = post(api, article, body="You gnome.")
    body = assert_error_shape(response, 422, attr="body")
    assert body["errors"][0]["code"] == "comment_rejected"
    assert "gnome" not in body["errors"][0]["detail"]
    assert Comment.objects.get().status == Comment.Status.REJECTED


def test_closed_story_refusal_says_comments_closed(api, article, relaxed_comment_limits):
    article.comments_enabled = False
    article.save()
    body = assert_error_shape(post(api, article), 403)
    assert body["errors"][0]["code"] == "comments_closed"


def test_banned_reader_refusal_says_banned(api, article, relaxed_comment_limits):
    from comments.models import Ban
    from comments.readers import Reader

    first = post(api, article)
    assert first.status_code == 201
    key = Comment.objects.get().reader_key
    Ban.objects.create(kind=Ban.Kind.READER, value=key, reason="troll")
    assert Reader(key=key).key == key
    body = assert_error_shape(post(api, article, body="Again"), 403)
    assert body["errors"][0]["code"] == "banned"


def test_too_long_comment_says_max_length(api, article, relaxed_comment_limits):
    body = assert_error_shape(post(api, article, body="x" * 3001), 400, attr="body")
    assert body["errors"][0]["code"] == "max_length"


def test_schema_lists_every_comment_status_and_the_create_answers(api):
    schema = api.get("/api/schema/?format=json").json()
    statuses = schema["components"]["schemas"]["CommentStatusEnum"]["enum"]
    assert set(statuses) == set(Comment.Status.values)
    answers = schema["paths"]["/api/articles/{slug}/comments/"]["post"]["responses"]
    assert {"201", "202", "400", "403", "422", "429"} <= set(answers)


# Responses match the schema.


def test_options_on_comment_list_is_not_a_server_error(api, article):
    response = api.options(f"/api/articles/{article.slug}/comments/")
    assert response.status_code == 200
    assert response.json()["name"]


def test_clearing_a_reaction_answers_the_tally_the_schema_describes(
    api, article, relaxed_comment_limits
):
    path = f"/api/articles/{article.slug}/reactions/"
    assert api.put(path, {"kind": "love"}, format="json").status_code == 200
    response = api.delete(path)
    assert (response.status_code, response.json()["choice"]) == (200, None)
    schema = api.get("/api/schema/?format=json").json()
    answers = schema["paths"]["/api/articles/{slug}/reactions/"]["delete"]["responses"]
    assert "204" not in answers
    assert answers["200"]["content"]["application/json"]["schema"]["$ref"].endswith("/ReactionBar")


def test_schema_offers_the_reaction_kinds_editors_enabled_now(api):
    from comments.models import ReactionKind

    def kind():
        components = api.get("/api/schema/?format=json").json()["components"]["schemas"]
        field = components["ReactionChoiceRequest"]["properties"]["kind"]
        enum = components[field["allOf"][0]["$ref"].rpartition("/")[2]]["enum"]
        return set(enum), field["description"]

    enabled, description = kind()
    assert enabled == set(ReactionKind.objects.enabled().values_list("key", flat=True))
    assert "Editors switch reactions on and off" in description
    ReactionKind.objects.create(key="shrug", emoji="🤷", label="Shrug")
    ReactionKind.objects.filter(key="love").update(enabled=False)
    enabled, _description = kind()
    assert "shrug" in enabled
    assert "love" not in enabled


# Stories published after the workers started.


def test_story_published_after_start_is_found_under_the_api(api):
    soon = timezone.now() + timedelta(seconds=1)
    story = Article.objects.create(
        headline="Later", slug="later", body="B", status=Article.Status.PUBLISHED, published_at=soon
    )
    for path in ("comments/", "reactions/"):
        assert api.get(f"/api/articles/{story.slug}/{path}").status_code == 404
    Article.objects.filter(pk=story.pk).update(published_at=timezone.now() - timedelta(seconds=1))
    for path in ("", "comments/", "reactions/"):
        assert api.get(f"/api/articles/{story.slug}/{path}").status_code == 200, path


@pytest.mark.parametrize(
    "text", ["Spam\x00here", "\ud83d lone surrogate"], ids=["nul", "surrogate"]
)
def test_report_text_the_database_cannot_store_is_400_naming_the_field(
    api, article, make_comment, text
):
    from comments.models import CommentReport

    target = make_comment(article)
    response = api.post(
        f"/api/comments/{target.pk}/report/",
        json.dumps({"reason": "other", "text": text}),  # ASCII escapes, as a client may send
        content_type="application/json",
    )
    assert_error_shape(response, 400, attr="text")
    assert not CommentReport.objects.exists()


def test_schema_says_free_text_with_a_nul_character_is_refused(api):
    schemas = api.get("/api/schema/?format=json").json()["components"]
    for component, field in [
        ("CommentCreateRequest", "body"),
        ("CommentCreateRequest", "author_name"),
        ("CommentReportRequest", "text"),
    ]:
        assert schemas["schemas"][component]["properties"][field]["pattern"] == "^[^\\x00]*$"
