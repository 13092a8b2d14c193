"""
What readers type, cleaned on the way in and rendered safely on the way out.

Comments are written in a small part of Markdown (`Comment.Markup.MARKDOWN`): bold, italic,
links, block quotes, lists and inline code, parsed by markdown-it-py with raw HTML off and only
those rules on; a newline breaks a line, bare web addresses become links and `@name` mentions of
someone in the thread link to their comment. Headings, tables, images and tags are shown as the
reader typed them. Comments written before Markdown (`Comment.Markup.LEGACY_HTML`) keep their
renderer: a small subset of HTML (<b>, <strong>, <i>, <em>, <a href="...">) and paragraphs.

Both pass through nh3 with one allowlist, so nothing a reader types can run script, whatever a
parser misses: links keep only http, https and mailto addresses (or a path on this site, which
only mentions write) and are marked `nofollow ugc`.
"""

import html
import re
import unicodedata

import nh3
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from markdown_it import MarkdownIt
from markdown_it.token import Token

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

ALLOWED_TAGS = {"p", "br", "b", "strong", "i", "em", "a", "blockquote", "ul", "ol", "li", "code"}
LINK_REL = "nofollow ugc noopener"
# A bare web address, without the punctuation that usually ends the sentence around it.
URL = r"""\bhttps?://[^\s<>"']+[^\s<>"'.,;:!?)\]]"""
BARE_URL = re.compile(URL, re.IGNORECASE)
TOKENS = re.compile(
    r"""(?P<open></?(?:b|strong|i|em)>)"""
    r"""|(?P<link><a\s+href\s*=\s*(?P<q>["'])(?P<href>[^"'<>]*)(?P=q)\s*>)"""
    r"""|(?P<close></a>)"""
    rf"""|(?P<url>{URL})""",
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


def _legacy_html(body):
    """The markup of a comment written before Markdown: paragraphs and the small HTML subset."""
    paragraphs = [p for p in (body or "").split("\n\n") if p.strip()]
    return "".join(
        "<p>" + _tokens_to_html(p.strip()).replace("\n", "<br>") + "</p>" for p in paragraphs
    )


# Markdown: the "zero" preset (paragraphs and text only) with the rules readers know turned on.
# No "html" (tags are text), "image", "heading", "lheading", "table", "code", "fence", "hr" or
# "entity" ("&amp;" reads as typed, as it always did). maxNesting caps how deep quotes and lists
# go; past it the rest is text, so a "> > > ..." bomb costs what its length costs.
MARKDOWN_RULES = [
    "emphasis",
    "link",
    "reference",
    "autolink",
    "blockquote",
    "list",
    "backticks",
    "newline",
    "escape",
]
MAX_NESTING = 20
MENTION_AT = re.compile(r"(?<!\w)@(?=\w)")


def _link_tokens(href, text, *, css_class=None):
    opening = Token("link_open", "a", 1, attrs={"href": href})
    if css_class:
        opening.attrSet("class", css_class)
    return [opening, Token("text", "", 0, content=text), Token("link_close", "a", -1)]


def _split_text(content, mentions, env):
    """Return tokens for a run of plain text: its bare addresses and @mentions made links."""
    spots = [(m.start(), m.end(), m.group(), None) for m in BARE_URL.finditer(content)]
    if mentions is not None and "@" in content:
        for m in MENTION_AT.finditer(content):
            if any(start <= m.start() < end for start, end, *_ in spots):
                continue
            found = mentions.match(content, m.end())
            if found is not None:
                end, target = found
                spots.append((m.start(), end, mentions.href(target), target))
    if not spots:
        return None
    tokens, position = [], 0
    for start, end, href, target in sorted(spots):
        if start < position:
            continue
        tokens.append(Token("text", "", 0, content=content[position:start]))
        text = content[start:end]
        tokens.extend(_link_tokens(href, text, css_class="mention" if target else None))
        if target is not None:
            env.setdefault("mentioned", []).append(target)
        position = end
    tokens.append(Token("text", "", 0, content=content[position:]))
    return tokens


def _link_addresses_and_mentions(state):
    """Core rule: link bare addresses and @mentions in text that is not already in a link."""
    mentions = state.env.get("mentions")
    for block in state.tokens:
        if block.type != "inline" or not block.children:
            continue
        children, in_link = [], 0
        for token in block.children:
            in_link += {"link_open": 1, "link_close": -1}.get(token.type, 0)
            made = None
            if token.type == "text" and not in_link:
                made = _split_text(token.content, mentions, state.env)
            children.extend(made or [token])
        block.children = children


markdown = MarkdownIt("zero", {"breaks": True, "html": False, "maxNesting": MAX_NESTING})
markdown.enable(MARKDOWN_RULES)
# Readers link only to web and mail addresses (markdown-it's own check allows any scheme it does
# not know to be bad, and relative paths); a link with any other address stays text. Mentions,
# which this module writes, are the only paths on this site.
markdown.validateLink = lambda url: SAFE_HREF.match(url) is not None
markdown.core.ruler.push("addresses_and_mentions", _link_addresses_and_mentions)


def _markdown_html(body, mentions=None, env=None):
    env = {} if env is None else env
    env["mentions"] = mentions
    return markdown.render(body or "", env)


def sanitise(markup):
    """Return `markup` with only the allowlisted tags, attributes and link addresses."""
    return nh3.clean(
        markup,
        tags=ALLOWED_TAGS,
        attributes={"a": {"href"}, "ol": {"start"}},
        allowed_classes={"a": {"mention"}},
        url_schemes={"http", "https", "mailto"},
        link_rel=LINK_REL,
        strip_comments=True,
    )


def render_comment(body, *, markup="markdown", mentions=None, env=None):
    """Return the safe HTML for a comment body written in `markup` ("markdown" or "html").

    `mentions` (a `comments.mentions.Mentions`) links `@name`s to comments in the thread; the
    comments linked are listed in `env["mentioned"]` when an `env` dict is given.
    """
    if markup == "html":
        return sanitise(_legacy_html(body))
    return sanitise(_markdown_html(body, mentions, env)).strip()
