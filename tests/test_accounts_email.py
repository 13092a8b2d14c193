"""Sign-up asks for an email, confirms it from the mail, and only then lets the account post."""

import re
import time

import pytest
from django.contrib.auth import get_user_model
from django.core import mail, signing
from django.test import Client
from django.urls import reverse

from accounts.models import Account
from comments.models import Comment

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "a long enough passphrase"


@pytest.fixture(autouse=True)
def mail_at_once(settings, post_moderated_site, relaxed_comment_limits):
    """Run background tasks in the request, so the mail is in the outbox when the page answers."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.NEWSROOM = {**settings.NEWSROOM, "SITE_URL": "https://news.example.com"}


def sign_up(client, username="ada", email="ada@example.com"):
    return client.post(
        reverse("signup"),
        {"username": username, "email": email, "password1": PASSWORD, "password2": PASSWORD},
    )


def confirm_link(message):
    return re.search(r"https://news\.example\.com(/accounts/confirm/\S+/)", message.body).group(1)


def test_sign_up_needs_an_email_address(client):
    response = client.post(
        reverse("signup"), {"username": "ada", "password1": PASSWORD, "password2": PASSWORD}
    )
    assert response.status_code == 200
    assert "This field is required" in response.content.decode()
    assert not get_user_model().objects.exists()


def test_an_address_in_use_cannot_sign_up_again_in_other_letters(client):
    get_user_model().objects.create_user("first", "Ada@Example.com", PASSWORD)
    response = sign_up(client, email="ada@EXAMPLE.com")
    assert "already uses this email address" in response.content.decode()
    assert get_user_model().objects.count() == 1


def test_a_new_account_cannot_post_until_its_address_is_confirmed(client, article, comment_data):
    assert sign_up(client).status_code == 302
    [message] = mail.outbox
    assert message.to == ["ada@example.com"]

    refused = client.post(reverse("comment_post", args=[article.slug]), comment_data(article))
    assert refused.status_code == 403
    page = refused.content.decode()
    assert "Please confirm your email address before posting" in page
    assert reverse("accounts:resend") in page
    assert not Comment.objects.exists()

    link = confirm_link(message)
    scanned = client.get(link)  # what a mail scanner does: it must confirm nothing
    assert "Confirm my address" in scanned.content.decode()
    assert Account.objects.get().needs_confirmation
    confirmed = client.post(link)
    assert "ada@example.com is confirmed" in confirmed.content.decode()

    posted = client.post(reverse("comment_post", args=[article.slug]), comment_data(article))
    assert posted.status_code == 302
    assert Comment.objects.get().author_name == "ada"


def test_an_unconfirmed_account_can_have_the_link_sent_again(client):
    sign_up(client)
    client.post(reverse("accounts:resend"))
    assert len(mail.outbox) == 2
    assert confirm_link(mail.outbox[1])


def test_a_forged_or_expired_confirmation_link_confirms_nothing(client, settings, monkeypatch):
    sign_up(client)
    link = confirm_link(mail.outbox[0])
    assert client.post(link[:-3] + "xx/").status_code == 400
    later = time.time() + 60 * 60 * 24 * (settings.NEWSROOM["ACCOUNT_CONFIRM_DAYS"] + 1)
    monkeypatch.setattr(signing.time, "time", lambda: later)
    expired = client.post(link)
    assert expired.status_code == 400
    assert "expired" in expired.content.decode()
    assert Account.objects.get().needs_confirmation


def test_a_reader_logs_in_with_their_email_address_in_any_case(client):
    get_user_model().objects.create_user("ada", "ada@example.com", PASSWORD)
    response = client.post(reverse("login"), {"username": "ADA@example.com", "password": PASSWORD})
    assert response.status_code == 302
    assert client.session["_auth_user_id"]


def test_failed_log_ins_by_email_and_by_username_lock_the_same_account(client, settings):
    settings.AXES_FAILURE_LIMIT = 3
    get_user_model().objects.create_user("ada", "ada@example.com", PASSWORD)
    for login in ("ada", "ada@example.com", "ADA@example.com"):
        client.post(reverse("login"), {"username": login, "password": "wrong"})
    locked = client.post(reverse("login"), {"username": "ada", "password": PASSWORD})
    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session


def test_a_changed_email_takes_effect_only_once_the_new_address_confirms(client):
    user = get_user_model().objects.create_user("ada", "ada@example.com", PASSWORD)
    client.force_login(user)
    client.post(reverse("accounts:profile"), {"action": "email", "email": "ada@new.example"})
    user.refresh_from_db()
    assert user.email == "ada@example.com"
    [message] = mail.outbox
    assert message.to == ["ada@new.example"]
    client.post(confirm_link(message))
    user.refresh_from_db()
    assert user.email == "ada@new.example"


def test_an_email_change_cannot_take_an_address_another_account_confirmed_meanwhile(client):
    user = get_user_model().objects.create_user("ada", "ada@example.com", PASSWORD)
    client.force_login(user)
    client.post(reverse("accounts:profile"), {"action": "email", "email": "shared@example.com"})
    get_user_model().objects.create_user("bob", "shared@example.com", PASSWORD)
    assert client.post(confirm_link(mail.outbox[0])).status_code == 400
    user.refresh_from_db()
    assert user.email == "ada@example.com"


def test_the_display_name_signs_new_comments(client, article, comment_data):
    user = get_user_model().objects.create_user("ada", "ada@example.com", PASSWORD)
    client.force_login(user)
    client.post(reverse("accounts:profile"), {"action": "name", "display_name": "Ada L."})
    client.post(reverse("comment_post", args=[article.slug]), comment_data(article))
    assert Comment.objects.get().author_name == "Ada L."


def test_password_reset_by_email_ends_with_a_log_in_by_email(client):
    get_user_model().objects.create_user("ada", "ada@example.com", PASSWORD)
    client.post(reverse("password_reset"), {"email": "ada@example.com"})
    [message] = mail.outbox
    link = next(word for word in message.body.split() if "/accounts/reset/" in word)
    form = client.get(link, follow=True)
    new = "a different long passphrase"
    client.post(form.redirect_chain[-1][0], {"new_password1": new, "new_password2": new})
    assert (
        client.post(reverse("login"), {"username": "ada@example.com", "password": new}).status_code
        == 302
    )


def test_the_story_page_tells_an_unconfirmed_account_why_it_cannot_post_yet(
    client, article, django_assert_max_num_queries
):
    """The form comes from the shared page: the note must follow the account, at no query."""
    note = "Confirm your email address to post"
    assert sign_up(client).status_code == 302
    client.get(article.get_absolute_url())  # draws the shared page for this version
    with django_assert_max_num_queries(6):  # session and user (with its account), as before
        page = client.get(article.get_absolute_url()).content.decode()
    assert note in page and reverse("accounts:resend") in page

    client.post(confirm_link(mail.outbox[0]))
    assert note not in client.get(article.get_absolute_url()).content.decode()
    other = Client()
    other.force_login(get_user_model().objects.create_user("staffmade", password="pw"))
    assert note not in other.get(article.get_absolute_url()).content.decode()
