import pytest
from django.contrib.auth import get_user_model
from rest_framework.test import APIClient

from comments.models import Ban, Comment, CommentReport, ModerationAction

pytestmark = pytest.mark.django_db

QUEUE = "/api/moderation/comments/"


@pytest.fixture
def desk(moderator):
    client = APIClient()
    client.force_login(moderator)
    return client


def test_readers_and_anonymous_clients_cannot_reach_the_desk(article, make_comment):
    comment = make_comment(article, status=Comment.Status.PENDING)
    reader = APIClient()
    reader.force_login(get_user_model().objects.create_user("reader", password="pw"))
    staff_without_permission = APIClient()
    staff_without_permission.force_login(
        get_user_model().objects.create_user("intern", password="pw", is_staff=True)
    )
    for client in (APIClient(), reader, staff_without_permission):
        assert client.get(QUEUE).status_code == 403
        response = client.post(f"{QUEUE}{comment.pk}/approve/", {}, format="json")
        assert response.status_code == 403
        assert response.json()["errors"][0]["code"] == "permission_denied"
    assert Comment.objects.get(pk=comment.pk).status == Comment.Status.PENDING


def test_queue_lists_held_comments_by_story_oldest_first(desk, article, make_article, make_comment):
    other = make_article()
    held = [
        make_comment(article, status=Comment.Status.PENDING, body=f"Held {n}") for n in range(2)
    ]
    make_comment(other, status=Comment.Status.PENDING)
    make_comment(article)
    response = desk.get(f"{QUEUE}?status=pending&story={article.slug}")
    assert response.status_code == 200
    assert [c["id"] for c in response.json()["results"]] == [c.pk for c in held]
    assert response.json()["results"][0]["story"] == article.slug
    assert "someone@example.com" not in response.content.decode()


def test_queue_shows_the_parent_for_context(desk, article, make_comment):
    parent = make_comment(article, body="The original point")
    make_comment(article, parent=parent, status=Comment.Status.PENDING)
    [reply] = desk.get(QUEUE).json()["results"]
    assert reply["parent_body"] == "The original point"


def test_queue_runs_a_fixed_number_of_queries(
    desk, article, make_comment, django_assert_max_num_queries
):
    for _ in range(30):
        parent = make_comment(article)
        make_comment(article, parent=parent, status=Comment.Status.PENDING)
    # Session, user, the user's and their groups' permissions, the page itself, then its
    # comments' earlier texts and reports.
    with django_assert_max_num_queries(7):
        assert len(desk.get(f"{QUEUE}?page_size=30").json()["results"]) == 30


def test_queue_rejects_an_unknown_status(desk):
    response = desk.get(f"{QUEUE}?status=maybe")
    assert response.status_code == 400
    assert response.json()["errors"][0]["attr"] == "status"


@pytest.mark.parametrize(
    ("action", "status"),
    [("approve", "approved"), ("reject", "rejected"), ("spam", "spam")],
)
def test_moderator_decides_and_the_audit_log_records_it(
    desk, moderator, article, make_comment, action, status
):
    comment = make_comment(article, status=Comment.Status.PENDING)
    response = desk.post(f"{QUEUE}{comment.pk}/{action}/", {"reason": "Checked"}, format="json")
    assert response.status_code == 200
    assert response.json()["status"] == status
    assert Comment.objects.get(pk=comment.pk).status == status
    entry = ModerationAction.objects.get(comment=comment, actor=moderator)
    assert (entry.from_status, entry.to_status, entry.reason) == ("pending", status, "Checked")


def test_approving_a_reported_comment_dismisses_its_reports(desk, article, make_comment):
    comment = make_comment(article)
    CommentReport.objects.create(comment=comment, reader_key="g:r", reason="abuse")
    assert [c["id"] for c in desk.get(f"{QUEUE}?status=reported").json()["results"]] == [comment.pk]
    assert desk.post(f"{QUEUE}{comment.pk}/approve/", {}, format="json").status_code == 200
    assert desk.get(f"{QUEUE}?status=reported").json()["results"] == []


def test_moderator_bans_a_reader_and_rejects_their_past_comments(
    desk, moderator, article, make_comment
):
    first = make_comment(article, reader_key="g:troll")
    second = make_comment(article, reader_key="g:troll")
    response = desk.post(
        f"{QUEUE}{second.pk}/ban/",
        {"kind": "reader", "reason": "Trolling", "days": 7, "reject_past": True},
        format="json",
    )
    assert response.status_code == 201
    assert response.json()["rejected"] == 2
    assert response.json()["expires_at"]
    ban = Ban.objects.get()
    assert (ban.kind, ban.value, ban.created_by) == ("reader", "g:troll", moderator)
    assert set(
        Comment.objects.filter(pk__in=[first.pk, second.pk]).values_list("status", flat=True)
    ) == {"rejected"}
    assert ModerationAction.objects.filter(action="ban", actor=moderator).exists()


def test_email_ban_needs_an_email_on_the_comment(desk, article, make_comment):
    comment = make_comment(article, author_email="")
    response = desk.post(
        f"{QUEUE}{comment.pk}/ban/", {"kind": "email", "reason": "Spam"}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["attr"] == "kind"
    assert not Ban.objects.exists()


def test_moderator_session_writes_need_the_csrf_token(moderator, article, make_comment):
    comment = make_comment(article, status=Comment.Status.PENDING)
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(moderator)
    assert client.post(f"{QUEUE}{comment.pk}/approve/", {}, format="json").status_code == 403
    assert Comment.objects.get(pk=comment.pk).status == Comment.Status.PENDING
