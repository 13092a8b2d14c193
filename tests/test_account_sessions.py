"""A signed-in reader's session: read fast (prepared), and ended the moment it should be.

The session and the user are read with statements compiled once per process
(accounts/sessions.py, accounts/backends.py). These tests hold what that must never loosen:
a session ends everywhere at logout, a password change ends the other sessions, a deactivated
account is served as nobody, and all of it without the cache.
"""

import pytest
from bs4 import BeautifulSoup
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import Account

pytestmark = pytest.mark.django_db

PASSWORD = "a long enough passphrase 7"


@pytest.fixture(autouse=True)
def open_site(relaxed_comment_limits, post_moderated_site):
    pass


@pytest.fixture
def ada():
    return get_user_model().objects.create_user("ada", "ada@example.org", PASSWORD)


def signed_in(user):
    browser = Client()
    browser.force_login(user)
    return browser


def copy_of(browser):
    """Another browser holding the same session cookie (a second device, or a stolen cookie)."""
    other = Client()
    other.cookies[django_settings.SESSION_COOKIE_NAME] = browser.cookies[
        django_settings.SESSION_COOKIE_NAME
    ].value
    return other


def signed_in_as(browser, article):
    """The name the story page's header says the reader is signed in as, or None."""
    response = browser.get(article.get_absolute_url())
    assert response.status_code == 200
    who = BeautifulSoup(response.content.decode(), "html.parser").select_one(".site-nav__who")
    return who.get_text(strip=True).removeprefix("Signed in as ").strip() if who else None


def test_logout_ends_the_session_for_every_browser_holding_its_cookie(ada, article):
    browser = signed_in(ada)
    other = copy_of(browser)
    assert signed_in_as(other, article) == "ada"

    assert browser.post(reverse("logout")).status_code == 302

    assert signed_in_as(browser, article) is None
    assert signed_in_as(other, article) is None, "the copied cookie is worth nothing now"
    assert not Session.objects.exists()


def test_a_password_change_signs_out_the_other_sessions_and_keeps_this_one(ada, article):
    here, elsewhere = signed_in(ada), signed_in(ada)
    assert signed_in_as(elsewhere, article) == "ada"

    changed = here.post(
        reverse("password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "another long passphrase 8",
            "new_password2": "another long passphrase 8",
        },
    )
    assert changed.status_code == 302

    assert signed_in_as(here, article) == "ada"
    assert signed_in_as(elsewhere, article) is None


def test_a_password_set_by_an_editor_signs_the_reader_out(ada, article):
    browser = signed_in(ada)
    ada.set_password("set by the desk 9 long")
    ada.save()
    assert signed_in_as(browser, article) is None


def test_a_deactivated_account_is_served_as_nobody_and_cannot_post(ada, article, comment_data):
    browser = signed_in(ada)
    assert signed_in_as(browser, article) == "ada"

    get_user_model().objects.filter(pk=ada.pk).update(is_active=False)

    assert signed_in_as(browser, article) is None
    browser.post(
        reverse("comment_post", args=[article.slug]), comment_data(article, body="As Ada?")
    )
    assert not article.comments.filter(user=ada).exists()


def test_an_expired_or_unknown_session_is_nobody(ada, article):
    browser = signed_in(ada)
    Session.objects.update(expire_date=timezone.now() - timezone.timedelta(seconds=1))
    assert signed_in_as(browser, article) is None

    stranger = Client()
    stranger.cookies[django_settings.SESSION_COOKIE_NAME] = "x" * 32
    assert signed_in_as(stranger, article) is None


def test_the_signed_in_reader_has_their_account_loaded_as_the_orm_loads_it(
    ada, django_assert_num_queries
):
    """The prepared read builds the same user and Account: confirmed-at is a real datetime."""
    confirmed = timezone.now().replace(microsecond=0)
    Account.objects.create(user=ada, email_confirmed_at=confirmed)
    browser = signed_in(ada)
    response = browser.get(reverse("accounts:profile"))
    assert response.status_code == 200
    user = response.wsgi_request.user
    with django_assert_num_queries(0):  # loaded with the user, as select_related did
        assert user.pk == ada.pk and user.email == "ada@example.org"
        assert user.account.email_confirmed_at == confirmed
        assert user.account.user.username == "ada"
    assert user.check_password(PASSWORD)


def test_a_reader_without_an_account_row_needs_no_confirmation(ada):
    """Staff and createsuperuser users have no Account: the page must not ask for one."""
    from accounts.models import needs_confirmation

    user = signed_in(ada).get(reverse("accounts:profile")).wsgi_request.user
    assert user.is_authenticated
    assert needs_confirmation(user) is False
