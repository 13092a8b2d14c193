"""A new reader's whole account, in Chromium: sign up, confirm from the mail, post, reset the
password, take their data away and leave. The links the reader follows are the ones in the mail
(Django's in-memory outbox; the worker runs the mail task at once)."""

import json
import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from playwright.sync_api import expect

from comments.models import Comment

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "a long ferry password 42"
NEW_PASSWORD = "another long ferry password 7"


def link_in(message, path):
    return re.search(rf"(https?://\S+{path}\S+)", message.body).group(1)


def test_a_new_reader_signs_up_confirms_posts_resets_exports_and_leaves(
    settings, any_page, live_server, discussed_story, post_moderated_site
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.NEWSROOM = {**settings.NEWSROOM, "SITE_URL": live_server.url}
    page = any_page
    page.goto(discussed_story.get_absolute_url())
    page.get_by_role("link", name="create an account").click()
    page.get_by_label("Username").fill("harbourfan")
    page.get_by_label("Email").fill("fan@example.com")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password confirmation").fill(PASSWORD)
    page.get_by_role("button", name="Sign up").click()

    # Not confirmed yet: the form says why it cannot post, and how to get the link again.
    form = page.get_by_role("form", name="Join the conversation")
    expect(form).to_contain_text("Posting as harbourfan.")
    expect(form.get_by_role("link", name="send the link again")).to_be_visible()
    form.get_by_label("Comment").fill("Signed up just to say thanks.")
    form.get_by_role("button", name="Post comment").click()
    # In the form: the script also announces it in the (hidden) live region, 50 ms later.
    refused = page.get_by_role("form", name="Join the conversation")
    expect(refused.get_by_text("Please confirm your email address before posting")).to_be_visible()
    assert not Comment.objects.filter(user__username="harbourfan").exists()
    page.browser_errors.clear()  # the refused post's 403, which the reader was just shown

    [confirmation] = mail.outbox
    page.goto(link_in(confirmation, "/accounts/confirm/"))
    page.get_by_role("button", name="Confirm my address").click()
    expect(page.get_by_role("status")).to_contain_text("fan@example.com is confirmed")

    page.goto(discussed_story.get_absolute_url())
    form = page.get_by_role("form", name="Join the conversation")
    form.get_by_label("Comment").fill("Signed up just to say thanks.")
    form.get_by_role("button", name="Post comment").click()
    expect(page.get_by_role("article", name="harbourfan", exact=True)).to_contain_text(
        "Signed up just to say thanks."
    )

    # Forgot the password: reset it from the mail, log in with the email address.
    page.get_by_role("button", name="Log out").click()
    page.goto("/accounts/password_reset/")
    page.get_by_label("Email").fill("fan@example.com")
    page.get_by_role("button", name="Send reset link").click()
    page.goto(link_in(mail.outbox[-1], "/accounts/reset/"))
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("New password confirmation").fill(NEW_PASSWORD)
    page.get_by_role("button", name=re.compile("password", re.I)).click()
    page.goto("/accounts/login/")
    page.get_by_label("Username or email").fill("fan@example.com")
    page.get_by_label("Password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("link", name="Your account").click()

    mine = page.get_by_role("region", name="My comments")
    expect(mine).to_contain_text("Signed up just to say thanks.")
    expect(mine).to_contain_text("Approved")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download everything we hold about you (JSON)").click()
    data = json.loads(open(download.value.path()).read())
    assert data["account"]["email"] == "fan@example.com"
    assert [c["text"] for c in data["comments"]] == ["Signed up just to say thanks."]

    page.get_by_role("link", name="Delete your account").click()
    page.get_by_label("Keep them, signed “a former reader”").check()
    page.get_by_label("Your password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Delete my account").click()
    expect(page.get_by_text("Your account is deleted.")).to_be_visible()
    assert not get_user_model().objects.filter(username="harbourfan").exists()
    page.goto(discussed_story.get_absolute_url())
    expect(page.get_by_role("article", name="a former reader", exact=True)).to_contain_text(
        "Signed up just to say thanks."
    )
    assert page.browser_errors == []
