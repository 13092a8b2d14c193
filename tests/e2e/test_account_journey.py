"""A new reader's whole account, in Chromium: sign up, confirm from the mail, post, reset the
password, take their data away and leave; in English and in Spanish (a browser set to es-US).
The links the reader follows are the ones in the mail (Django's in-memory outbox; the worker runs
the mail task at once)."""

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

# What the reader reads and types, by the browser's language.
WORDS = {
    "en-US": {
        "body": "Signed up just to say thanks.",
        "create an account": "create an account",
        "Username": "Username",
        "Email": "Email",
        "Password": "Password",
        "Password confirmation": "Password confirmation",
        "Sign up": "Sign up",
        "Join the conversation": "Join the conversation",
        "Posting as": "Posting as harbourfan.",
        "send the link again": "send the link again",
        "Comment": "Comment",
        "Post comment": "Post comment",
        "confirm first": "Please confirm your email address before posting",
        "confirmation mail": "Please confirm this email address",
        "Confirm my address": "Confirm my address",
        "is confirmed": "fan@example.com is confirmed",
        "Log out": "Log out",
        "Send reset link": "Send reset link",
        "New password": "New password",
        "New password confirmation": "New password confirmation",
        "password": "password",
        "Username or email": "Username or email",
        "Log in": "Log in",
        "Your account": "Your account",
        "My comments": "My comments",
        "Approved": "Approved",
        "Download": "Download everything we hold about you (JSON)",
        "Delete your account": "Delete your account",
        "Keep them": "Keep them, signed “a former reader”",
        "Your password": "Your password",
        "Delete my account": "Delete my account",
        "is deleted": "Your account is deleted.",
        "a former reader": "a former reader",
    },
    "es-US": {
        "body": "Me registré solo para dar las gracias.",
        "create an account": "crea una cuenta",
        "Username": "Nombre de usuario",
        "Email": "Correo electrónico",
        "Password": "Contraseña",
        "Password confirmation": "Contraseña (confirmación)",
        "Sign up": "Crear cuenta",
        "Join the conversation": "Únete a la conversación",
        "Posting as": "Publicas como harbourfan.",
        "send the link again": "pide que te lo enviemos de nuevo",
        "Comment": "Comentario",
        "Post comment": "Publicar comentario",
        "confirm first": "Confirma tu correo electrónico antes de publicar",
        "confirmation mail": "Confirma este correo electrónico",
        "Confirm my address": "Confirmar mi dirección",
        "is confirmed": "fan@example.com está confirmado",
        "Log out": "Cerrar sesión",
        "Send reset link": "Enviar enlace",
        "New password": "Contraseña nueva",
        "New password confirmation": "Contraseña nueva (confirmación)",
        "password": "contraseña",
        "Username or email": "Usuario o correo electrónico",
        "Log in": "Iniciar sesión",
        "Your account": "Tu cuenta",
        "My comments": "Mis comentarios",
        "Approved": "Aprobado",
        "Download": "Descargar todo lo que guardamos sobre ti (JSON)",
        "Delete your account": "Borrar tu cuenta",
        "Keep them": "Conservarlos, firmados «un antiguo lector»",
        "Your password": "Tu contraseña",
        "Delete my account": "Borrar mi cuenta",
        "is deleted": "Tu cuenta está borrada.",
        "a former reader": "un antiguo lector",
    },
}


def link_in(message, path):
    return re.search(rf"(https?://\S+{path}\S+)", message.body).group(1)


@pytest.mark.parametrize("locale", WORDS, ids=["en", "es"])
@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_a_new_reader_signs_up_confirms_posts_resets_exports_and_leaves(
    settings, new_page, live_server, discussed_story, post_moderated_site, javascript, locale
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.NEWSROOM = {**settings.NEWSROOM, "SITE_URL": live_server.url}
    words = WORDS[locale]
    page = new_page(javascript=javascript, locale=locale)
    page.goto(discussed_story.get_absolute_url())
    page.get_by_role("link", name=words["create an account"]).click()
    page.get_by_label(words["Username"]).fill("harbourfan")
    page.get_by_label(words["Email"]).fill("fan@example.com")
    page.get_by_label(words["Password"], exact=True).fill(PASSWORD)
    page.get_by_label(words["Password confirmation"]).fill(PASSWORD)
    page.get_by_role("button", name=words["Sign up"]).click()

    # Not confirmed yet: the form says why it cannot post, and how to get the link again.
    form = page.get_by_role("form", name=words["Join the conversation"])
    expect(form).to_contain_text(words["Posting as"])
    expect(form.get_by_role("link", name=words["send the link again"])).to_be_visible()
    form.get_by_label(words["Comment"]).fill(words["body"])
    form.get_by_role("button", name=words["Post comment"]).click()
    # In the form (with JavaScript the live region says it too, for screen readers).
    expect(form.get_by_text(words["confirm first"])).to_be_visible()
    assert not Comment.objects.filter(user__username="harbourfan").exists()
    page.browser_errors.clear()  # the refused post's 403, which the reader was just shown

    [confirmation] = mail.outbox
    assert words["confirmation mail"] in confirmation.body
    page.goto(link_in(confirmation, "/accounts/confirm/"))
    page.get_by_role("button", name=words["Confirm my address"]).click()
    expect(page.get_by_role("status")).to_contain_text(words["is confirmed"])

    page.goto(discussed_story.get_absolute_url())
    form = page.get_by_role("form", name=words["Join the conversation"])
    form.get_by_label(words["Comment"]).fill(words["body"])
    form.get_by_role("button", name=words["Post comment"]).click()
    expect(page.get_by_role("article", name="harbourfan", exact=True)).to_contain_text(
        words["body"]
    )

    # Forgot the password: reset it from the mail, log in with the email address.
    page.get_by_role("button", name=words["Log out"]).click()
    page.goto("/accounts/password_reset/")
    page.get_by_label(words["Email"]).fill("fan@example.com")
    page.get_by_role("button", name=words["Send reset link"]).click()
    page.goto(link_in(mail.outbox[-1], "/accounts/reset/"))
    page.get_by_label(words["New password"], exact=True).fill(NEW_PASSWORD)
    page.get_by_label(words["New password confirmation"]).fill(NEW_PASSWORD)
    page.get_by_role("button", name=re.compile(words["password"], re.I)).click()
    page.goto("/accounts/login/")
    page.get_by_label(words["Username or email"]).fill("fan@example.com")
    page.get_by_label(words["Password"]).fill(NEW_PASSWORD)
    page.get_by_role("button", name=words["Log in"]).click()
    page.get_by_role("link", name=words["Your account"]).click()

    mine = page.get_by_role("region", name=words["My comments"])
    expect(mine).to_contain_text(words["body"])
    expect(mine).to_contain_text(words["Approved"])
    with page.expect_download() as download:
        page.get_by_role("link", name=words["Download"]).click()
    data = json.loads(open(download.value.path()).read())
    assert data["account"]["email"] == "fan@example.com"
    assert [c["text"] for c in data["comments"]] == [words["body"]]

    page.get_by_role("link", name=words["Delete your account"]).click()
    page.get_by_label(words["Keep them"]).check()
    page.get_by_label(words["Your password"]).fill(NEW_PASSWORD)
    page.get_by_role("button", name=words["Delete my account"]).click()
    expect(page.get_by_text(words["is deleted"])).to_be_visible()
    assert not get_user_model().objects.filter(username="harbourfan").exists()
    page.goto(discussed_story.get_absolute_url())
    expect(page.get_by_role("article", name=words["a former reader"], exact=True)).to_contain_text(
        words["body"]
    )
    assert page.browser_errors == []
