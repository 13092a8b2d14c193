"""Readers get the site in English or Spanish: from their browser, or from the switch they pressed.

Cached story pages are kept per language, so one reader's language never reaches another.
"""

from datetime import UTC, datetime

import pytest
from bs4 import BeautifulSoup
from django.conf import settings
from django.core import mail
from django.test import Client
from django.urls import reverse
from django_tasks import task_backends

from accounts.tasks import send_email_confirmation
from articles.models import Article
from comments.models import ReactionKind

pytestmark = pytest.mark.django_db

SPANISH = "Únete a la conversación"
ENGLISH = "Join the conversation"


@pytest.fixture(autouse=True)
def open_site(relaxed_comment_limits, post_moderated_site):
    pass


def get(client, path, **headers):
    response = client.get(path, **headers)
    assert response.status_code == 200
    return response


def html(response):
    return response.content.decode()


def lang(response):
    return BeautifulSoup(html(response), "html.parser").html["lang"]


def switch(client, language, next_url, **headers):
    return client.post(reverse("set_language"), {"language": language, "next": next_url}, **headers)


# ---------- The switch: hostile input first ----------


@pytest.mark.parametrize(
    "next_url",
    [
        "https://evil.example/",
        "//evil.example/",
        "/\\evil.example/",
        "https:evil.example",
        " //evil.example",
        "javascript:alert(1)",
        "/stories/\x00\r\nSet-Cookie: x=1",
    ],
)
def test_switch_never_sends_a_reader_off_the_site(client, next_url):
    response = switch(client, "es", next_url)
    assert response.status_code == 302
    location = response["Location"]
    assert "evil.example" not in location and not location.startswith("javascript")
    assert "\n" not in location and "\r" not in location and "x" not in response.cookies


def test_switch_ignores_a_language_the_site_does_not_speak(client, article):
    for junk in ["xx", "es\x00", "en" * 500, "", "../../etc/passwd"]:
        response = switch(client, junk, article.get_absolute_url())
        assert response.status_code == 302
        assert settings.LANGUAGE_COOKIE_NAME not in response.cookies
    assert lang(get(client, article.get_absolute_url())) == "en"


def test_switch_needs_a_post_with_its_csrf_token(article):
    browser = Client(enforce_csrf_checks=True)
    assert browser.get(reverse("set_language") + "?language=es").status_code in (302, 405)
    assert browser.post(reverse("set_language"), {"language": "es"}).status_code == 403
    assert lang(get(browser, article.get_absolute_url())) == "en"


# ---------- Choosing the language ----------


def test_browser_asking_for_spanish_gets_the_story_page_in_spanish(client, article):
    response = get(client, article.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="es-US,es;q=0.9")
    page = html(response)
    assert SPANISH in page and ENGLISH not in page
    assert lang(response) == "es"
    assert response["Content-Language"] == "es"
    # The switch offers the other language, in its own name.
    assert 'value="en" lang="en"' in page and "English" in page


def test_browser_asking_for_english_or_anything_else_gets_english(client, article):
    for header in ["en-US,en;q=0.9", "fr-FR,fr;q=0.9", "", "*;q=\x00", "x" * 1000]:
        response = get(client, article.get_absolute_url(), HTTP_ACCEPT_LANGUAGE=header)
        assert ENGLISH in html(response) and lang(response) == "en"


def test_pressing_the_switch_remembers_spanish_over_the_browsers_language(client, article):
    response = switch(client, "es", article.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 302 and response["Location"] == article.get_absolute_url()
    cookie = response.cookies[settings.LANGUAGE_COOKIE_NAME]
    assert cookie.value == "es" and int(cookie["max-age"]) >= 30 * 24 * 60 * 60
    for path in [article.get_absolute_url(), reverse("articles:list"), reverse("login")]:
        response = get(client, path, HTTP_ACCEPT_LANGUAGE="en-US,en")
        assert lang(response) == "es", path
    assert switch(client, "en", reverse("articles:list")).status_code == 302
    assert ENGLISH in html(get(client, article.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="es"))


@pytest.mark.parametrize("name", ["articles:list", "login", "signup", "password_reset"])
def test_every_reader_page_carries_the_switch_as_a_plain_form(client, name):
    soup = BeautifulSoup(html(get(client, reverse(name))), "html.parser")
    form = soup.select_one("form.lang-switch")
    assert form["method"] == "post" and form["action"] == reverse("set_language")
    assert form.select_one("input[name=csrfmiddlewaretoken]")
    assert form.select_one("input[name=next]")["value"] == reverse(name)
    assert [b["value"] for b in form.select("button[name=language]")] == ["es"]


def test_story_page_responses_vary_on_language_and_cookie(client, article):
    response = get(client, article.get_absolute_url())  # fills the cache
    response = get(client, article.get_absolute_url())  # served from it
    vary = {part.strip() for part in response["Vary"].split(",")}
    assert {"Accept-Language", "Cookie"} <= vary


# ---------- The cache never crosses languages ----------


def test_cached_story_page_is_kept_per_language(article, make_comment):
    make_comment(article, body="Words as the reader wrote them")
    url = article.get_absolute_url()
    for first, second in [("es", "en"), ("en", "es")]:
        get(Client(), url, HTTP_ACCEPT_LANGUAGE=first)  # fills the cache in `first`
        for _ in range(2):
            page = html(get(Client(), url, HTTP_ACCEPT_LANGUAGE=second))
            assert (SPANISH in page) == (second == "es") and (ENGLISH in page) == (second == "en")
            # The reader's own words are never translated.
            assert "Words as the reader wrote them" in page
        Article.objects.filter(pk=article.pk).mark_changed()  # a new version: cached afresh


def test_spanish_and_english_pages_have_different_etags(client, article):
    url = article.get_absolute_url()
    spanish = get(client, url, HTTP_ACCEPT_LANGUAGE="es")["ETag"]
    english = get(Client(), url, HTTP_ACCEPT_LANGUAGE="en")["ETag"]
    assert spanish != english
    # A Spanish page kept by the browser is not confirmed as current for an English request.
    assert (
        Client().get(url, HTTP_ACCEPT_LANGUAGE="en", HTTP_IF_NONE_MATCH=spanish).status_code == 200
    )


def test_known_reader_gets_their_own_part_in_their_language(article, make_article):
    other = make_article(headline="Elsewhere", slug="elsewhere")
    url = article.get_absolute_url()
    get(Client(), url, HTTP_ACCEPT_LANGUAGE="en")  # the English page is cached first
    guest = Client(HTTP_ACCEPT_LANGUAGE="es")
    assert guest.post(reverse("react", args=[other.slug]), {"kind": "sad"}).status_code == 302
    assert guest.post(reverse("react", args=[article.slug]), {"kind": "love"}).status_code == 302
    page = html(get(guest, url))
    assert SPANISH in page and ENGLISH not in page
    assert "Tu reacción: Me encanta." in page
    # An English reader after them still gets English.
    assert ENGLISH in html(get(Client(), url, HTTP_ACCEPT_LANGUAGE="en"))


def test_account_holder_sees_their_nav_in_spanish(client, article, django_user_model):
    client.force_login(django_user_model.objects.create_user("lucia", password="pw"))
    get(Client(), article.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en")
    page = html(get(client, article.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="es"))
    assert "Sesión iniciada como lucia" in page and "Cerrar sesión" in page
    assert "Signed in as" not in page


# ---------- What is translated, and what is not ----------


def test_stock_reaction_labels_are_translated_and_editors_labels_are_not(client, article):
    ReactionKind.objects.filter(key="wow").update(label="Privacy")  # a word in our catalogue
    page = html(get(client, article.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="es"))
    soup = BeautifulSoup(page, "html.parser")
    labels = [span.get_text() for span in soup.select(".reaction__label")]
    assert labels == [
        "Me gusta",
        "Me encanta",
        "Me divierte",
        "Privacy",
        "Me entristece",
        "Me enoja",
    ]


def test_reaction_api_answers_spanish_labels_and_messages(article):
    api = Client(HTTP_ACCEPT_LANGUAGE="es")
    response = api.put(
        reverse("api:article-reactions", args=[article.slug]),
        {"kind": "love"},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    love = next(item for item in response.json()["reactions"] if item["key"] == "love")
    assert love["label"] == "Me encanta"
    refused = api.put(
        reverse("api:article-reactions", args=[article.slug]),
        {"kind": "nope"},
        content_type="application/json",
    )
    assert refused.status_code == 400
    assert "Esa reacción no existe." in refused.content.decode()


def test_story_dates_are_written_the_spanish_way(client, make_article):
    story = make_article(
        headline="Fecha",
        slug="fecha",
        published_at=datetime(2026, 3, 5, 18, 30, tzinfo=UTC),
    )
    page = html(get(client, story.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="es"))
    assert "5 de marzo de 2026, 6:30 p.m." in page
    page = html(get(Client(), story.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en"))
    assert "March 5, 2026, 6:30 p.m." in page


def test_validation_errors_come_in_spanish(client, article):
    response = client.post(
        reverse("comment_post", args=[article.slug]),
        {"body": "", "author_name": "Ana"},
        HTTP_ACCEPT_LANGUAGE="es",
    )
    assert response.status_code == 400
    assert "Revisa tu comentario, por favor:" in response.content.decode()


def test_djangos_own_messages_address_the_reader_as_tu(client):
    """Django's Spanish says usted; ours (locale/ wins) says tú, as the rest of the site."""
    page = html(get(client, reverse("signup"), HTTP_ACCEPT_LANGUAGE="es"))
    assert "Tu contraseña no puede tener solo números." in page
    assert "Su contraseña" not in page and "introduzca" not in page.lower()
    response = client.post(
        reverse("login"),
        {"username": "nadie", "password": "wrong password"},
        HTTP_ACCEPT_LANGUAGE="es",
    )
    assert "Ten en cuenta que ambos distinguen mayúsculas y minúsculas." in html(response)


# ---------- Mail, in the language the reader asked in ----------


def test_password_reset_mail_comes_in_the_readers_language(client, django_user_model):
    django_user_model.objects.create_user("lucia", "lucia@example.com", "a long old password")
    client.post(
        reverse("password_reset"), {"email": "lucia@example.com"}, HTTP_ACCEPT_LANGUAGE="es"
    )
    client.post(
        reverse("password_reset"), {"email": "lucia@example.com"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    spanish, english = mail.outbox
    assert spanish.subject == "Restablece tu contraseña de newsroom"
    assert "Hola, lucia:" in spanish.body and "/accounts/reset/" in spanish.body
    assert english.subject == "Reset your newsroom password" and "Hello lucia," in english.body


def test_account_mail_from_the_worker_is_written_in_the_language_it_was_asked_in(
    settings, client, django_capture_on_commit_callbacks
):
    """The worker has no reader: the language travels with the task."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    password = "una contraseña bastante larga"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("signup"),
            {
                "username": "lucia",
                "email": "lucia@example.com",
                "password1": password,
                "password2": password,
            },
            HTTP_ACCEPT_LANGUAGE="es",
        )
    assert response.status_code == 302
    [queued] = task_backends["default"].results
    assert queued.kwargs["language"] == "es"
    send_email_confirmation.call(*queued.args, **queued.kwargs)  # as the worker runs it
    [confirmation] = mail.outbox
    assert "Confirma este correo electrónico" in confirmation.body


def test_editors_desk_speaks_spanish_to_a_spanish_editor(admin_client, article, make_comment):
    make_comment(article, body="Texto del lector")
    page = html(get(admin_client, "/admin/comments/comment/dashboard/", HTTP_ACCEPT_LANGUAGE="es"))
    assert "Panel de moderación" in page and "comentarios pendientes" in page
    assert "· aprobados: 1" in page and "· approved:" not in page
    page = html(get(admin_client, reverse("admin:index"), HTTP_ACCEPT_LANGUAGE="es"))
    assert "Prohibiciones" in page and "Tipos de reacción" in page and "Prohibicións" not in page
