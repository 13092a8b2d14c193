"""The reaction bar's emoji are shipped pictures where we have one, text otherwise; the label
stays each button's accessible name."""

import re

import pytest

from comments.emoji import emoji_image_url, twemoji_name
from comments.models import ReactionKind

pytestmark = pytest.mark.django_db


def bar(client, article):
    html = client.get(article.get_absolute_url()).content.decode()
    return re.findall(r'<button class="reaction".*?</button>', html, flags=re.S)


@pytest.mark.parametrize(
    "emoji",
    ["<script>", "../../settings", "\u202e😀", "😀" * 8, "x", "\ufe0f", " "],
)
def test_an_editors_odd_emoji_is_text_and_never_a_path(client, article, emoji):
    ReactionKind.objects.filter(key="like").update(emoji=emoji)
    [like] = [button for button in bar(client, article) if 'value="like"' in button]
    assert "<img" not in like
    assert "<script>" not in like
    assert emoji_image_url(emoji) == ""


def test_default_reactions_show_shipped_pictures_hidden_from_screen_readers(client, article):
    buttons = bar(client, article)
    assert len(buttons) == 6
    for button in buttons:
        [img] = re.findall(r"<img [^>]+>", button)
        assert 'alt=""' in img and re.search(r'src="/static/emoji/[0-9a-f-]+\.svg"', img)
        assert '<span class="reaction__emoji" aria-hidden="true"><img' in button
        # The accessible name is the label with its figures, not the picture.
        assert re.search(r'aria-label="(Like|Love|Funny|Wow|Sad|Angry), ', button)


def test_an_emoji_without_a_shipped_picture_falls_back_to_text(client, article):
    ReactionKind.objects.filter(key="wow").update(emoji="🦄")
    [wow] = [button for button in bar(client, article) if 'value="wow"' in button]
    assert '<span class="reaction__emoji" aria-hidden="true">🦄</span>' in wow


def test_emoji_are_named_as_twemoji_names_its_files():
    assert twemoji_name("❤️") == "2764"  # the variation selector is dropped
    assert twemoji_name("👍🏽") == "1f44d-1f3fd"
    assert twemoji_name("👨\u200d💻") == "1f468-200d-1f4bb"
    assert emoji_image_url("❤") == emoji_image_url("❤️") == "/static/emoji/2764.svg"
