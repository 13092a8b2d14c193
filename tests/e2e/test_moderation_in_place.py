"""A moderator sees a held comment where it sits on the story page, and decides it there."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.urls import reverse
from playwright.sync_api import expect

from comments.models import Comment

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

Status = Comment.Status


@pytest.fixture
def moderator(transactional_db):
    user = get_user_model().objects.create_user("moderator", password="pw", is_staff=True)
    user.groups.add(Group.objects.get(name="Moderators"))
    return user


@pytest.fixture
def held_reply(discussed_story):
    root = discussed_story.comments.get()
    return Comment.objects.create(
        article=discussed_story,
        parent=root,
        thread_id=root.pk,
        depth=1,
        reader_key="g:held",
        author_name="Hal",
        body="Midnight is too late for a ferry.",
        status=Status.PENDING,
        moderation_rule="suspect_words",
        moderation_reason="Contains a suspect word",
    )


def test_moderator_approves_a_held_comment_in_place_and_readers_then_see_it(
    new_page, moderator, held_reply, check_accessibility, screenshot
):
    page = new_page(user=moderator)
    page.goto(reverse("admin:comments_comment_change", args=[held_reply.pk]))
    page.get_by_role("link", name="View on site").click()

    held = page.locator(f"#c{held_reply.pk}")
    expect(held).to_contain_text("Midnight is too late for a ferry.")
    expect(held.get_by_role("note", name="Moderation")).to_contain_text(
        "Held: Contains a suspect word"
    )
    expect(page.get_by_text("Finally, an earlier boat.")).to_be_visible()  # the thread around it
    check_accessibility(page)
    screenshot(page, "moderation-in-place-held")

    held.get_by_role("button", name="Approve").click()

    expect(page.get_by_text("Approved the comment by Hal.")).to_be_visible()
    expect(held.get_by_role("note", name="Moderation")).to_have_count(0)
    reader = new_page()
    reader.goto(held_reply.article.get_absolute_url())
    expect(reader.get_by_text("Midnight is too late for a ferry.")).to_be_visible()


def test_reader_opening_the_in_place_url_never_sees_the_held_comment(
    new_page, held_reply, transactional_db
):
    in_place = reverse("admin:comments_comment_in_place", args=[held_reply.pk])
    reader = get_user_model().objects.create_user("reader", password="pw")
    for page in (new_page(), new_page(user=reader)):
        page.goto(in_place)

        expect(page).to_have_url(re.compile(r"/login/"))
        expect(page.get_by_text("Midnight is too late for a ferry.")).to_have_count(0)
        page.goto(held_reply.article.get_absolute_url())
        expect(page.get_by_text("Finally, an earlier boat.")).to_be_visible()
        expect(page.get_by_text("Midnight is too late for a ferry.")).to_have_count(0)
