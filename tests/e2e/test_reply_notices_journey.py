"""A guest asks for reply notices, confirms from the mail, hears of a reply and leaves, in Chromium.

The mail goes through the real database worker to a real SMTP server the test starts; the
links the reader follows are the ones in the mail.
"""

import re

import pytest
from playwright.sync_api import expect

from comments import moderation, services
from comments.models import Comment
from comments.readers import Reader
from notifications.models import Subscriber

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def mail_link(message, kind):
    text = message.get_body(("plain",)).get_content()
    return re.search(rf"(https?://\S+/notices/{kind}/\S+/)", text).group(1)


def test_a_guest_confirms_hears_of_an_approved_reply_and_unsubscribes_in_one_click(
    settings, any_page, live_server, discussed_story, smtp_server, run_worker, moderator
):
    settings.NEWSROOM = {**settings.NEWSROOM, "SITE_URL": live_server.url}
    page = any_page
    page.goto(discussed_story.get_absolute_url())
    form = page.get_by_role("form", name="Join the conversation")
    form.get_by_label("Name").fill("Ada")
    form.get_by_label("Email (optional)").fill("ada@example.com")
    form.get_by_label("Comment").fill("Will the night bus still run?")
    form.get_by_label("Email me when someone replies").check()
    form.get_by_role("button", name="Post comment").click()
    expect(page.get_by_role("article", name="Ada", exact=True)).to_be_visible()

    run_worker()
    [confirmation] = smtp_server.messages
    assert confirmation["To"] == "ada@example.com"
    page.goto(mail_link(confirmation, "confirm"))
    page.get_by_role("button", name="Confirm my address").click()
    expect(page.get_by_role("status")).to_contain_text("ada@example.com is confirmed")

    # A first-timer replies; the reply waits for a moderator, and so does the notice.
    ada = Comment.objects.get(author_name="Ada")
    moderation.comment_moderate(
        comments=Comment.objects.filter(pk=ada.pk), status="approved", actor=moderator
    )
    reply = services.comment_submit(
        article=discussed_story,
        reader=Reader(key="g:bob", ip="198.51.100.7"),
        body="Yes, every night until two.",
        author_name="Bob",
        parent=ada,
    )
    assert reply.status == Comment.Status.PENDING
    run_worker()
    assert len(smtp_server.messages) == 1
    moderation.comment_moderate(
        comments=Comment.objects.filter(pk=reply.pk), status="approved", actor=moderator
    )
    run_worker()
    notice = smtp_server.messages[1]
    assert "Bob" in notice.get_body(("plain",)).get_content()

    permalink = re.search(r"(https?://\S+#c\d+)", notice.get_body(("plain",)).get_content())
    page.goto(permalink.group(1))
    expect(page.get_by_role("article", name="Bob", exact=True)).to_contain_text(
        "Yes, every night until two."
    )

    page.goto(mail_link(notice, "unsubscribe"))
    page.get_by_role("button", name="Unsubscribe").click()
    expect(page.get_by_role("status")).to_contain_text("no more notices")
    assert Subscriber.objects.get(email="ada@example.com").unsubscribed_at is not None
    # The mail client's own one-click post (RFC 8058) answers too, and changes nothing more.
    answer = page.request.post(
        mail_link(notice, "unsubscribe"),
        data="List-Unsubscribe=One-Click",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert answer.status == 200
    assert page.browser_errors == []


def test_a_guest_chooses_a_daily_digest_on_the_confirmation_page_and_gets_one(
    settings, any_page, live_server, discussed_story, smtp_server, run_worker
):
    from django.core.management import call_command

    settings.NEWSROOM = {
        **settings.NEWSROOM,
        "SITE_URL": live_server.url,
        "MODERATION_MODE": "post",
    }
    page = any_page
    ada = services.comment_submit(
        article=discussed_story,
        reader=Reader(key="g:ada", ip="203.0.113.9"),
        body="Is the ferry back too?",
        author_name="Ada",
        author_email="ada@example.com",
        notify_replies=True,
    )
    run_worker()
    page.goto(mail_link(smtp_server.messages.pop(), "confirm"))
    page.get_by_role("button", name="Confirm my address").click()
    choices = page.get_by_role("form", name="Notice choices")
    choices.get_by_label("A daily digest").check()
    choices.get_by_label("Also tell me when a moderator approves my held comment").check()
    choices.get_by_role("button", name="Save my choices").click()
    expect(page.get_by_role("status")).to_contain_text("Your choices are saved.")
    subscriber = Subscriber.objects.get(email="ada@example.com")
    assert subscriber.frequency == "daily" and subscriber.notify_approved

    services.comment_submit(
        article=discussed_story,
        reader=Reader(key="g:bob", ip="198.51.100.7"),
        body="Yes, since Monday.",
        author_name="Bob",
        parent=ada,
    )
    run_worker()
    assert smtp_server.messages == []
    call_command("send_digests")
    run_worker()
    [digest] = smtp_server.messages
    page.goto(re.search(r"(https?://\S+#c\d+)", digest.get_body(("plain",)).get_content())[1])
    expect(page.get_by_role("article", name="Bob", exact=True)).to_contain_text("since Monday")
    assert page.browser_errors == []
