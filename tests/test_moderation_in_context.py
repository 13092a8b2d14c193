"""The desk in context: reader notes on each queue row, and a held comment seen where it sits."""

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from comments.models import Comment, ModerationAction, ReaderProfile

pytestmark = pytest.mark.django_db

Status = Comment.Status
CHANGELIST = reverse("admin:comments_comment_changelist")


def in_place_url(comment):
    return reverse("admin:comments_comment_in_place", args=[comment.pk])


def moderate_url(comment, status):
    return reverse("admin:comments_comment_moderate", args=[comment.pk, status])


# Moderator notes on the queue


def held_with_notes(desk_comment, n, *, start=0):
    for i in range(start, start + n):
        desk_comment(status=Status.PENDING, reader_key=f"g:noted-{i}", body=f"Held {i}")
        ReaderProfile.objects.create(reader_key=f"g:noted-{i}", notes=f"Warned on {i} March.")


def test_queue_row_shows_the_authors_moderator_notes(admin_client, desk_comment):
    desk_comment(status=Status.PENDING, reader_key="g:troll", body="Held again")
    ReaderProfile.objects.create(reader_key="g:troll", notes="Second warning sent, 3 March.")
    desk_comment(status=Status.PENDING, reader_key="g:quiet", body="No notes on me")

    html = admin_client.get(CHANGELIST).content.decode()

    assert "Second warning sent, 3 March." in html
    assert html.count("desk-notes-line") == 1


def test_long_moderator_notes_are_cut_short_on_the_row(admin_client, desk_comment):
    desk_comment(status=Status.PENDING, reader_key="g:long")
    ReaderProfile.objects.create(reader_key="g:long", notes="Start of notes. " + "x" * 500)

    html = admin_client.get(CHANGELIST).content.decode()

    assert "Start of notes." in html
    assert "x" * 300 not in html


def test_queue_notes_cost_no_query_per_row(
    admin_client, desk_comment, django_assert_max_num_queries
):
    held_with_notes(desk_comment, 3)
    admin_client.get(CHANGELIST)  # warm the session and content types
    with CaptureQueriesContext(connection) as few:
        assert "Warned on 2 March." in admin_client.get(CHANGELIST).content.decode()
    held_with_notes(desk_comment, 20, start=3)

    with django_assert_max_num_queries(len(few)):
        html = admin_client.get(CHANGELIST).content.decode()

    assert "Warned on 22 March." in html


# A held comment in place on the story page


@pytest.fixture
def held_reply(article, desk_comment):
    root = desk_comment(body="The ferry should run all night.", author_name="Ada")
    return desk_comment(
        parent=root,
        thread_id=root.pk,
        depth=1,
        status=Status.PENDING,
        author_name="Hal",
        body="A reply the rules held back.",
        moderation_rule="suspect_words",
        moderation_reason="Contains a word on the suspect list: ferryboat",
    )


def test_moderator_sees_a_held_comment_in_place_marked_with_its_status(
    client, moderator, held_reply
):
    client.force_login(moderator)
    response = client.get(in_place_url(held_reply))

    assert response.status_code == 200
    html = response.content.decode()
    assert "The ferry should run all night." in html  # the thread around it
    assert "A reply the rules held back." in html
    assert "Held: Contains a word on the suspect list: ferryboat" in html
    assert moderate_url(held_reply, "approved") + "?expected=pending" in html
    assert moderate_url(held_reply, "rejected") + "?expected=pending" in html
    assert "Only you can see this comment" not in html


def test_in_place_shows_the_hidden_replies_it_hangs_from_but_no_other_hidden_comment(
    client, moderator, held_reply, desk_comment
):
    root = held_reply.parent
    Comment.objects.filter(pk=held_reply.pk).update(status=Status.REJECTED)
    under = desk_comment(
        parent=held_reply, thread_id=root.pk, depth=2, status=Status.PENDING, body="Held below"
    )
    desk_comment(parent=root, thread_id=root.pk, depth=1, status=Status.SPAM, body="Spam beside")
    client.force_login(moderator)

    html = client.get(in_place_url(under)).content.decode()

    assert "A reply the rules held back." in html and "Held below" in html
    assert html.count('class="comment__moderation ') == 2
    assert "Spam beside" not in html


def test_rejected_comment_in_place_offers_approve_but_not_reject(client, moderator, held_reply):
    Comment.objects.filter(pk=held_reply.pk).update(status=Status.REJECTED)
    client.force_login(moderator)

    html = client.get(in_place_url(held_reply)).content.decode()

    assert "Rejected: Contains a word on the suspect list" in html
    assert moderate_url(held_reply, "approved") + "?expected=rejected" in html
    assert moderate_url(held_reply, "rejected") not in html


def test_moderator_approves_in_place_and_comes_back_to_the_comment(client, moderator, held_reply):
    client.force_login(moderator)
    back = in_place_url(held_reply) + f"#c{held_reply.pk}"

    response = client.post(
        moderate_url(held_reply, "approved") + "?expected=pending", {"next": back}
    )

    assert response.status_code == 302
    assert response["Location"] == back
    held_reply.refresh_from_db()
    assert held_reply.status == Status.APPROVED
    assert ModerationAction.objects.filter(comment=held_reply, actor=moderator).exists()
    story = Client().get(held_reply.article.get_absolute_url())
    assert "A reply the rules held back." in story.content.decode()


def test_in_place_decision_on_a_comment_decided_meanwhile_changes_nothing(
    client, moderator, held_reply, django_user_model
):
    other = django_user_model.objects.create_user("other", is_staff=True, is_superuser=True)
    other_client = Client()
    other_client.force_login(other)
    other_client.post(moderate_url(held_reply, "rejected") + "?expected=pending")
    client.force_login(moderator)

    client.post(
        moderate_url(held_reply, "approved") + "?expected=pending",
        {"next": in_place_url(held_reply)},
    )

    held_reply.refresh_from_db()
    assert held_reply.status == Status.REJECTED


@pytest.mark.parametrize("who", ["anonymous", "reader", "staff_without_moderation"])
def test_others_opening_the_in_place_url_never_see_the_held_comment(who, held_reply):
    visitor = Client()
    if who != "anonymous":
        user = get_user_model().objects.create_user(who, is_staff=who != "reader")
        visitor.force_login(user)

    response = visitor.get(in_place_url(held_reply))

    assert response.status_code in {302, 403}
    if response.status_code == 302:
        assert "/login/" in response["Location"]
    assert b"A reply the rules held back." not in response.content


def test_the_story_page_never_shows_the_held_comment_after_a_moderator_saw_it(
    client, moderator, held_reply, settings
):
    settings.NEWSROOM = {**settings.NEWSROOM, "STORY_CACHE_SECONDS": 300}
    client.force_login(moderator)
    assert b"A reply the rules held back." in client.get(in_place_url(held_reply)).content

    story = held_reply.article.get_absolute_url()
    for url in (story, f"{story}?thread={held_reply.thread_id}"):
        first, cached = Client().get(url), Client().get(url)
        assert b"The ferry should run all night." in first.content
        assert b"A reply the rules held back." not in first.content
        assert b"A reply the rules held back." not in cached.content
    signed_in_reader = Client()
    signed_in_reader.force_login(get_user_model().objects.create_user("reader"))
    assert b"A reply the rules held back." not in signed_in_reader.get(story).content


def test_view_on_site_for_a_held_comment_opens_it_in_place(client, moderator, held_reply):
    client.force_login(moderator)
    change = reverse("admin:comments_comment_change", args=[held_reply.pk])

    html = client.get(change).content.decode()

    assert f"{in_place_url(held_reply)}#c{held_reply.pk}" in html


def test_review_desk_card_links_to_the_comment_in_place(client, moderator, held_reply):
    client.force_login(moderator)

    html = client.get(reverse("admin:comments_comment_review")).content.decode()

    assert f"{in_place_url(held_reply)}#c{held_reply.pk}" in html


def test_view_on_site_for_an_approved_comment_opens_the_story_page(client, moderator, desk_comment):
    shown = desk_comment(body="Shown to all")
    client.force_login(moderator)

    html = client.get(reverse("admin:comments_comment_change", args=[shown.pk])).content.decode()

    assert in_place_url(shown) not in html


def test_in_place_url_of_a_missing_comment_is_not_found(client, moderator):
    client.force_login(moderator)
    assert client.get(reverse("admin:comments_comment_in_place", args=[999999])).status_code == 404
