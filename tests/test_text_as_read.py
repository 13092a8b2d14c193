"""The word rules see text as a person reads it; a name that renders blank is no name."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from rest_framework.test import APIClient

from comments import moderation
from comments.models import Comment, ModerationSettings
from comments.moderation import Check
from comments.readers import Reader
from comments.text import reading_form, renders_blank

pytestmark = pytest.mark.django_db

Status = Comment.Status
GUEST = Reader(key="g:guest", ip="203.0.113.7")


def listing(**words):
    config = ModerationSettings.load()
    for field, value in words.items():
        setattr(config, field, value)
    config.save()


def check_for(article, body):
    comment = Comment(article=article, reader_key=GUEST.key, author_name="R", body=body)
    return Check(comment=comment, reader=GUEST, config=ModerationSettings.load())


DISGUISES = {
    "zero-width space": "b\u200bad idea",
    "zero-width joiner": "b\u200dad idea",
    "word joiner and soft hyphen": "b\u2060a\u00add idea",
    "combining grapheme joiner": "b\u034fad idea",
    "tag characters": "b\U000e0061\U000e0062ad idea",
    "variation selectors": "b\ufe0fa\ufe00d idea",
    "mongolian selectors": "b\u180ba\u180fd idea",
    "hangul fillers": "b\u3164a\uffa0d\u115f\u1160 idea",
    "cyrillic look-alikes": "b\u0430d idea",  # Cyrillic a
    "greek look-alikes": "\u0392\u0391D idea",  # Greek capital beta and alpha
    "fullwidth letters": "\uff42\uff41\uff44 idea",
    "mathematical letters": "\U0001d41b\U0001d41a\U0001d41d idea",
}


@pytest.mark.parametrize("body", DISGUISES.values(), ids=DISGUISES.keys())
def test_disguised_banned_word_is_still_rejected(article, body):
    listing(banned_words="bad")
    decision = moderation.banned_words(check_for(article, body))
    assert decision is not None and decision.status == Status.REJECTED


@pytest.mark.parametrize("body", DISGUISES.values(), ids=DISGUISES.keys())
def test_disguised_suspect_word_is_still_held(article, body):
    listing(suspect_words="bad idea")
    decision = moderation.suspect_words(check_for(article, body))
    assert decision is not None and decision.status == Status.PENDING


def test_cyrillic_banned_word_is_caught_in_mixed_scripts(article):
    listing(banned_words="дурак")
    assert moderation.banned_words(check_for(article, "ты дуpaк"))  # Latin p and a inside


@pytest.mark.parametrize(
    "body",
    [
        "Feliz año nuevo, corazón.",
        "Un niño pequeño en la montaña",
        "Ça, c'est très naïf.",
        "Größe und Öl",
    ],
)
def test_ordinary_accented_words_are_not_mistaken_for_banned_ones(article, body):
    listing(banned_words="bad\nmoron\nidiot\nnina", suspect_words="crypto\ncoraz")
    assert moderation.banned_words(check_for(article, body)) is None
    assert moderation.suspect_words(check_for(article, body)) is None


def test_reading_form_keeps_ordinary_text_readable():
    assert reading_form("Feliz Año, CORAZÓN") == "feliz ano, corazon"
    assert reading_form("naïve café") == "naive cafe"


def test_repeated_text_disguised_with_invisibles_is_the_same_text(article, make_comment):
    make_comment(article, reader_key=GUEST.key, body="Buy my amazing course today")
    disguised = "Buy my am\u200bazing c\u043eurse t\ufe0foday"  # zero-width, Cyrillic o, VS16
    decision = moderation.repeated(check_for(article, disguised))
    assert decision is not None and decision.rule == "repeated"


BLANK_NAMES = {
    "hangul filler": "\u3164",
    "halfwidth hangul filler": "\uffa0\uffa0",
    "choseong and jungseong fillers": "\u115f\u1160",
    "braille blank": "\u2800\u2800\u2800",
    "ideographic and em spaces": "\u3000\u2003\u00a0",
    "zero-width characters": "\u200b\u200d\u2060",
    "combining marks alone": "\u0301\u0308",
    "tag characters": "\U000e0041\U000e0042",
}


@pytest.mark.parametrize("name", BLANK_NAMES.values(), ids=BLANK_NAMES.keys())
def test_blank_looking_names_are_recognised(name):
    assert renders_blank(name)


@pytest.mark.parametrize("name", ["Ada", "김민준", "José", "ㅤAda", "O'Brien", "李"])
def test_real_names_are_not_blank(name):
    assert not renders_blank(name)


@pytest.mark.parametrize("name", BLANK_NAMES.values(), ids=BLANK_NAMES.keys())
def test_form_refuses_a_name_that_renders_blank(client, article, comment_data, name):
    response = client.post(
        reverse("comment_post", args=[article.slug]), comment_data(article, author_name=name)
    )
    assert response.status_code == 400
    assert "Please tell us your name" in response.content.decode()
    assert not Comment.objects.exists()


@pytest.mark.parametrize("name", BLANK_NAMES.values(), ids=BLANK_NAMES.keys())
def test_api_refuses_a_name_that_renders_blank_naming_the_field(article, name):
    response = APIClient().post(
        f"/api/articles/{article.slug}/comments/",
        {"body": "Hello there", "author_name": name},
        format="json",
    )
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert [error["attr"] for error in errors] == ["author_name"]
    assert "Please tell us your name" in errors[0]["detail"]
    assert not Comment.objects.exists()


def test_sign_up_refuses_a_username_that_renders_blank(client):
    password = "a long enough passphrase 42"
    response = client.post(
        reverse("signup"), {"username": "\u3164", "password1": password, "password2": password}
    )
    assert response.status_code == 200 and "Please tell us your name" in response.content.decode()
    assert not get_user_model().objects.exists()
