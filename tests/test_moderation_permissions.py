"""Who may do what: moderators moderate, editors also publish, readers never reach the admin."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from articles.models import Article
from comments.models import Comment, ModerationAction

pytestmark = pytest.mark.django_db

Status = Comment.Status
COMMENTS = reverse("admin:comments_comment_changelist")
ARTICLES = reverse("admin:articles_article_changelist")


def codenames(name):
    return set(Group.objects.get(name=name).permissions.values_list("codename", flat=True))


def test_groups_are_created_with_moderation_and_publishing_rights():
    moderators, editors = codenames("Moderators"), codenames("Editors")
    assert {"moderate_comment", "add_ban", "view_moderationaction"} <= moderators
    assert "change_article" not in moderators and "add_article" not in moderators
    assert moderators < editors
    assert {"add_article", "change_article"} <= editors
    assert "change_moderationaction" not in editors and "delete_moderationaction" not in editors
    assert "change_classifier" in editors and "change_classifier" not in moderators


def test_moderator_approves_from_the_desk(client, moderator, desk_comment):
    comment = desk_comment(status=Status.PENDING)
    client.force_login(moderator)
    assert client.get(COMMENTS).status_code == 200
    client.post(COMMENTS, {"action": "approve_comments", "_selected_action": [comment.pk]})
    comment.refresh_from_db()
    assert comment.status == Status.APPROVED
    assert ModerationAction.objects.get().actor == moderator


def test_moderator_cannot_publish_or_edit_stories(client, moderator, make_article):
    draft = make_article(status=Article.Status.DRAFT, published_at=None)
    client.force_login(moderator)
    assert client.get(ARTICLES).status_code == 200  # may look
    client.post(ARTICLES, {"action": "publish_now", "_selected_action": [draft.pk]})
    draft.refresh_from_db()
    assert draft.status == Article.Status.DRAFT
    change = reverse("admin:articles_article_change", args=[draft.pk])
    assert client.post(change, {"headline": "Hijacked"}).status_code == 403
    assert client.get(reverse("admin:articles_article_add")).status_code == 403


def test_editor_publishes_and_moderates(client, editor, make_article, desk_comment):
    draft = make_article(status=Article.Status.DRAFT, published_at=None)
    comment = desk_comment(status=Status.PENDING)
    client.force_login(editor)
    client.post(ARTICLES, {"action": "publish_now", "_selected_action": [draft.pk]})
    draft.refresh_from_db()
    assert draft.status == Article.Status.PUBLISHED
    url = reverse("admin:comments_comment_moderate", args=[comment.pk, "rejected"])
    client.post(url)
    comment.refresh_from_db()
    assert comment.status == Status.REJECTED


def test_staff_without_moderation_rights_cannot_use_one_click(
    client, django_user_model, desk_comment
):
    clerk = django_user_model.objects.create_user("clerk", is_staff=True)
    comment = desk_comment(status=Status.PENDING)
    client.force_login(clerk)
    url = reverse("admin:comments_comment_moderate", args=[comment.pk, "approved"])
    assert client.post(url).status_code == 403
    assert client.post(reverse("admin:comments_comment_ban", args=[comment.pk])).status_code == 403
    comment.refresh_from_db()
    assert comment.status == Status.PENDING


@pytest.mark.parametrize(
    "url",
    [
        reverse("admin:index"),
        COMMENTS,
        reverse("admin:comments_dashboard"),
        reverse("admin:comments_moderationaction_changelist"),
    ],
)
def test_readers_never_reach_the_admin(client, django_user_model, url):
    reader = django_user_model.objects.create_user("reader", password="pw")
    client.force_login(reader)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_reader_cannot_moderate_by_posting_to_the_desk(client, django_user_model, desk_comment):
    comment = desk_comment(status=Status.PENDING)
    reader = django_user_model.objects.create_user("reader", password="pw")
    client.force_login(reader)
    client.post(reverse("admin:comments_comment_moderate", args=[comment.pk, "approved"]))
    comment.refresh_from_db()
    assert comment.status == Status.PENDING
