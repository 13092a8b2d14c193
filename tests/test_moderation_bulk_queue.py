"""An editor clears a queue of 500 pending comments with one bulk action."""

import pytest
from django.urls import reverse

from comments.models import Comment, ModerationAction

pytestmark = pytest.mark.django_db

Status = Comment.Status
COMMENTS = reverse("admin:comments_comment_changelist")


@pytest.fixture
def queue(article):
    Comment.objects.bulk_create(
        Comment(
            article=article,
            reader_key=f"g:{n}",
            author_name=f"Reader {n}",
            body=f"Comment number {n}",
            status=Status.PENDING,
        )
        for n in range(500)
    )


def test_editor_approves_500_pending_comments_in_one_action(
    admin_client, admin_user, queue, django_assert_max_num_queries
):
    page = admin_client.get(COMMENTS)
    assert "Pending (500)" in page.text
    with django_assert_max_num_queries(25):  # the same for 5 or 5,000 comments
        response = admin_client.post(
            COMMENTS + "?queue=pending",
            {
                "action": "approve_comments",
                "select_across": "1",
                "index": "0",
                "_selected_action": list(
                    Comment.objects.values_list("pk", flat=True)[:50]
                ),  # the visible page, as the browser sends it
            },
        )
    assert response.status_code == 302
    assert "Approved 500 comments." in admin_client.get(response["Location"]).text
    assert not Comment.objects.pending().exists()
    assert ModerationAction.objects.filter(actor=admin_user, action="approve").count() == 500


def test_editor_rejects_a_hand_picked_page_of_the_queue(admin_client, queue):
    chosen = list(Comment.objects.values_list("pk", flat=True)[:50])
    admin_client.post(COMMENTS, {"action": "reject_comments", "_selected_action": chosen})
    assert Comment.objects.filter(status=Status.REJECTED).count() == 50
    assert Comment.objects.pending().count() == 450
