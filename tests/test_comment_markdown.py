"""Comments are written in a small Markdown: hostile input first, then what readers see.

The renderer is comments.formatting.render_comment; its output always passes nh3's allowlist.
"""

import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

from comments.formatting import MAX_NESTING, render_comment
from comments.models import Comment

PAYLOADS = [
    line
    for line in (Path(__file__).parent / "xss_payloads.txt").read_text("utf-8").splitlines()
    if line.strip() and not line.startswith("# ")
]
ALLOWED = {
    "p": set(),
    "br": set(),
    "strong": set(),
    "em": set(),
    "b": set(),
    "i": set(),
    "a": {"href", "rel", "class"},
    "blockquote": set(),
    "ul": set(),
    "ol": {"start"},
    "li": set(),
    "code": set(),
}


class Markup(HTMLParser):
    """What a browser would build from the HTML: its tags, attributes and deepest nesting."""

    def __init__(self, html):
        super().__init__(convert_charrefs=True)
        self.tags, self.hrefs, self.depth, self.deepest, self.text = [], [], 0, 0, []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self.hrefs += [value for name, value in attrs if name == "href"]
        if tag not in {"br"}:
            self.depth += 1
            self.deepest = max(self.deepest, self.depth)

    def handle_endtag(self, tag):
        self.depth -= 1

    def handle_data(self, data):
        self.text.append(data)


# nh3 keeps these on any tag (ammonia's generic attributes): text, never an address or script.
GENERIC = {"title", "lang"}


def assert_inert(html):
    markup = Markup(html)
    for tag, attrs in markup.tags:
        assert tag in ALLOWED, (tag, html)
        assert set(attrs) <= ALLOWED[tag] | GENERIC, (tag, attrs, html)
    for href in markup.hrefs:
        # What a browser makes of it: whitespace and control characters go, case folds.
        squeezed = "".join(ch for ch in href if ord(ch) > 0x20).lower()
        assert squeezed.startswith(("http://", "https://", "mailto:", "/")), href
    return markup


# ---------- Hostile input ----------


@pytest.mark.parametrize("payload", PAYLOADS)
def test_every_xss_payload_renders_inert(payload):
    for body in (payload, f"**{payload}**", f"> {payload}", f"- {payload}", f"[{payload}](x)"):
        assert_inert(render_comment(body))


@pytest.mark.parametrize(
    "body",
    [
        "[click](javascript:alert(1))",
        "[click](JaVaScRiPt:alert(1))",
        "[click]( javascript:alert(1) )",
        "[click](<javascript:alert(1)>)",
        "[click](java&#115;cript:alert(1))",
        "[click](&#106;avascript:alert(1))",
        "[click](javascript&colon;alert(1))",
        "[click](java\\script:alert(1))",
        "[click](\x01javascript:alert(1))",
        '[click](javascript:alert(1) "title")',
        "[click][evil]\n\n[evil]: javascript:alert(1)",
        "[evil]\n\n[evil]: <javascript:alert(1)>",
        "[click][evil]\n\n[evil]: JAVASCRIPT:alert(1) 'title'",
        "<javascript:alert(1)>",
        "<JAVASCRIPT:alert(1)>",
        "<vbscript:msgbox(1)>",
        "[click](vbscript:msgbox(1))",
        "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
        "<data:text/html,<script>alert(1)</script>>",
        "[click](file:///etc/passwd)",
        "![x](javascript:alert(1))",
        "javascript:alert(1)",
        "[a](https://ok.example)[b](javascript:alert(1))",
    ],
)
def test_no_markdown_link_form_carries_a_script_address(body):
    html = render_comment(body)
    markup = assert_inert(html)
    assert not any("script" in href.lower() or "data:" in href for href in markup.hrefs)
    assert "<img" not in html


@pytest.mark.parametrize(
    "body",
    [
        "![a cat](https://cats.example/cat.png)",
        '![a cat](https://cats.example/cat.png "title")',
        "![a cat][cat]\n\n[cat]: https://cats.example/cat.png",
        '<img src="https://cats.example/cat.png">',
        "<picture><source srcset=x></picture>",
    ],
)
def test_images_never_render(body):
    html = render_comment(body)
    assert "<img" not in html and "<picture" not in html and "<source" not in html
    assert_inert(html)


def test_raw_html_is_shown_as_the_text_typed():
    html = render_comment('<b>bold?</b> <a href="/x">link?</a> <u>u</u>')
    assert html == (
        '<p>&lt;b&gt;bold?&lt;/b&gt; &lt;a href="/x"&gt;link?&lt;/a&gt; &lt;u&gt;u&lt;/u&gt;</p>'
    )


def test_headings_rules_code_blocks_and_tables_are_plain_paragraphs():
    html = render_comment(
        "# Big\n\n## Bigger\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n---\n\n    code"
    )
    tags = {tag for tag, _attrs in Markup(html).tags}
    assert tags <= {"p", "br"}
    assert "# Big" in html and "| a | b |" in html


@pytest.mark.parametrize(
    "bomb",
    [
        ">" * 10_000,
        "> " * 5_000,
        "- " * 5_000,
        "1. " * 3_000,
        "".join(">" * i + " x\n" for i in range(140)),
        "".join("  " * i + "- x\n" for i in range(95)),
        "*" * 10_000,
        "**_" * 3_000,
        "[" * 10_000,
        "[a](" * 2_500,
        "`" * 10_000,
        "<" * 10_000,
        "@" * 10_000,
        "*a " * 3_000,
        "http://x.example/" * 600,
    ],
)
def test_nesting_bombs_stay_shallow_and_small(bomb):
    html = render_comment(bomb)
    markup = assert_inert(html)
    # Quotes and lists stop nesting at markdown-it's maxNesting; the rest is text.
    assert markup.deepest <= MAX_NESTING + 2
    assert len(html) < 12 * len(bomb) + 100


def _calls(body):
    """How many Python functions rendering `body` calls: a cost that does not depend on time."""
    count = 0

    def profile(frame, event, arg):
        nonlocal count
        if event == "call":
            count += 1

    sys.setprofile(profile)
    try:
        render_comment(body)
    finally:
        sys.setprofile(None)
    return count


@pytest.mark.parametrize(
    "pattern",
    [
        "*a",
        "_a",
        "[",
        "[a](",
        "*_[`<",
        "> ",
        "- ",
        "a\n",
        "@a ",
        "**a** [b](https://c.example) `d` ",
        "<http://a.example> ",
    ],
)
def test_rendering_cost_grows_linearly_with_length(pattern):
    """A 10,000-character pathological body costs about twice a 5,000-character one, not four
    times (quadratic), and stays under a generous absolute bound."""
    half = (pattern * 10_000)[:5_000]
    full = (pattern * 10_000)[:10_000]
    small, large = _calls(half), _calls(full)
    assert large <= 2.5 * small + 2_000, (small, large)
    assert large < 1_500_000


# ---------- What readers write ----------


def test_bold_italic_links_quotes_lists_and_code_render():
    html = render_comment(
        "**Bold** and _italic_, *also*, __strong__.\n"
        "See [the report](https://x.example/report) or https://y.example/page.\n\n"
        "> Quoted\n> still quoted\n\n"
        "- one\n- two\n\n"
        "3. three\n4. four\n\n"
        "Use `git log` <mailto:desk@x.example>"
    )
    assert (
        "<strong>Bold</strong> and <em>italic</em>, <em>also</em>, <strong>strong</strong>" in html
    )
    assert '<a href="https://x.example/report" rel="nofollow ugc noopener">the report</a>' in html
    assert '<a href="https://y.example/page" rel="nofollow ugc noopener">' in html
    assert "</a>.</p>" in html  # the full stop ends the sentence, not the address
    assert "<blockquote>\n<p>Quoted<br>\nstill quoted</p>\n</blockquote>" in html
    assert "<ul>\n<li>one</li>\n<li>two</li>\n</ul>" in html
    assert '<ol start="3">\n<li>three</li>\n<li>four</li>\n</ol>' in html
    assert "<code>git log</code>" in html
    assert 'href="mailto:desk@x.example"' in html


def test_nothing_inside_code_becomes_a_link_or_markup():
    html = render_comment("`**no** https://x.example <b>`")
    assert html == "<p><code>**no** https://x.example &lt;b&gt;</code></p>"


def test_ampersand_entities_read_as_typed_as_they_always_did():
    assert render_comment("AT&amp;T &copy;") == "<p>AT&amp;amp;T &amp;copy;</p>"


# ---------- Existing comments, and the pages that show comments ----------

# What the HTML-subset renderer made of these before Markdown came, byte for byte.
LEGACY = {
    "One <b>bold</b> and <I>italic</I>\nline\n\nSee <a href='https://x.example/'>this</a>.": (
        "<p>One <b>bold</b> and <i>italic</i><br>line</p><p>See "
        '<a href="https://x.example/" rel="nofollow ugc noopener">this</a>.</p>'
    ),
    "**not bold** _not italic_ > not a quote\n- not a list": (
        "<p>**not bold** _not italic_ &gt; not a quote<br>- not a list</p>"
    ),
    '<a href="javascript:alert(1)">x</a> https://y.example/a.': (
        '<p>&lt;a href="javascript:alert(1)"&gt;x&lt;/a&gt; '
        '<a href="https://y.example/a" rel="nofollow ugc noopener">https://y.example/a</a>.</p>'
    ),
}


@pytest.mark.django_db
def test_comments_written_before_markdown_render_exactly_as_before(client, article, make_comment):
    for body, expected in LEGACY.items():
        comment = make_comment(article, body=body, markup=Comment.Markup.LEGACY_HTML)
        assert comment.body_html() == expected
    page = client.get(article.get_absolute_url()).content.decode()
    for expected in LEGACY.values():
        assert expected in page


@pytest.mark.django_db(transaction=True)
def test_the_migration_marks_every_existing_comment_as_legacy():
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    from articles.models import Article

    executor = MigrationExecutor(connection)
    executor.migrate([("comments", "0011_comment_classifier_score")])
    try:
        old = executor.loader.project_state([("comments", "0011_comment_classifier_score")]).apps
        story = old.get_model("articles", "Article").objects.create(
            headline="Old", slug="old-story", body="b"
        )
        old.get_model("comments", "Comment").objects.create(
            article_id=story.pk, author_name="Old", body="<b>hi</b>", reader_key="g:old"
        )
    finally:
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
    comment = Comment.objects.get(author_name="Old")
    assert comment.markup == Comment.Markup.LEGACY_HTML
    assert comment.body_html() == "<p><b>hi</b></p>"
    assert Article.objects.filter(slug="old-story").exists()


@pytest.mark.django_db
def test_a_new_comment_is_markdown_on_the_page_feed_and_api(client, article, make_comment):
    from rest_framework.test import APIClient

    make_comment(article, body="**Loud** <b>tag</b>")
    page = client.get(article.get_absolute_url()).content.decode()
    assert "<strong>Loud</strong> &lt;b&gt;tag&lt;/b&gt;" in page
    feed = client.get(f"/stories/{article.slug}/comments.atom").content.decode()
    assert "&lt;strong&gt;Loud&lt;/strong&gt; &amp;lt;b&amp;gt;tag" in feed
    results = APIClient().get(f"/api/articles/{article.slug}/comments/").json()["results"]
    assert results[0]["body_html"] == "<p><strong>Loud</strong> &lt;b&gt;tag&lt;/b&gt;</p>"


@pytest.mark.django_db
def test_an_edit_re_renders_and_a_legacy_comment_keeps_its_renderer(client, article, make_comment):
    from comments import services
    from comments.readers import Reader

    author = Reader(key="g:author", ip="203.0.113.9")
    new = make_comment(article, reader_key=author.key, body="plain")
    old = make_comment(
        article, reader_key=author.key, body="<b>old</b>", markup=Comment.Markup.LEGACY_HTML
    )
    services.comment_edit(comment=new, reader=author, body="now **loud** and `code`")
    services.comment_edit(comment=old, reader=author, body="<b>older</b> **stars**")
    page = client.get(article.get_absolute_url()).content.decode()
    assert "now <strong>loud</strong> and <code>code</code>" in page
    assert "<p><b>older</b> **stars**</p>" in page
    assert Comment.objects.get(pk=old.pk).markup == Comment.Markup.LEGACY_HTML
