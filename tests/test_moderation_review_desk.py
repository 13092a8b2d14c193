"""The review desk for a busy night: urgent first, no double decisions, undo, one at a time."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from comments import moderation
from comments.models import Comment, CommentReport, ModerationAction

pytestmark = pytest.mark.django_db

Status = Comment.Status
Action = ModerationAction.Action
REVIEW = reverse("admin:comments_comment_review")
CHANGELIST = reverse("admin:comments_comment_changelist")


def decide_url(comment):
    return reverse("admin:comments_comment_review_decide", args=[comment.pk])


def undo_url(comment):
    return reverse("admin:comments_comment_review_undo", args=[comment.pk])


def report(comment, n, *, network_prefix="net"):
    for i in range(n):
        CommentReport.objects.create(
            comment=comment,
            reader_key=f"g:{network_prefix}-{comment.pk}-{i}",
            reason="abuse",
            text=f"reason {i}",
            network_hash=f"{network_prefix}{i}",
        )


@pytest.fixture
def night_queue(desk_comment):
    """Held comments of every kind, posted in an order that is not their urgency."""
    now = timezone.now()

    def held(name, rule, minutes_ago):
        return desk_comment(
            status=Status.PENDING,
            author_name=name,
            body=f"{name} writes",
            moderation_rule=rule,
            created_at=now - timedelta(minutes=minutes_ago),
        )

    made = {
        "premod_oldest": held("Pat", "premoderation", 60),
        "first_timer": held("Fay", "first_timer", 50),
        "link": held("Lin", "links", 40),
        "suspect": held("Sue", "suspect_words", 30),
        "one_network": held("Ona", "reports", 20),
        "three_networks": held("Tri", "reports", 10),
    }
    report(made["one_network"], 3, network_prefix="same")  # three reports, one network...
    CommentReport.objects.filter(comment=made["one_network"]).update(network_hash="same")
    report(made["three_networks"], 3)
    return made


def test_pending_queue_puts_most_reported_then_suspect_then_first_timers_first(night_queue):
    ordered = list(Comment.objects.in_moderation().by_priority())
    assert [c.author_name for c in ordered] == ["Tri", "Ona", "Lin", "Sue", "Fay", "Pat"]


def test_desk_list_opens_in_priority_order(admin_client, night_queue):
    response = admin_client.get(CHANGELIST)
    names = [c.author_name for c in response.context["cl"].result_list]
    assert names == ["Tri", "Ona", "Lin", "Sue", "Fay", "Pat"]


def test_comment_deleted_by_its_author_leaves_the_pending_queue(admin_client, desk_comment):
    desk_comment(status=Status.PENDING, body="still waiting")
    desk_comment(status=Status.PENDING, body="author deleted", deleted_at=timezone.now())
    response = admin_client.get(CHANGELIST)
    assert [c.body for c in response.context["cl"].result_list] == ["still waiting"]
    assert "Pending (1)" in response.text


def test_story_filter_lists_stories_by_waiting_comments(
    admin_client, desk_comment, make_article, article
):
    busy = make_article(headline="The contested vote", slug="contested-vote")
    for _ in range(3):
        desk_comment(status=Status.PENDING, article=busy)
    desk_comment(status=Status.PENDING)
    response = admin_client.get(CHANGELIST)
    story_filter = next(
        spec for spec in response.context["cl"].filter_specs if spec.parameter_name == "article"
    )
    assert [title for _value, title in story_filter.lookup_choices][:2] == [
        "The contested vote (3)",
        f"{article.headline} (1)",
    ]


@pytest.fixture
def second_moderator(django_user_model):
    return django_user_model.objects.create_superuser("night-editor", password="pw-for-tests")


def test_second_moderator_gets_already_decided_and_nothing_changes(
    admin_client, admin_user, second_moderator, desk_comment
):
    comment = desk_comment(status=Status.PENDING)
    other = Client()
    other.force_login(second_moderator)
    # Both loaded it as pending; the other moderator rejects first.
    first = other.post(
        decide_url(comment),
        {"decision": "reject", "expected_status": "pending"},
        headers={"accept": "application/json"},
    )
    assert first.status_code == 200
    second = admin_client.post(
        decide_url(comment),
        {"decision": "approve", "expected_status": "pending"},
        headers={"accept": "application/json"},
    )
    assert second.status_code == 409
    assert second.json()["code"] == "already_decided"
    assert "Already decided by night-editor" in second.json()["detail"]
    comment.refresh_from_db()
    assert comment.status == Status.REJECTED
    assert comment.decided_by == second_moderator
    assert ModerationAction.objects.filter(comment=comment).count() == 1


def test_row_button_of_a_comment_decided_since_changes_nothing(
    admin_client, second_moderator, desk_comment
):
    comment = desk_comment(status=Status.PENDING)
    moderation.comment_moderate(
        comments=Comment.objects.filter(pk=comment.pk), status=Status.SPAM, actor=second_moderator
    )
    url = reverse("admin:comments_comment_moderate", args=[comment.pk, "approved"])
    response = admin_client.post(f"{url}?expected=pending", follow=True)
    assert "Already decided by night-editor" in response.text
    comment.refresh_from_db()
    assert comment.status == Status.SPAM


def test_keep_after_another_moderator_kept_says_already_decided(
    admin_client, second_moderator, desk_comment
):
    comment = desk_comment(status=Status.APPROVED)
    report(comment, 1)
    moderation.comment_keep(comments=Comment.objects.filter(pk=comment.pk), actor=second_moderator)
    response = admin_client.post(
        decide_url(comment),
        {"decision": "keep", "expected_status": "approved"},
        headers={"accept": "application/json"},
    )
    assert response.status_code == 409
    assert "night-editor" in response.json()["detail"]
    assert ModerationAction.objects.filter(comment=comment, action=Action.KEEP).count() == 1


def test_api_decision_with_expected_status_answers_409_already_decided(
    admin_user, second_moderator, desk_comment
):
    from rest_framework.test import APIClient

    comment = desk_comment(status=Status.PENDING)
    moderation.comment_moderate(
        comments=Comment.objects.filter(pk=comment.pk),
        status=Status.APPROVED,
        actor=second_moderator,
    )
    api = APIClient()
    api.force_authenticate(admin_user)
    response = api.post(
        f"/api/moderation/comments/{comment.pk}/reject/",
        {"expected_status": "pending"},
        format="json",
    )
    assert response.status_code == 409
    assert response.json()["errors"][0]["code"] == "already_decided"
    comment.refresh_from_db()
    assert comment.status == Status.APPROVED


def test_undo_puts_the_comment_back_as_it_was_and_is_audited(admin_client, desk_comment):
    comment = desk_comment(
        status=Status.PENDING, moderation_rule="suspect_words", moderation_reason="Held: x"
    )
    ModerationAction.objects.create(
        comment=comment, action=Action.HOLD, rule="suspect_words", to_status=Status.PENDING,
        reason="Held: x", created_at=timezone.now() - timedelta(minutes=1),
    )  # fmt: skip
    admin_client.post(decide_url(comment), {"decision": "reject", "expected_status": "pending"})
    response = admin_client.post(undo_url(comment), headers={"accept": "application/json"})
    assert response.status_code == 200
    comment.refresh_from_db()
    assert comment.status == Status.PENDING
    assert comment.moderation_rule == "suspect_words"
    undo = ModerationAction.objects.get(action=Action.UNDO)
    assert (undo.from_status, undo.to_status) == (Status.REJECTED, Status.PENDING)
    assert undo.undoes.action == Action.REJECT
    # Undone once: a second undo has nothing left to take back.
    again = admin_client.post(undo_url(comment), headers={"accept": "application/json"})
    assert again.status_code == 409


def test_undo_of_keep_reopens_the_reports_and_hides_the_comment_again(admin_client, desk_comment):
    comment = desk_comment(status=Status.PENDING, moderation_rule="reports")
    report(comment, 3)
    admin_client.post(decide_url(comment), {"decision": "keep", "expected_status": "pending"})
    comment.refresh_from_db()
    assert comment.status == Status.APPROVED
    admin_client.post(undo_url(comment))
    comment.refresh_from_db()
    assert comment.status == Status.PENDING
    assert CommentReport.objects.filter(comment=comment).unresolved().count() == 3


def test_undo_is_refused_after_the_window(admin_client, admin_user, desk_comment):
    comment = desk_comment(status=Status.PENDING)
    admin_client.post(decide_url(comment), {"decision": "approve"})
    ModerationAction.objects.update(
        created_at=timezone.now() - timedelta(seconds=moderation.UNDO_SECONDS + 1)
    )
    response = admin_client.post(undo_url(comment), headers={"accept": "application/json"})
    assert response.status_code == 409
    comment.refresh_from_db()
    assert comment.status == Status.APPROVED


def test_undo_after_another_moderator_decided_again_changes_nothing(
    admin_client, second_moderator, desk_comment
):
    comment = desk_comment(status=Status.PENDING)
    admin_client.post(decide_url(comment), {"decision": "approve", "expected_status": "pending"})
    moderation.comment_moderate(
        comments=Comment.objects.filter(pk=comment.pk), status=Status.SPAM, actor=second_moderator
    )
    response = admin_client.post(undo_url(comment), headers={"accept": "application/json"})
    assert response.status_code == 409
    comment.refresh_from_db()
    assert comment.status == Status.SPAM


def test_pick_approves_and_features(admin_client, desk_comment):
    comment = desk_comment(status=Status.PENDING)
    admin_client.post(decide_url(comment), {"decision": "pick", "expected_status": "pending"})
    comment.refresh_from_db()
    assert (comment.status, comment.is_featured) == (Status.APPROVED, True)


def test_review_page_shows_the_comment_with_its_context(admin_client, desk_comment, night_queue):
    parent = desk_comment(status=Status.APPROVED, author_name="Ann", body="The parent text")
    top = night_queue["three_networks"]
    Comment.objects.filter(pk=top.pk).update(parent=parent, thread=parent, depth=1)
    response = admin_client.get(REVIEW + "?queue=pending")
    text = response.text
    assert "Tri writes" in text and "The parent text" in text
    assert "reason 0" in text  # its reports, with their reasons
    assert "<code>reports</code>" in text  # the rule that held it
    assert 'data-action="keep"' in text
    assert "1 of 6" in text


def test_review_queries_do_not_grow_with_the_queue(
    admin_client, desk_comment, django_assert_max_num_queries
):
    def load():
        return admin_client.get(REVIEW + "?queue=pending")

    for _ in range(3):
        desk_comment(status=Status.PENDING)
    load()
    with django_assert_max_num_queries(18):
        load()
    for _ in range(60):
        desk_comment(status=Status.PENDING, reader_key="g:other")
    with django_assert_max_num_queries(18):
        assert load().status_code == 200


def test_review_without_javascript_decides_and_shows_the_next(admin_client, night_queue):
    first = night_queue["three_networks"]
    response = admin_client.post(
        decide_url(first) + "?queue=pending",
        {"decision": "reject", "expected_status": "pending"},
        follow=True,
    )
    assert "Rejected the comment by Tri." in response.text
    assert response.context["comment"] == night_queue["one_network"]


def test_counts_endpoint_names_comments_decided_elsewhere(admin_client, night_queue):
    url = reverse("admin:comments_comment_review_counts")
    ids = [c.pk for c in night_queue.values()]
    Comment.objects.filter(pk=night_queue["link"].pk).update(status=Status.APPROVED)
    data = admin_client.get(url, {"queue": "pending", "ids": ",".join(map(str, ids))}).json()
    assert data["gone"] == [night_queue["link"].pk]
    assert data["counts"]["pending"] == 5


@pytest.mark.parametrize(
    "body", [{"decision": "delete"}, {"decision": "approve", "expected_status": "gone"}, {}]
)
def test_junk_decisions_are_refused_not_crashed(admin_client, desk_comment, body):
    comment = desk_comment(status=Status.PENDING)
    response = admin_client.post(decide_url(comment), body, headers={"accept": "application/json"})
    assert response.status_code == 400
    comment.refresh_from_db()
    assert comment.status == Status.PENDING


def test_staff_without_the_moderation_permission_cannot_review(client, django_user_model):
    clerk = django_user_model.objects.create_user("clerk", password="pw", is_staff=True)
    client.force_login(clerk)
    assert client.get(REVIEW).status_code == 403
