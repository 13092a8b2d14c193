"""An author's edit never launders a decision, and every earlier text stays for the desk."""

import json

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from comments import moderation, services
from comments.models import Ban, Comment, CommentReport, CommentRevision, ModerationSettings
from comments.moderation import CommentRefused
from comments.readers import Reader

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("relaxed_comment_limits", "post_moderated_site"),
]

Status = Comment.Status


@pytest.fixture
def words():
    config = ModerationSettings.load()
    config.banned_words = "moron"
    config.suspect_words = "crypto"
    config.save()
    return config


@pytest.fixture
def author(client, article, comment_data):
    """A guest who posted one comment from the story page; their browser keeps the cookie."""
    client.post(
        reverse("comment_post", kwargs={"slug": article.slug}),
        comment_data(article, body="The bridge looks fine to me."),
    )
    client.comment = Comment.objects.get()
    return client


def author_of(comment):
    """The author as the write path knows them (the browser's cookie names the same key)."""
    return Reader(key=comment.reader_key, ip="203.0.113.7")


def edit_by_form(client, comment, body):
    return client.post(reverse("comment_edit", args=[comment.pk]), {"body": body})


def edit_by_api(client, comment, body):
    return client.patch(
        f"/api/comments/{comment.pk}/", json.dumps({"body": body}), content_type="application/json"
    )


EDIT_PATHS = pytest.mark.parametrize("edit", [edit_by_form, edit_by_api], ids=["form", "api"])


def hold_by_reports(comment):
    """Leave the comment as the report threshold does: three open reports, hidden pending review."""
    for n in range(3):
        CommentReport.objects.create(
            comment=comment,
            reader_key=f"g:reporter-{n}",
            reason="abuse",
            body_at_report=comment.body,
        )
    Comment.objects.filter(pk=comment.pk).update(
        status=Status.PENDING, moderation_rule="reports", report_count=3
    )


def shown_to_other_readers(comment):
    page = Client().get(comment.article.get_absolute_url()).content.decode()
    return comment.body in page


# An edit can only make the status stricter


def hold(comment, held_by, moderator):
    """Hold a visible comment the way a moderator, the reports or the first-timer rule does."""
    if held_by == "moderator":
        moderation.comment_moderate(
            comments=Comment.objects.filter(pk=comment.pk), status=Status.PENDING, actor=moderator
        )
    elif held_by == "reports":
        hold_by_reports(comment)
    else:
        Comment.objects.filter(pk=comment.pk).update(
            status=Status.PENDING, moderation_rule="first_timer"
        )
    comment.refresh_from_db()


@EDIT_PATHS
@pytest.mark.parametrize("held_by", ["moderator", "reports", "first_timer"])
def test_a_held_comment_stays_held_after_its_author_edits_it(
    edit, held_by, author, moderator, article, settings, make_comment
):
    settings.NEWSROOM = {**settings.NEWSROOM, "MODERATION_MODE": "first"}
    comment = author.comment
    hold(comment, held_by, moderator)
    held = (comment.moderation_rule, comment.moderation_reason, comment.decided_by)
    # Another of their comments is approved meanwhile: the rules alone would now publish the edit.
    make_comment(article, reader_key=comment.reader_key, body="An earlier approved remark")
    response = edit(author, comment, "Nothing to see here, editors.")
    assert response.status_code in {200, 302}
    comment.refresh_from_db()
    assert comment.body == "Nothing to see here, editors."
    assert comment.status == Status.PENDING
    assert (comment.moderation_rule, comment.moderation_reason, comment.decided_by) == held
    assert not shown_to_other_readers(comment)


@EDIT_PATHS
@pytest.mark.parametrize("status", [Status.REJECTED, Status.SPAM])
def test_a_rejected_comment_cannot_be_edited(edit, author, moderator, status):
    comment = author.comment
    moderation.comment_moderate(
        comments=Comment.objects.filter(pk=comment.pk), status=status, actor=moderator
    )
    response = edit(author, comment, "Please publish me now.")
    assert response.status_code == 404
    comment.refresh_from_db()
    assert comment.body == "The bridge looks fine to me." and comment.status == status
    with pytest.raises(ValidationError, match="not published"):
        services.comment_edit(comment=comment, reader=author_of(comment), body="Please publish")
    assert not CommentRevision.objects.exists()


@EDIT_PATHS
def test_an_edit_adding_a_banned_word_rejects_the_comment(edit, author, words):
    comment = author.comment
    edit(author, comment, "Whoever closed it is a moron.")
    comment.refresh_from_db()
    assert (comment.status, comment.moderation_rule) == (Status.REJECTED, "banned_words")
    assert comment.actions.filter(from_status="approved", to_status="rejected").exists()
    assert not shown_to_other_readers(comment)


@EDIT_PATHS
def test_an_edit_adding_a_suspect_word_holds_the_comment(edit, author, words, moderator):
    comment = author.comment
    # Approved by a person or a rule alike: the new text is judged again.
    moderation.comment_moderate(
        comments=Comment.objects.filter(pk=comment.pk), status=Status.APPROVED, actor=moderator
    )
    edit(author, comment, "Pay the toll in crypto.")
    comment.refresh_from_db()
    assert (comment.status, comment.moderation_rule) == (Status.PENDING, "suspect_words")
    assert comment.decided_by is None
    assert not shown_to_other_readers(comment)


@EDIT_PATHS
def test_a_clean_edit_of_a_visible_comment_stays_visible(edit, author, words):
    comment = author.comment
    edit(author, comment, "The bridge looks fine to me, mostly.")
    comment.refresh_from_db()
    assert comment.status == Status.APPROVED and shown_to_other_readers(comment)


@EDIT_PATHS
def test_a_comment_deleted_by_its_author_cannot_be_edited(edit, author):
    comment = author.comment
    services.comment_delete(comment=comment, reader=author_of(comment))
    response = edit(author, comment, "Back from the dead.")
    assert response.status_code == 400
    comment.refresh_from_db()
    assert comment.body == "The bridge looks fine to me."


def test_an_edit_does_not_undo_a_rejection_made_while_the_author_was_typing(author, moderator):
    stale = author.comment  # what the author's request loaded
    moderation.comment_moderate(
        comments=Comment.objects.filter(pk=stale.pk), status=Status.REJECTED, actor=moderator
    )
    with pytest.raises(ValidationError, match="not published"):
        services.comment_edit(comment=stale, reader=author_of(stale), body="Sneaked in.")
    fresh = Comment.objects.get(pk=stale.pk)
    assert (fresh.status, fresh.body) == (Status.REJECTED, "The bridge looks fine to me.")


def test_an_edit_does_not_unhide_a_comment_hidden_while_the_author_was_typing(author):
    stale = author.comment
    hold_by_reports(stale)
    services.comment_edit(comment=stale, reader=author_of(stale), body="Sneaked in.")
    fresh = Comment.objects.get(pk=stale.pk)
    assert (fresh.status, fresh.body) == (Status.PENDING, "Sneaked in.")


def test_strictness_orders_the_statuses():
    assert Comment.stricter_status(Status.APPROVED, Status.PENDING) == Status.PENDING
    assert Comment.stricter_status(Status.PENDING, Status.APPROVED) == Status.PENDING
    assert Comment.stricter_status(Status.PENDING, Status.REJECTED) == Status.REJECTED
    assert Comment.stricter_status(Status.SPAM, Status.REJECTED) == Status.SPAM


# Every earlier text is kept


@EDIT_PATHS
def test_each_edit_keeps_the_text_it_replaced(edit, author):
    comment = author.comment
    edit(author, comment, "Second wording.")
    edit(author, comment, "Third wording.")
    edit(author, comment, "Third wording.")  # no change, no revision
    revisions = list(comment.revisions.all())
    assert [r.body for r in revisions] == ["Second wording.", "The bridge looks fine to me."]
    assert {r.status for r in revisions} == {Status.APPROVED}
    assert {r.reader_key for r in revisions} == {comment.reader_key}
    assert revisions[0].created_at >= revisions[1].created_at


def test_a_refused_edit_changes_nothing_and_keeps_no_revision(author):
    comment = author.comment
    Ban.objects.create(kind=Ban.Kind.READER, value=comment.reader_key, reason="Trolling")
    with pytest.raises(CommentRefused):
        services.comment_edit(comment=comment, reader=author_of(comment), body="Still here.")
    comment.refresh_from_db()
    assert comment.body == "The bridge looks fine to me." and not comment.revisions.exists()


def test_a_report_keeps_the_text_as_it_was_reported(author, article):
    comment = author.comment
    report = services.comment_report(
        comment=comment, reader=Reader(key="g:reporter", ip="198.51.100.4"), reason="abuse"
    )
    services.comment_edit(comment=comment, reader=author_of(comment), body="Softened afterwards.")
    report.refresh_from_db()
    assert report.body_at_report == "The bridge looks fine to me."


def test_moderators_see_the_history_and_reported_text_on_the_admin_page(author, admin_client):
    comment = author.comment
    services.comment_report(
        comment=comment, reader=Reader(key="g:reporter", ip="198.51.100.4"), reason="abuse"
    )
    services.comment_edit(comment=comment, reader=author_of(comment), body="Second wording.")
    services.comment_edit(comment=comment, reader=author_of(comment), body="Third wording.")
    page = admin_client.get(reverse("admin:comments_comment_change", args=[comment.pk])).text
    assert "Third wording." in page
    history = page[page.index("Earlier texts") :]
    assert history.index("Second wording.") < history.index("The bridge looks fine to me.")
    reports = page[page.index("Reports from readers") :]
    assert "The bridge looks fine to me." in reports


def test_the_admin_status_form_still_saves_with_the_history_shown(author, admin_client):
    comment = author.comment
    services.comment_edit(comment=comment, reader=author_of(comment), body="Second wording.")
    admin_client.post(
        reverse("admin:comments_comment_change", args=[comment.pk]),
        {"status": "rejected", "reports-TOTAL_FORMS": "0", "reports-INITIAL_FORMS": "0"},
    )
    comment.refresh_from_db()
    assert comment.status == Status.REJECTED


def test_moderation_api_lists_revisions_and_reported_text(author, moderator):
    comment = author.comment
    services.comment_report(
        comment=comment, reader=Reader(key="g:reporter", ip="198.51.100.4"), reason="abuse"
    )
    services.comment_edit(comment=comment, reader=author_of(comment), body="Second wording.")
    desk = APIClient()
    desk.force_login(moderator)
    [listed] = desk.get("/api/moderation/comments/?status=reported").json()["results"]
    assert listed["body"] == "Second wording."
    assert [r["body"] for r in listed["revisions"]] == ["The bridge looks fine to me."]
    assert listed["revisions"][0]["status"] == "approved"
    assert [r["body_at_report"] for r in listed["reports"]] == ["The bridge looks fine to me."]
    assert "reader_key" not in json.dumps(listed)
    decided = desk.post(f"/api/moderation/comments/{comment.pk}/reject/", {}, format="json")
    assert [r["body"] for r in decided.json()["revisions"]] == ["The bridge looks fine to me."]


@pytest.fixture
def api_schema():
    return APIClient().get("/api/schema/?format=json").json()


def test_the_schema_describes_revisions_and_reported_text(api_schema):
    moderated = api_schema["components"]["schemas"]["ModerationComment"]["properties"]
    assert moderated["revisions"]["type"] == "array"
    assert moderated["reports"]["type"] == "array"
    revision = api_schema["components"]["schemas"]["CommentRevision"]["properties"]
    assert {"body", "status", "created_at"} <= set(revision)
    # One enum names every status, for the comment and its earlier texts alike.
    assert revision["status"]["allOf"] == moderated["status"]["allOf"]
    assert moderated["status"]["allOf"] == [
        {"$ref": "#/components/schemas/ModerationCommentStatusEnum"}
    ]
    report = api_schema["components"]["schemas"]["ModerationReport"]["properties"]
    assert "body_at_report" in report


def test_readers_see_only_the_latest_text_and_that_it_was_edited(author, article):
    comment = author.comment
    services.comment_edit(comment=comment, reader=author_of(comment), body="Second wording.")
    for client in (Client(), author):
        page = client.get(article.get_absolute_url()).content.decode()
        assert "Second wording." in page and "edited" in page
        assert "The bridge looks fine to me." not in page
        for url in (f"/api/articles/{article.slug}/comments/", f"/api/comments/{comment.pk}/"):
            text = client.get(url).content.decode()
            assert "Second wording." in text and "edited_at" in text
            assert "The bridge looks fine to me." not in text and "revisions" not in text


def test_an_edit_costs_a_fixed_number_of_queries(author, django_assert_max_num_queries):
    comment = author.comment
    edit_by_api(author, comment, "Warm the statements.")
    # The comment; the ban and repeated-text rules; a savepoint, the locked re-read, the update,
    # the revision, the story's page version and the release; the reader's like. Revisions added
    # two (the re-read and the revision); a change of status adds the audit row. The emails the
    # reader typed before (an email ban reaches a guest through them) add one.
    with django_assert_max_num_queries(11):
        assert edit_by_api(author, comment, "Second wording.").status_code == 200


@EDIT_PATHS
def test_keep_cannot_publish_held_text_edited_into_a_comment_the_reports_hid(
    edit, author, words, moderator
):
    comment = author.comment
    hold_by_reports(comment)
    edit(author, comment, "Pay the toll in crypto.")
    moderation.comment_keep(comments=Comment.objects.filter(pk=comment.pk), actor=moderator)
    comment.refresh_from_db()
    assert (comment.status, comment.moderation_rule) == (Status.PENDING, "suspect_words")
    assert not shown_to_other_readers(comment)


@EDIT_PATHS
def test_a_loop_of_edits_is_stopped_by_the_comment_rate(edit, author, settings):
    settings.NEWSROOM = {**settings.NEWSROOM, "COMMENT_RATE": "3/m"}
    comment = author.comment
    answers = [edit(author, comment, f"Version {n}").status_code for n in range(5)]
    assert answers[:3] != [429] * 3 and answers[3:] == [429, 429]
    comment.refresh_from_db()
    assert comment.body == "Version 2" and comment.revisions.count() == 3
