"""What an editor does at the moderation desk, in Chromium: log in, clear the queue, ban, check."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.urls import reverse
from playwright.sync_api import expect

from comments.models import Ban, Comment, ModerationAction

from .conftest import DESKTOP, PHONE

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# The figure: a morning's queue on a busy story. Approving it is one bulk UPDATE and
# one bulk INSERT of audit rows, so the size costs little browser time.
QUEUE_SIZE = 500
PASSWORD = "ferry desk password 7"


@pytest.fixture
def desk_editor(transactional_db):
    user = get_user_model().objects.create_user("deskeditor", password=PASSWORD, is_staff=True)
    user.groups.add(Group.objects.get(name="Editors"))
    return user


@pytest.fixture
def pending_queue(discussed_story):
    Comment.objects.bulk_create(
        Comment(
            article=discussed_story,
            reader_key=f"g:queued-{n}",
            author_name=f"Reader {n}",
            body=f"Queued comment number {n}.",
            status=Comment.Status.PENDING,
        )
        for n in range(QUEUE_SIZE)
    )
    return discussed_story


def log_in_to_the_desk(page, user):
    page.goto(reverse("admin:index"))
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()


def test_editor_logs_in_and_clears_the_pending_queue_in_one_bulk_action(
    page, desk_editor, pending_queue
):
    log_in_to_the_desk(page, desk_editor)
    page.goto(reverse("admin:comments_comment_changelist"))
    expect(page.get_by_role("link", name=f"Pending ({QUEUE_SIZE})")).to_be_visible()

    page.get_by_label("Select all objects on this page for an action").check()
    page.get_by_role("button", name=f"Select all {QUEUE_SIZE} comments").click()
    page.get_by_role("combobox", name=re.compile("^Action")).select_option(
        label="Approve selected comments"
    )
    page.get_by_role("button", name="Go", exact=True).click()

    expect(page.get_by_text(f"Approved {QUEUE_SIZE} comments.")).to_be_visible()
    expect(page.get_by_role("link", name="Pending (0)")).to_be_visible()
    assert not Comment.objects.pending().exists()
    assert (
        ModerationAction.objects.filter(action="approve", actor=desk_editor).count() == QUEUE_SIZE
    )
    assert page.browser_errors == []


def test_editor_bans_a_reader_from_a_comment_and_finds_it_in_the_audit_log(
    page, desk_editor, discussed_story, screenshot
):
    spam = Comment.objects.create(
        article=discussed_story,
        reader_key="g:spammer",
        author_name="Cheap Tickets",
        body="Buy ferry tickets at my site!",
        status=Comment.Status.APPROVED,
    )
    log_in_to_the_desk(page, desk_editor)
    page.goto(reverse("admin:comments_comment_change", args=[spam.pk]))
    ban = page.get_by_role("region", name="Ban or suspend")
    ban.get_by_label("Ban by").select_option(value=Ban.Kind.READER)
    ban.get_by_label("For how long").select_option(label="Ban permanently")
    ban.get_by_label("Reason").fill("Selling tickets in the comments")
    ban.get_by_label("Also reject their past comments").check()
    ban.get_by_role("button", name="Ban or suspend").click()

    expect(page.get_by_text("Banned")).not_to_have_count(0)
    assert Ban.objects.get().value == "g:spammer"
    assert Comment.objects.get(pk=spam.pk).status == Comment.Status.REJECTED

    page.goto(reverse("admin:comments_moderationaction_changelist"))
    rows = page.get_by_role("row")
    expect(rows.filter(has_text="Selling tickets in the comments")).not_to_have_count(0)
    expect(rows.filter(has_text="Banned")).not_to_have_count(0)
    expect(rows.filter(has_text="Rejected")).not_to_have_count(0)
    screenshot(page, "desk-audit-log")
    assert page.browser_errors == []


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_editor_reads_the_moderation_dashboard(
    new_page, desk_editor, pending_queue, viewport, screenshot
):
    page = new_page(viewport=viewport)
    log_in_to_the_desk(page, desk_editor)
    page.goto(reverse("admin:comments_dashboard"))
    expect(page.get_by_role("heading", name="Moderation dashboard")).to_be_visible()
    queues = page.get_by_role("region", name="Queues")
    expect(queues).to_contain_text(str(QUEUE_SIZE))
    expect(page.get_by_role("region", name="Comments per day, last 14 days")).to_be_visible()
    assert page.browser_errors == []
    screenshot(page, f"desk-dashboard-{'phone' if viewport == PHONE else 'desktop'}")


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_story_with_a_conversation_reads_well_on_any_screen(
    new_page, demo_story, open_comment_forms, viewport, screenshot
):
    page = new_page(viewport=viewport)
    page.goto(demo_story.get_absolute_url())
    comments = page.get_by_role("region", name=re.compile(r"^Comments \d+$"))
    expect(comments.get_by_role("article").first).to_be_visible()
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the story scrolls sideways by {overflow}px"
    name = "phone" if viewport == PHONE else "desktop"
    screenshot(page, f"story-with-comments-{name}")
    assert page.browser_errors == []
