"""An editor at the review desk on a busy night, keyboard only, in Chromium."""

import statistics
import time

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.urls import reverse
from playwright.sync_api import expect

from comments.models import Comment, CommentReport, ModerationAction

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

Status = Comment.Status
Action = ModerationAction.Action
REVIEW = reverse("admin:comments_comment_review")


@pytest.fixture
def night_editor(transactional_db):
    user = get_user_model().objects.create_user("nighteditor", password="pw", is_staff=True)
    user.groups.add(Group.objects.get(name="Editors"))
    return user


def held(story, n, **fields):
    return Comment.objects.bulk_create(
        Comment(
            article=story,
            reader_key=f"g:held-{n}-{i}",
            author_name=f"Held {i}",
            body=f"Held comment number {i}.",
            status=Status.PENDING,
            moderation_rule="premoderation",
            **fields,
        )
        for i in range(n)
    )


def wait_saved(count):
    deadline = time.monotonic() + 30
    while ModerationAction.objects.filter(actor__isnull=False).count() < count:
        assert time.monotonic() < deadline, "the decisions were not saved"
        time.sleep(0.05)


def test_editor_decides_held_and_reported_comments_with_the_keyboard_only(
    new_page, night_editor, discussed_story, check_accessibility, screenshot
):
    a, b, c = held(discussed_story, 3)
    reported = Comment.objects.create(
        article=discussed_story, reader_key="g:loud", author_name="Loud", status=Status.APPROVED,
        body="A fair point that a brigade reported.",
    )  # fmt: skip
    for i in range(2):
        CommentReport.objects.create(
            comment=reported, reader_key=f"g:r{i}", reason="abuse", network_hash=f"n{i}",
            text="I disagree",
        )  # fmt: skip
    page = new_page(user=night_editor)

    page.goto(REVIEW + "?queue=reported")
    card = page.locator(".desk-review-card")
    expect(card).to_contain_text("A fair point that a brigade reported.")
    expect(card).to_contain_text("I disagree")
    check_accessibility(page)
    screenshot(page, "desk-review-1280")
    page.keyboard.press("?")
    expect(page.get_by_role("heading", name="Keyboard")).to_be_visible()
    page.keyboard.press("e")  # Keep
    expect(page.get_by_text("Nothing waiting in this queue")).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("Kept the comment by Loud")

    page.goto(REVIEW + "?queue=pending")
    expect(card).to_contain_text("Held comment number 0.")
    page.keyboard.press("a")
    expect(card).to_contain_text("Held comment number 1.")
    page.keyboard.press("r")
    expect(card).to_contain_text("Held comment number 2.")
    expect(page.get_by_role("status")).to_contain_text("Rejected the comment by Held 1")
    page.keyboard.press("u")  # take back the reject: comment 1 is shown again
    expect(card).to_contain_text("Held comment number 1.")
    expect(page.get_by_role("status")).to_contain_text("Undid your decision")
    page.keyboard.press("s")
    expect(card).to_contain_text("Held comment number 2.")
    page.keyboard.press("k")  # nothing before it now: stays
    page.keyboard.press("p")
    expect(page.get_by_text("Nothing waiting in this queue")).to_be_visible()
    wait_saved(7)  # keep, approve, reject, undo, spam, and pick: approve and feature
    assert page.browser_errors == []

    statuses = dict(Comment.objects.values_list("pk", "status"))
    assert statuses[a.pk] == Status.APPROVED
    assert statuses[b.pk] == Status.SPAM
    assert statuses[c.pk] == Status.APPROVED and Comment.objects.get(pk=c.pk).is_featured
    assert statuses[reported.pk] == Status.APPROVED
    assert not CommentReport.objects.unresolved().exists()
    log = list(
        ModerationAction.objects.filter(actor=night_editor)
        .order_by("created_at", "id")
        .values_list("action", flat=True)
    )
    assert log[:4] == [Action.KEEP, Action.APPROVE, Action.REJECT, Action.UNDO]
    # The last two decisions were made without waiting: their saves may land in either order.
    assert sorted(log[4:]) == sorted([Action.SPAM, Action.APPROVE, Action.FEATURE])


def test_a_failed_save_is_visible_and_the_comment_comes_back(
    new_page, night_editor, discussed_story
):
    held(discussed_story, 2)
    page = new_page(user=night_editor)
    page.goto(REVIEW)
    page.route("**/decide/**", lambda route: route.fulfill(status=500, body="boom"))
    # The card arrives by fetch after the page: a key pressed before it has nothing to decide.
    expect(page.locator(".desk-review-card")).to_contain_text("Held comment number 0.")
    page.keyboard.press("a")
    expect(page.get_by_role("alert")).to_contain_text("Not saved")
    expect(page.locator("[data-position]")).to_have_text("1 / 2")
    assert Comment.objects.filter(status=Status.PENDING).count() == 2


def test_a_comment_another_moderator_decided_disappears_from_the_list(
    new_page, night_editor, discussed_story
):
    first, second = held(discussed_story, 2)
    page = new_page(user=night_editor)
    page.goto(REVIEW)
    expect(page.locator(".desk-review-card")).to_contain_text("Held comment number 0.")
    Comment.objects.filter(pk=first.pk).update(status=Status.REJECTED)
    page.evaluate("document.querySelector('.desk-review-main').refreshNow()")
    expect(page.locator(".desk-review-card")).to_contain_text("Held comment number 1.")
    expect(page.get_by_role("status")).to_contain_text("Another moderator decided")
    expect(page.locator("[data-count=pending]")).to_have_text("1")


def test_list_fits_at_1280_with_long_comments(new_page, night_editor, discussed_story, screenshot):
    held(discussed_story, 5)
    Comment.objects.filter(author_name="Held 2").update(body="A very long comment. " * 60)
    page = new_page(user=night_editor)
    page.goto(reverse("admin:comments_comment_changelist"))
    screenshot(page, "desk-list-1280")
    reject = page.get_by_role("button", name="Reject Held 2")
    expect(reject).to_be_in_viewport()
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    page.get_by_text("Show all").first.click()
    expect(page.get_by_text("A very long comment. " * 3).first).to_be_visible()


def test_scripted_editor_decides_100_held_comments_by_keyboard(
    new_page, night_editor, discussed_story, capsys
):
    """Measure only: decisions per minute, and the server's time per decision request."""
    held(discussed_story, 100)
    page = new_page(user=night_editor)
    timings = []
    page.on(
        "requestfinished",
        lambda request: (
            timings.append(request.timing["responseEnd"] - request.timing["requestStart"])
            if "/decide/" in request.url
            else None
        ),
    )
    page.goto(REVIEW)
    card = page.locator(".desk-review-card")
    started = time.monotonic()
    for i in range(100):
        expect(card).to_contain_text(f"Held comment number {i}.")
        page.keyboard.press("a" if i % 3 else "r")
    expect(page.get_by_text("Nothing waiting in this queue")).to_be_visible()
    elapsed = time.monotonic() - started
    wait_saved(100)
    assert Comment.objects.filter(status=Status.PENDING).count() == 0
    with capsys.disabled():
        print(
            f"\nreview desk: 100 decisions in {elapsed:.1f} s = {6000 / elapsed:.0f}/min; "
            f"decision request median {statistics.median(timings):.0f} ms, "
            f"max {max(timings):.0f} ms ({len(timings)} requests)"
        )
