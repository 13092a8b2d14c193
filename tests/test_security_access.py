import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"


@pytest.fixture
def csrf_client():
    return Client(enforce_csrf_checks=True)


@pytest.fixture
def reader(db):
    return get_user_model().objects.create_user("reader", "reader@example.com", PASSWORD)


@pytest.fixture
def editor(db):
    return get_user_model().objects.create_user(
        "editor", "editor@example.com", PASSWORD, is_staff=True, is_superuser=True
    )


def csrf_token(client, path):
    client.get(path)
    return client.cookies[settings.CSRF_COOKIE_NAME].value


def test_login_without_csrf_token_is_refused(csrf_client, reader):
    response = csrf_client.post(reverse("login"), {"username": "reader", "password": PASSWORD})
    assert response.status_code == 403
    assert "_auth_user_id" not in csrf_client.session

    token = csrf_token(csrf_client, reverse("login"))
    response = csrf_client.post(
        reverse("login"),
        {"username": "reader", "password": PASSWORD, "csrfmiddlewaretoken": token},
    )
    assert response.status_code == 302
    assert csrf_client.session["_auth_user_id"] == str(reader.pk)


def test_sign_up_without_csrf_token_creates_no_account(csrf_client):
    form = {
        "username": "newreader",
        "email": "newreader@example.com",
        "password1": PASSWORD,
        "password2": PASSWORD,
    }
    assert csrf_client.post(reverse("signup"), form).status_code == 403
    assert not get_user_model().objects.filter(username="newreader").exists()

    form["csrfmiddlewaretoken"] = csrf_token(csrf_client, reverse("signup"))
    assert csrf_client.post(reverse("signup"), form).status_code == 302
    assert get_user_model().objects.filter(username="newreader").exists()


def test_logout_without_csrf_token_keeps_the_reader_signed_in(csrf_client, reader):
    csrf_client.force_login(reader)
    assert csrf_client.post(reverse("logout")).status_code == 403
    assert csrf_client.session["_auth_user_id"] == str(reader.pk)

    token = csrf_token(csrf_client, "/")
    csrf_client.post(reverse("logout"), {"csrfmiddlewaretoken": token})
    assert "_auth_user_id" not in csrf_client.session


def test_logout_by_get_is_not_possible(client, reader):
    client.force_login(reader)
    assert client.get(reverse("logout")).status_code == 405
    assert client.session["_auth_user_id"] == str(reader.pk)


@pytest.mark.parametrize(
    "path", ["/admin/", "/admin/auth/user/", "/admin/articles/article/", "/admin/axes/"]
)
def test_signed_in_reader_cannot_reach_the_admin(client, reader, path):
    client.force_login(reader)
    response = client.get(path)
    assert response.status_code in {302, 404}
    if response.status_code == 302:
        assert response.url.startswith(reverse("admin:login"))
    assert b"Site administration" not in response.content


def test_reader_password_does_not_open_the_admin(client, reader):
    response = client.post(
        reverse("admin:login"), {"username": "reader", "password": PASSWORD, "next": "/admin/"}
    )
    assert response.status_code == 200
    assert "staff account" in response.content.decode()
    assert client.get("/admin/").status_code == 302


@pytest.mark.parametrize("login_url", ["admin:login", "login"])
def test_repeated_wrong_passwords_lock_the_account_out(client, editor, login_url):
    url = reverse(login_url)
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = client.post(url, {"username": "editor", "password": "guess"})
        assert response.status_code == 200  # the form again, with an error
    response = client.post(url, {"username": "editor", "password": "guess"})
    assert response.status_code == 429

    response = client.post(url, {"username": "editor", "password": PASSWORD})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    page = response.content.decode()
    assert "Too many attempts" in page
    assert f"after {settings.AXES_FAILURE_LIMIT} failed attempts" in page
    assert reverse("password_reset") in page


def test_editor_below_the_failure_limit_can_still_sign_in(client, editor):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        client.post(reverse("admin:login"), {"username": "editor", "password": "guess"})
    response = client.post(
        reverse("admin:login"), {"username": "editor", "password": PASSWORD, "next": "/admin/"}
    )
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200


def test_a_lockout_from_one_address_does_not_lock_the_editor_out_elsewhere(editor):
    attacker = Client(REMOTE_ADDR="203.0.113.9")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        attacker.post(reverse("admin:login"), {"username": "editor", "password": "guess"})
    assert (
        attacker.post(reverse("admin:login"), {"username": "editor", "password": PASSWORD})
    ).status_code == 429

    office = Client(REMOTE_ADDR="198.51.100.20")
    response = office.post(
        reverse("admin:login"), {"username": "editor", "password": PASSWORD, "next": "/admin/"}
    )
    assert response.status_code == 302
