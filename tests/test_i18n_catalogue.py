"""Every string a reader or an editor sees is translated, and the Spanish catalogue is complete.

- Templates: no visible text (or aria-label, title, alt, placeholder) outside `{% translate %}` /
  `{% blocktranslate %}`, but for the few words in ALLOWED.
- `locale/es/LC_MESSAGES/django.po`: every message has a Spanish translation that is not fuzzy
  and keeps the English one's placeholders; the committed `.mo` says the same as the `.po`.
- With GNU gettext installed (CI installs it): `makemessages` finds no source string that the
  committed catalogue lacks. When this fails, run `make messages`, translate, and commit.
"""

import os
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.template.base import Lexer, TokenType

BASE = Path(settings.BASE_DIR)
TEMPLATES = BASE / "templates"
LOCALE = BASE / "locale"
LANGUAGES = [code for code, _name in settings.LANGUAGES if code != settings.LANGUAGE_CODE]

# Words that are the same in every language: the site's name.
ALLOWED = {"newsroom"}
# Blocks that hold no visible text (class names, links to stylesheets), and elements whose text
# is the same in every language (keyboard keys, Markdown syntax in the formatting help's samples).
HIDDEN_BLOCKS = {"bodyclass", "extrastyle", "extrahead", "meta", "frame_data"}
HIDDEN_ELEMENTS = {"script", "style", "kbd", "code"}
VISIBLE_ATTRIBUTES = {"aria-label", "title", "alt", "placeholder", "aria-description"}
HOLE = "\x00"  # where a variable or a translated string sits in the flattened template


def flatten(source):
    """Return the template's literal text, every tag and variable replaced by HOLE.

    Text inside `{% blocktranslate %}` and `{% comment %}` is dropped: it is translated, or
    never shown.
    """
    out, skipping = [], None
    for token in Lexer(source).tokenize():
        if token.token_type == TokenType.BLOCK:
            name, *args = token.contents.split() or [""]
            if skipping is None and name in ("blocktranslate", "blocktrans", "comment"):
                skipping = {"comment": "endcomment"}.get(name, "end" + name)
            elif skipping is None and name == "block" and args and args[0] in HIDDEN_BLOCKS:
                skipping = "endblock"
            elif name == skipping:
                skipping = None
            # A tag can sit inside an HTML tag (`<div{% if %} class{% endif %}>`): only a
            # translated string stands for text.
            if name in ("translate", "trans"):
                out.append(HOLE)
        elif token.token_type == TokenType.TEXT and skipping is None:
            out.append(token.contents)
        elif token.token_type == TokenType.VAR:
            out.append(HOLE)
    return "".join(out)


def untranslated(text):
    words = re.findall(r"[^\W\d_][\w'’-]*", text.replace(HOLE, " "))
    return any(word not in ALLOWED for word in words)


class VisibleText(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found, self.hidden = [], 0

    def handle_starttag(self, tag, attrs):
        if tag in HIDDEN_ELEMENTS:
            self.hidden += 1
        for name, value in attrs:
            if name in VISIBLE_ATTRIBUTES and value and untranslated(value):
                self.found.append(f'{name}="{value.strip()}"')

    def handle_endtag(self, tag):
        if tag in HIDDEN_ELEMENTS:
            self.hidden -= 1

    def handle_data(self, data):
        if not self.hidden and untranslated(data):
            self.found.append(data.replace(HOLE, "…").strip())


def visible_untranslated(path):
    text = flatten(path.read_text())
    if path.suffix == ".txt":  # mail bodies: every word is shown
        return [line.strip() for line in text.splitlines() if untranslated(line)]
    parser = VisibleText()
    parser.feed(text)
    return parser.found


def test_flatten_finds_untranslated_text_and_ignores_translated_text(tmp_path):
    page = tmp_path / "page.html"
    page.write_text(
        '{% load i18n %}<p title="Hover me">{% translate "Fine" %} Not fine {{ name }}</p>'
        "{% blocktranslate %}Also fine {{ x }}{% endblocktranslate %}"
        '{% comment %}Notes{% endcomment %}<a href="{% url "x" %}">newsroom</a>'
    )
    assert visible_untranslated(page) == ['title="Hover me"', "… Not fine …"]


@pytest.mark.parametrize(
    "path", sorted(TEMPLATES.rglob("*.*")), ids=lambda p: str(p.relative_to(TEMPLATES))
)
def test_template_shows_no_untranslated_text(path):
    assert visible_untranslated(path) == [], (
        f"{path.relative_to(BASE)} shows text not marked for translation: wrap it in "
        "{% translate %} or {% blocktranslate %} (or, for a sign that is the same in every "
        "language, add it to ALLOWED here)"
    )


# ---------- The catalogue ----------

PLACEHOLDERS = re.compile(r"%\([^)]+\)[sdif]|%[sdif]|\{[^{}]*\}")


def placeholders(text):
    return sorted(PLACEHOLDERS.findall(text))


def catalogues():
    return [
        LOCALE / code / "LC_MESSAGES" / f"{domain}.po"
        for code in LANGUAGES
        for domain in ("django", "djangojs")
        if (LOCALE / code / "LC_MESSAGES" / f"{domain}.po").exists()
    ]


def test_every_language_has_a_catalogue():
    for code in LANGUAGES:
        assert (LOCALE / code / "LC_MESSAGES" / "django.po").exists(), code


@pytest.mark.parametrize("po_path", catalogues(), ids=lambda p: str(p.relative_to(LOCALE)))
def test_catalogue_is_complete_and_keeps_placeholders(po_path):
    catalogue = polib.pofile(str(po_path))
    problems = []
    for entry in catalogue:
        if entry.obsolete:
            continue
        if entry.fuzzy:
            problems.append(f"fuzzy: {entry.msgid!r}")
        forms = [entry.msgid, entry.msgid_plural] if entry.msgid_plural else [entry.msgid]
        translations = list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]
        for translation in translations:
            if not translation.strip():
                problems.append(f"untranslated: {entry.msgid!r}")
            elif "python-format" in entry.flags or "python-brace-format" in entry.flags:
                if placeholders(translation) != placeholders(forms[-1]) and placeholders(
                    translation
                ) != placeholders(forms[0]):
                    problems.append(f"placeholders differ: {entry.msgid!r} -> {translation!r}")
            elif placeholders(translation) != placeholders(entry.msgid) and "%(" in entry.msgid:
                problems.append(f"placeholders differ: {entry.msgid!r} -> {translation!r}")
    assert problems == [], "\n".join(problems)


@pytest.mark.parametrize("po_path", catalogues(), ids=lambda p: str(p.relative_to(LOCALE)))
def test_compiled_catalogue_matches_its_source(po_path):
    """The committed .mo is what compiling the .po gives: run `make messages` after editing."""
    mo_path = po_path.with_suffix(".mo")
    assert mo_path.exists(), f"{mo_path.relative_to(BASE)} is missing: run `make messages`"
    expected = {
        (entry.msgctxt, entry.msgid): entry.msgstr_plural or entry.msgstr
        for entry in polib.pofile(str(po_path)).translated_entries()
    }
    compiled = {
        (entry.msgctxt, entry.msgid): entry.msgstr_plural or entry.msgstr
        for entry in polib.mofile(str(mo_path))
        if entry.msgid
    }
    stale = {
        key for key in expected.keys() | compiled.keys() if expected.get(key) != compiled.get(key)
    }
    assert not stale, f"{mo_path.name} is out of date for: {sorted(stale, key=str)[:10]}"


def test_catalogue_lacks_no_source_string(tmp_path):
    """makemessages, run on a copy, finds nothing that the committed catalogue lacks."""
    if shutil.which("xgettext") is None:
        if os.environ.get("NEWSROOM_REQUIRE_GETTEXT") == "1":
            pytest.fail("xgettext not found (NEWSROOM_REQUIRE_GETTEXT=1): apt-get install gettext")
        pytest.skip("GNU gettext (xgettext) is not installed")
    copy = tmp_path / "site"
    shutil.copytree(
        BASE,
        copy,
        ignore=shutil.ignore_patterns(
            ".venv",
            ".git",
            "bench",
            "tests",
            "staticfiles",
            "artifacts",
            "*.sqlite3*",
            "node_modules",
        ),
        symlinks=True,
    )
    subprocess.run(
        [sys.executable, "manage.py", *MAKEMESSAGES, "-l", LANGUAGES[0]],
        cwd=copy,
        check=True,
        capture_output=True,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "newsroom.settings"},
    )
    for domain in ("django", "djangojs"):
        fresh_path = copy / "locale" / LANGUAGES[0] / "LC_MESSAGES" / f"{domain}.po"
        if not fresh_path.exists():
            continue
        committed = {
            (e.msgctxt, e.msgid)
            for e in polib.pofile(str(LOCALE / LANGUAGES[0] / "LC_MESSAGES" / f"{domain}.po"))
        }
        missing = [
            entry.msgid
            for entry in polib.pofile(str(fresh_path))
            if (entry.msgctxt, entry.msgid) not in committed
        ]
        assert missing == [], (
            f"{domain}.po lacks strings the code has: run `make messages`, translate, commit. "
            f"{missing[:10]}"
        )


# The same arguments as `make messages` (Makefile), so the two cannot drift apart.
MAKEMESSAGES = [
    "makemessages",
    "--no-obsolete",
    "--ignore=.venv",
    "--ignore=bench",
    "--ignore=tests",
    "--ignore=staticfiles",
    "--ignore=artifacts",
]
