import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_forgotten_password_sends_a_reset_link_that_sets_a_new_password(client):
    get_user_model().objects.create_user("ada", "ada@example.com", "old password 123")
    page = client.get(reverse("password_reset")).content.decode()
    assert "<h1" in page and "Reset your password" in page and "Send reset link" in page

    client.post(reverse("password_reset"), {"email": "ada@example.com"})
    [message] = mail.outbox
    link = next(word for word in message.body.split() if "/accounts/reset/" in word)
    form = client.get(link, follow=True)
    assert "Choose a new password" in form.content.decode()
    done = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": "a fresh long passphrase", "new_password2": "a fresh long passphrase"},
    )
    assert done.status_code == 302
    signed_in = client.post(
        reverse("login"), {"username": "ada", "password": "a fresh long passphrase"}
    )
    assert signed_in.status_code == 302
    assert "_auth_user_id" in client.session


def test_a_used_or_broken_reset_link_says_so(client):
    user = get_user_model().objects.create_user("ada", "ada@example.com", "old password 123")
    response = client.get(f"/accounts/reset/{user.pk}/not-a-token/", follow=True)
    page = response.content.decode()
    assert "expired or was already used" in page
    assert "<form" not in page.split("<main", 1)[1]
