"""
Emoji as pictures: the reaction bar shows a shipped SVG (Twemoji, CC-BY 4.0, static/emoji/) for
an emoji it has, so the bar looks the same on a machine without a colour emoji font. An emoji an
editor chose that has no file falls back to the text emoji.
"""

import functools

from django.conf import settings
from django.templatetags.static import static

EMOJI_DIR = settings.BASE_DIR / "static" / "emoji"
VARIATION_SELECTOR = "\ufe0f"
ZERO_WIDTH_JOINER = "\u200d"


def twemoji_name(emoji):
    """Return Twemoji's file name for `emoji`: its code points in hex, joined by "-".

    Twemoji drops the emoji variation selector except inside joined sequences ("❤️" is 2764).
    """
    if ZERO_WIDTH_JOINER not in emoji:
        emoji = emoji.replace(VARIATION_SELECTOR, "")
    return "-".join(f"{ord(char):x}" for char in emoji.strip())


@functools.cache
def _shipped():
    return frozenset(path.stem for path in EMOJI_DIR.glob("*.svg"))


def emoji_image_url(emoji):
    """Return the URL of the shipped picture of `emoji`, or "" when there is none."""
    name = twemoji_name(emoji or "")
    return static(f"emoji/{name}.svg") if name and name in _shipped() else ""
