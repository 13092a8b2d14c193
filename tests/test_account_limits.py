"""Sign-up, log-in and password reset cannot be hammered; reset tells nobody who has an account."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.fixture
def strict(settings):
    settings.NEWSROOM = {
        **settings.NEWSROOM,
        "ACCOUNT_RATE": "3/h",
        "ACCOUNT_NETWORK_RATE": "5/h",
        "PASSWORD_RESET_EMAIL_RATE": "100/h",
    }


FORMS = {
    "signup": {"username": "", "password1": "x", "password2": "y"},
    "login": {"username": "nobody", "password": "wrong"},
    "password_reset": {"email": "nobody@example.com"},
}


def from_address(ip):
    return Client(REMOTE_ADDR=ip)


@pytest.mark.parametrize("name", FORMS)
def test_one_address_is_stopped_with_429_and_a_clear_page(strict, name):
    client = from_address("203.0.113.5")
    url = reverse(name)
    for _ in range(3):
        assert client.post(url, FORMS[name]).status_code != 429
    stopped = client.post(url, FORMS[name])
    assert stopped.status_code == 429
    assert int(stopped["Retry-After"]) >= 1
    page = stopped.content.decode()
    assert "Too many attempts" in page and "Please wait" in page
    # Reading the form is never limited; another address is not affected.
    assert client.get(url).status_code == 200
    assert from_address("192.0.2.9").post(url, FORMS[name]).status_code != 429


@pytest.mark.parametrize("name", FORMS)
def test_many_addresses_on_one_network_share_a_limit(strict, name):
    url = reverse(name)
    statuses = [
        from_address(f"198.51.100.{n}").post(url, FORMS[name]).status_code for n in range(1, 7)
    ]
    assert statuses[:5].count(429) == 0 and statuses[5] == 429


def test_sign_up_past_the_limit_creates_no_account(strict):
    client = from_address("203.0.113.5")
    for n in range(4):
        password = "a long enough passphrase 42"
        client.post(
            reverse("signup"),
            {
                "username": f"bot{n}",
                "email": f"bot{n}@example.com",
                "password1": password,
                "password2": password,
            },
        )
        client.cookies.clear()  # a new visitor each time, from the same address
    assert get_user_model().objects.count() == 3


def test_one_inbox_cannot_be_flooded_with_reset_mails(strict, settings):
    settings.NEWSROOM = {**settings.NEWSROOM, "PASSWORD_RESET_EMAIL_RATE": "2/h"}
    get_user_model().objects.create_user("ada", "ada@example.com", "old password 123")
    for n in range(3):
        from_address(f"192.0.2.{n}").post(reverse("password_reset"), {"email": "Ada@example.com"})
    assert len(mail.outbox) == 2


def test_password_reset_answers_the_same_for_known_and_unknown_addresses():
    get_user_model().objects.create_user("ada", "ada@example.com", "old password 123")
    answers = []
    for email in ("ada@example.com", "nobody@example.com"):
        response = Client().post(reverse("password_reset"), {"email": email}, follow=True)
        # Every page's language switch carries a fresh CSRF token: the rest must be the same.
        page = re.sub(rb'name="csrfmiddlewaretoken" value="[^"]+"', b"", response.content)
        answers.append((response.status_code, response.redirect_chain, page))
    assert answers[0] == answers[1]
    assert b"If an account uses that address" in answers[0][2]
    # Only the owner of the known address hears of it, in their own inbox.
    assert [message.to for message in mail.outbox] == [["ada@example.com"]]
