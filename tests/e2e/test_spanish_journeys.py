"""The reader's journey in Spanish, in Chromium, JavaScript on and off.

The steps of test_reader_journeys.py, found by their Spanish roles, names and labels: a browser
set to Spanish (`es-US`, so its Accept-Language) gets the site in Spanish, and a reader who
presses "Español" keeps it on every page after. The account journey runs in both languages in
test_account_journey.py.
"""

import re

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from playwright.sync_api import expect

from comments.models import Comment, CommentLike, CommentReport, Reaction

from .conftest import PHONE

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "una contraseña larga del ferry 42"
NEW_PASSWORD = "otra contraseña larga del ferry 7"


@pytest.fixture(params=[True, False], ids=["js", "no-js"])
def spanish_page(request, new_page):
    return new_page(javascript=request.param, locale="es-US")


def by_author(page, name):
    return page.get_by_role("article", name=name, exact=True)


def reaction(page, label):
    bar = page.get_by_role("region", name="¿Qué opinas?")
    return bar.get_by_role("button", name=re.compile(rf"^{label},"))


def announced(page, text):
    expect(page.get_by_role("status").filter(has_text=text).first).to_be_attached()


def post_as_guest(form, *, name, body):
    form.get_by_label("Nombre").fill(name)
    form.get_by_label("Comentario").fill(body)


def test_an_english_reader_switches_to_spanish_and_it_sticks(any_page, discussed_story):
    page = any_page
    page.goto(discussed_story.get_absolute_url())
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.get_by_role("button", name="Español").click()
    expect(page).to_have_url(re.compile(re.escape(discussed_story.get_absolute_url()) + "$"))
    expect(page.locator("html")).to_have_attribute("lang", "es")
    expect(page.get_by_role("form", name="Únete a la conversación")).to_be_visible()
    page.get_by_role("link", name="Iniciar sesión").click()
    expect(page.get_by_role("button", name="Iniciar sesión")).to_be_visible()
    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("button", name="Log in")).to_be_visible()
    assert page.browser_errors == []


def test_a_spanish_reader_reacts_posts_replies_likes_and_reports(
    spanish_page, discussed_story, post_moderated_site
):
    page = spanish_page
    page.goto(reverse("articles:list"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Últimas noticias")
    page.get_by_role("link", name=discussed_story.headline).click()
    expect(page.locator("html")).to_have_attribute("lang", "es")

    reaction(page, "Me entristece").click()
    expect(reaction(page, "Me entristece")).to_have_accessible_name(
        "Me entristece, 1 reacción, 100% del total"
    )
    reaction(page, "Me encanta").click()
    expect(reaction(page, "Me encanta")).to_have_attribute("aria-pressed", "true")
    expect(reaction(page, "Me entristece")).to_have_accessible_name(
        "Me entristece, 0 reacciones, 0% del total"
    )
    assert list(Reaction.objects.values_list("kind", flat=True)) == ["love"]
    if page.javascript:
        announced(page, "Tu reacción: Me encanta.")

    form = page.get_by_role("form", name="Únete a la conversación")
    post_as_guest(form, name="Ana", body="¿Seguirá el autobús nocturno?")
    form.get_by_role("button", name="Publicar comentario").click()
    expect(by_author(page, "Ana")).to_contain_text("¿Seguirá el autobús nocturno?")
    announced(page, "Tu comentario está publicado")
    page.goto(discussed_story.get_absolute_url())  # without JavaScript: back from its thread

    by_author(page, "Grace").get_by_role("button", name="Responder").click()
    form = page.get_by_role("form", name="Responder a Grace")
    post_as_guest(form, name="Beto", body="Por fin, un barco más temprano.")
    form.get_by_role("button", name="Publicar respuesta").click()
    expect(by_author(page, "Beto")).to_contain_text("Por fin, un barco más temprano.")
    assert Comment.objects.get(author_name="Beto").parent.author_name == "Grace"

    by_author(page, "Grace").get_by_role("button", name="Me gusta").click()
    expect(by_author(page, "Grace").get_by_role("button", name="Me gusta")).to_have_attribute(
        "aria-pressed", "true"
    )
    expect(by_author(page, "Grace")).to_contain_text("1 me gusta")
    assert CommentLike.objects.count() == 1

    by_author(page, "Grace").get_by_role("button", name="Denunciar").click()
    form = page.get_by_role("form", name="Denunciar el comentario de Grace")
    form.get_by_role("radio", name="Fuera de tema").check()
    form.get_by_label("Detalles (opcional)").fill("Habla de trenes, no de ferris.")
    form.get_by_role("button", name="Enviar denuncia").click()
    announced(page, "Gracias, un moderador lo revisará.")
    report = CommentReport.objects.get()
    assert (report.reason, report.text) == ("off_topic", "Habla de trenes, no de ferris.")
    # What readers wrote is never translated.
    expect(by_author(page, "Grace")).to_contain_text("Finally, an earlier boat.")
    assert page.browser_errors == []


def test_a_spanish_reader_fixes_a_refused_comment(spanish_page, discussed_story):
    page = spanish_page
    page.goto(discussed_story.get_absolute_url())
    form = page.get_by_role("form", name="Únete a la conversación")
    form.get_by_label("Nombre").fill("Ana")
    form.get_by_role("button", name="Publicar comentario").click()
    expect(page.locator("#id_body-errors")).to_have_text(
        "Escribe un comentario antes de publicar, por favor."
    )
    assert not Comment.objects.filter(author_name="Ana").exists()
    page.browser_errors.clear()  # the refused post's 400, which the reader was just shown
    form = page.get_by_role("form", name="Únete a la conversación")
    form.get_by_label("Comentario").fill("Ahora sí, con texto.")
    form.get_by_role("button", name="Publicar comentario").click()
    expect(by_author(page, "Ana")).to_contain_text("Pendiente de moderación")
    assert page.browser_errors == []


@pytest.mark.parametrize("viewport", [PHONE, {"width": 1280, "height": 900}], ids=["390", "1280"])
def test_spanish_pages_fit_the_screen(new_page, discussed_story, viewport, screenshot):
    """Longer Spanish labels wrap inside the page: nothing is wider than the screen."""
    reader = get_user_model().objects.create_user("lectora", "lectora@example.com", PASSWORD)
    Comment.objects.create(
        article=discussed_story,
        reader_key=f"u:{reader.pk}",
        user=reader,
        author_name="lectora",
        body="Un comentario retenido.",
        status=Comment.Status.PENDING,
    )
    guest = new_page(viewport=viewport, locale="es-US")
    account = new_page(viewport=viewport, locale="es-US", user=reader)
    width = viewport["width"]
    pages = [
        ("story", guest, discussed_story.get_absolute_url()),
        ("signup", guest, reverse("signup")),
        ("login", guest, reverse("login")),
        ("privacy", guest, reverse("accounts:privacy")),
        ("password-reset", guest, reverse("password_reset")),
        ("story-account", account, discussed_story.get_absolute_url()),
        ("account", account, reverse("accounts:profile")),
        ("account-delete", account, reverse("accounts:delete")),
    ]
    for name, page, url in pages:
        page.goto(url)
        if name == "story":
            page.get_by_role("button", name="Denunciar").click()  # the report form, opened
        expect(page.locator("html")).to_have_attribute("lang", "es")
        too_wide = page.evaluate(
            """(width) => Array.from(document.querySelectorAll("body *"))
                 .filter(el => el.getBoundingClientRect().right > width + 1
                               && getComputedStyle(el).position !== "absolute")
                 .map(el => el.tagName + "." + el.className)""",
            width,
        )
        assert too_wide == [], f"{name} at {width}px: {too_wide[:5]}"
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        screenshot(page, f"es-{name}-{width}")
    assert guest.browser_errors == [] and account.browser_errors == []
