"""A client that knows nothing but the published schema: every address comes from /api/schema/.

It lists, posts, replies, reacts, likes, reports, edits, deletes and moderates.
"""

import pytest
import requests
from django.test import Client

from comments.models import Comment, ModerationAction

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("post_moderated_site"),
]


class SchemaClient:
    """Call operations by their operationId, the way a generated client would."""

    def __init__(self, base_url):
        self.base_url = base_url
        self.http = requests.Session()
        self.schema = self.http.get(f"{base_url}/api/schema/?format=json").json()

    def operation(self, operation_id):
        for path, operations in self.schema["paths"].items():
            for method, operation in operations.items():
                if operation.get("operationId") == operation_id:
                    return method.upper(), path
        raise AssertionError(f"the schema has no operation {operation_id!r}")

    def call(self, operation_id, path_params=None, **kwargs):
        method, path = self.operation(operation_id)
        url = self.base_url + path.format(**(path_params or {}))
        return self.http.request(method, url, timeout=10, **kwargs)

    def use_csrf_token(self):
        """Cookies identify this client from now on, so its writes carry the CSRF token."""
        token = self.call("getCsrfToken").json()["csrf_token"]
        self.http.headers["X-CSRFToken"] = token


@pytest.fixture
def story(make_article, relaxed_comment_limits):
    return make_article(headline="Schema story", slug="schema-story")


def test_a_client_written_from_the_schema_can_do_what_a_reader_can(live_server, story):
    reader = SchemaClient(live_server.url)
    [listed] = reader.call("listArticles").json()["results"]
    slug = {"slug": listed["slug"]}
    assert reader.call("listComments", slug).json()["results"] == []

    token = reader.call("getCsrfToken").json()["posting_token"]
    posted = reader.call(
        "postComment",
        slug,
        json={"body": "First!", "author_name": "Schema reader", "posting_token": token},
    )
    assert posted.status_code == 201, posted.text
    assert "newsroom_reader" in reader.http.cookies
    reader.use_csrf_token()

    other = SchemaClient(live_server.url)
    token = other.call("getCsrfToken").json()["posting_token"]
    reply = other.call(
        "postComment",
        slug,
        json={
            "body": "A reply",
            "author_name": "Other",
            "parent": posted.json()["id"],
            "posting_token": token,
        },
    )
    assert reply.status_code == 201, reply.text
    [thread] = reader.call("listComments", slug).json()["results"]
    assert [r["body"] for r in thread["replies"]] == ["A reply"]

    key = reader.call("getReactions", slug).json()["reactions"][0]["key"]
    reacted = reader.call("setReaction", slug, json={"kind": key})
    assert reacted.status_code == 200, reacted.text
    assert reacted.json()["choice"] == key
    assert other.call("getReactions", slug).json()["total"] == 1
    assert reader.call("clearReaction", slug).json()["choice"] is None

    reply_id = {"id": reply.json()["id"]}
    liked = reader.call("likeComment", reply_id)
    assert liked.json() == {"liked": True, "like_count": 1}, liked.text
    report = reader.call("reportComment", reply_id, json={"reason": "off_topic"})
    assert report.status_code == 201, report.text
    assert reader.call("reportComment", reply_id, json={"reason": "spam"}).status_code == 409

    mine = {"id": posted.json()["id"]}
    edited = reader.call("editComment", mine, json={"body": "First! (edited)"})
    assert edited.json()["body"] == "First! (edited)", edited.text
    assert reader.call("deleteComment", mine).status_code == 204
    assert Comment.objects.get(pk=mine["id"]).deleted_at is not None


def test_a_client_written_from_the_schema_can_moderate_with_a_session(
    live_server, story, moderator, make_comment
):
    held = make_comment(story, status=Comment.Status.PENDING, body="Is this fine?")
    browser = Client()
    browser.force_login(moderator)
    desk = SchemaClient(live_server.url)
    desk.http.cookies.set("sessionid", browser.cookies["sessionid"].value)
    desk.use_csrf_token()

    queue = desk.call("listModerationQueue", params={"status": "pending", "story": story.slug})
    assert [c["id"] for c in queue.json()["results"]] == [held.pk], queue.text
    approved = desk.call("approveComment", {"id": held.pk}, json={"reason": "Fine"})
    assert approved.json()["status"] == "approved", approved.text
    assert desk.call("rejectComment", {"id": held.pk}, json={}).json()["status"] == "rejected"
    assert desk.call("markCommentSpam", {"id": held.pk}, json={}).json()["status"] == "spam"
    ban = desk.call("banCommentAuthor", {"id": held.pk}, json={"reason": "Spammer"})
    assert ban.status_code == 201, ban.text
    assert ModerationAction.objects.filter(actor=moderator).count() == 4
