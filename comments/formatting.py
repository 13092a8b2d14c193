"""
What readers type, cleaned on the way in and rendered safely on the way out.

Readers may use a small subset of HTML: <b>, <strong>, <i>, <em> and <a href="...">; a blank line
starts a paragraph and a newline breaks a line; bare web addresses become links. Every other
character, tags included, is shown as the reader typed it. The result always passes through nh3
with an allowlist, so nothing a reader types can run script, whatever the tokenizer below misses.
"""

import html
import re
import unicodedata

import nh3
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# Bidirectional overrides and isolates let a comment display text in an order other than the
# one it is stored in ("Trojan Source"); the invisible characters hide text from moderators.
BIDI_CONTROLS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"
INVISIBLES = "\u200b\u2060\u2061\u2062\u2063\u2064\ufeff\u180e\u00ad"
STRIPPED = re.compile(f"[{BIDI_CONTROLS}{INVISIBLES}]")
# Joiners are needed inside emoji sequences and in Persian or Indic words, so they are kept
# there; only runs of them, and joiners touching whitespace or the ends, are removed.
STRAY_JOINERS = re.compile(
    r"(?<![^\s\u200c\u200d])[\u200c\u200d]+|[\u200c\u200d]+(?![^\s\u200c\u200d])"
)
JOINER_RUNS = re.compile(r"([\u200c\u200d])[\u200c\u200d]+")
# Real text stacks at most a few marks on a letter (Vietnamese two, pointed Hebrew four);
# "Zalgo" text stacks dozens to spill over the lines around it.
MAX_COMBINING_MARKS = 6

ALLOWED_TAGS = {"p", "br", "b", "strong", "i", "em", "a"}
LINK_REL = "nofollow ugc noopener"
TOKENS = re.compile(
    r"""(?P<open></?(?:b|strong|i|em)>)"""
    r"""|(?P<link><a\s+href\s*=\s*(?P<q>["'])(?P<href>[^"'<>]*)(?P=q)\s*>)"""
    r"""|(?P<close></a>)"""
    r"""|(?P<url>\bhttps?://[^\s<>"']+[^\s<>"'.,;:!?)\]])""",
    re.IGNORECASE,
)
SAFE_HREF = re.compile(r"(?:https?://|mailto:)[^\s]+$", re.IGNORECASE)


def clean_text(value, *, multiline=True):
    """Return `value` normalised, without invisible or direction-changing characters.

    Raise ValidationError for undecodable bytes, control characters and runaway combining marks.
    """
    if "\ufffd" in (value or ""):
        # What a form decoder makes of bytes that are not UTF-8; the reader's text is lost there.
        raise ValidationError(
            _("Some of your text could not be read (it was not valid UTF-8). Please retype it."),
            code="invalid_encoding",
        )
    value = unicodedata.normalize("NFC", value or "")
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    value = value.replace("\u2028", "\n").replace("\u2029", "\n\n").replace("\t", " ")
    value = STRIPPED.sub("", value)
    value = JOINER_RUNS.sub(r"\1", STRAY_JOINERS.sub("", value))
    marks = 0
    for char in value:
        category = unicodedata.category(char)
        if category in {"Cc", "Cs", "Co", "Cn"} and char != "\n":
            raise ValidationError(
                _("Please remove the invisible control characters from your text."),
                code="control_characters",
            )
        marks = marks + 1 if category in {"Mn", "Me"} else 0
        if marks > MAX_COMBINING_MARKS:
            raise ValidationError(
                _("Your text stacks too many accents on one letter. Please simplify it."),
                code="combining_marks",
            )
    if not multiline:
        return " ".join(value.split())
    lines = [line.rstrip() for line in value.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def _tokens_to_html(text):
    """Escape `text`, keeping the allowed tags and turning bare addresses into links."""
    out, position, in_link = [], 0, False
    for match in TOKENS.finditer(text):
        out.append(html.escape(text[position : match.start()]))
        position = match.end()
        href = (match["href"] or "").strip()
        if match["open"]:
            out.append(match["open"].lower())
        elif match["link"] and not in_link and SAFE_HREF.match(href):
            out.append(f'<a href="{html.escape(href)}">')
            in_link = True
        elif match["close"] and in_link:
            out.append("</a>")
            in_link = False
        elif match["url"] and not in_link:
            url = html.escape(match["url"])
            out.append(f'<a href="{url}">{url}</a>')
        else:
            out.append(html.escape(match.group()))
    out.append(html.escape(text[position:]))
    if in_link:
        out.append("</a>")
    return "".join(out)


def render_comment(body):
    """Return the safe HTML for a comment body."""
    paragraphs = [p for p in (body or "").split("\n\n") if p.strip()]
    markup = "".join(
        "<p>" + _tokens_to_html(p.strip()).replace("\n", "<br>") + "</p>" for p in paragraphs
    )
    return nh3.clean(
        markup,
        tags=ALLOWED_TAGS,
        attributes={"a": {"href"}},
        url_schemes={"http", "https", "mailto"},
        link_rel=LINK_REL,
        strip_comments=True,
    )
