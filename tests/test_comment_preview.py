"""The comment box's live preview: the server's renderer, behind CSRF, a rate limit and the
length limit."""

import pytest
from django.test import Client

from comments.formatting import render_comment
from comments.models import Comment

pytestmark = pytest.mark.django_db

URL = "/comments/preview/"


def test_a_preview_without_a_csrf_token_is_refused():
    browser = Client(enforce_csrf_checks=True)
    assert browser.post(URL, {"body": "**hi**"}).status_code == 403


def test_only_post_is_answered(client):
    assert client.get(URL, {"body": "**hi**"}).status_code == 405


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("x" * 3001, "the limit is 3000"),
        ("bell\x07", "control characters"),
        ("a" + "\u0301" * 20, "too many accents"),
        ("bad \ufffd bytes", "not valid UTF-8"),
    ],
)
def test_junk_and_overlong_drafts_get_a_clear_message_and_no_html(client, body, message):
    response = client.post(URL, {"body": body})
    assert response.status_code == 400
    assert message in response.json()["error"]
    assert "html" not in response.json()
    assert not Comment.objects.exists()


def test_a_flood_of_previews_is_slowed_down(client, settings):
    settings.NEWSROOM = {**settings.NEWSROOM, "PREVIEW_RATE": "3/m"}
    answers = [client.post(URL, {"body": "hi"}).status_code for _ in range(5)]
    assert answers == [200, 200, 200, 429, 429]
    response = client.post(URL, {"body": "hi"})
    assert int(response["Retry-After"]) >= 1 and "resting" in response.json()["error"]


@pytest.mark.parametrize(
    "body",
    [
        "**bold** _it_ [link](https://x.example) > q",
        "<script>alert(1)</script> [x](javascript:alert(1)) ![i](https://x.example/i.png)",
        "- a\n- b\n\n`code` https://y.example.",
    ],
)
def test_the_preview_is_exactly_what_the_page_will_show(client, body):
    response = client.post(URL, {"body": body})
    assert response.status_code == 200
    assert response.json()["html"] == render_comment(body)
    assert "<script" not in response.json()["html"]
    assert 'href="javascript' not in response.json()["html"]


def test_an_empty_draft_previews_as_nothing(client):
    assert client.post(URL, {"body": "  \n "}).json() == {"html": ""}


def test_the_comment_box_offers_formatting_help_and_a_preview(client, article):
    html = client.get(article.get_absolute_url()).content.decode()
    assert '<details class="formatting-help">' in html
    assert "<summary>Formatting help</summary>" in html
    assert f'data-preview="{URL}" hidden' in html
