"""A story's conversation embedded in another site's page, in Chromium with third-party cookies
blocked.

The host pages are plain HTML served from 127.0.0.1 while the live server answers on localhost:
two different sites to the browser (ports alone would not make another site), so our frame is
third-party there, exactly as on a newspaper's own domain.
"""

import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from playwright.sync_api import expect

from comments.models import Comment, CommentReport, Reaction
from embeds.models import EmbeddedPage, EmbedSite

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

BLOCK_THIRD_PARTY_COOKIES = {
    "profile": {"cookie_controls_mode": 1, "block_third_party_cookies": True}
}


class Pages(BaseHTTPRequestHandler):
    """Serves `server.pages[path]` as HTML; a path ending in `?cookies` sets two test cookies."""

    def log_message(self, *args):
        pass

    def do_GET(self):
        path = self.path.split("?")[0]
        body = self.server.pages.get(path)
        if body is None:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        if self.path.endswith("?cookies"):
            self.send_header("Set-Cookie", "plain=1; Path=/; SameSite=None; Secure")
            self.send_header("Set-Cookie", "kept=1; Path=/; SameSite=None; Secure; Partitioned")
        self.end_headers()
        seen = self.headers.get("Cookie", "")
        self.wfile.write(body.replace("{cookies}", seen).encode())


@pytest.fixture
def serve():
    """Serve pages from 127.0.0.1 on a port of their own; return the server's origin."""
    servers = []

    def start(pages):
        server = ThreadingHTTPServer(("127.0.0.1", 0), Pages)
        server.pages = pages
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.fixture
def blocked_page(browser, tmp_path, live_server):
    """A page in a Chromium profile that blocks third-party cookies (Settings > Privacy)."""
    from tests.e2e.conftest import LAUNCH_ARGS, find_chromium

    (tmp_path / "Default").mkdir()
    (tmp_path / "Default" / "Preferences").write_text(json.dumps(BLOCK_THIRD_PARTY_COOKIES))
    context = browser.browser_type.launch_persistent_context(
        str(tmp_path),
        executable_path=find_chromium(),
        args=LAUNCH_ARGS,
        headless=True,
        locale="en-US",
        viewport={"width": 1000, "height": 900},
        reduced_motion="reduce",
    )
    context.set_default_timeout(10_000)
    page = context.pages[0] if context.pages else context.new_page()
    page.browser_errors = []
    page.on("pageerror", lambda error: page.browser_errors.append(str(error)))
    yield page
    context.close()


def host_page(live_server, *, story=None, url=None, counts=(), title="Harbour news"):
    """A plain page of another site: embeds by slug and/or by URL, and count elements."""
    embeds = []
    for attribute in ([f'data-story="{story}"'] if story else []) + (
        [f'data-url="{url}"'] if url else []
    ):
        fallback = f"{live_server.url}/"
        embeds.append(
            f'<div data-newsroom-embed><a href="{fallback}">Comments</a></div>'
            f'<script src="{live_server.url}/embed/loader.js" {attribute} async></script>'
        )
    spans = "".join(
        f'<p>Story {n}: <span data-newsroom-count="{key}">comments</span></p>'
        for n, key in enumerate(counts)
    )
    script = f'<script src="{live_server.url}/embed/count.js" async></script>' if counts else ""
    return (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{title}</title>'
        f"</head><body><main><h1>{title}</h1>{''.join(embeds)}{spans}{script}</main></body></html>"
    )


def frame_of(page, index=0):
    """The embedded frame, once its scripts run (frame.js, after site.js, marks the page)."""
    frame = page.frame_locator("iframe").nth(index)
    expect(frame.locator("html.embed--sized")).to_be_attached()
    return frame


def sized(page):
    """Wait until the first frame is as tall as its content, as it tells the host."""
    content = "() => Math.ceil(document.documentElement.getBoundingClientRect().height)"
    frame = page.locator("iframe").first
    # The first iframe's own document (page.frames lists frames in the order they attached, which
    # for two frames loading side by side is not the order on the page).
    inside = frame.element_handle().content_frame()
    inner = inside.evaluate(content)
    expect(frame).to_have_attribute("style", re.compile(rf"height: {inner}px"))
    # No scroll bar inside: the frame's viewport holds all of its content.
    scroll = "() => document.documentElement.scrollHeight - window.innerHeight"
    assert inside.evaluate(scroll) <= 0
    return inner


def test_the_test_browser_really_blocks_unpartitioned_third_party_cookies(blocked_page, serve):
    """Without this, the journeys below would prove nothing about third-party cookies."""
    frame_origin = serve({"/probe": "<p id=seen>{cookies}</p>"}).replace("127.0.0.1", "localhost")
    host = serve({"/": f'<iframe title="probe" src="{frame_origin}/probe?cookies"></iframe>'})
    blocked_page.goto(f"{host}/")
    expect(blocked_page.frame_locator("iframe").locator("#seen")).to_be_attached()
    blocked_page.reload()
    seen = blocked_page.frame_locator("iframe").locator("#seen")
    expect(seen).to_have_text("kept=1")  # partitioned: kept; plain third-party: dropped


def test_a_reader_reacts_posts_replies_and_reports_inside_embeds_with_cookies_blocked(
    blocked_page, serve, live_server, discussed_story
):
    page = blocked_page
    pages = {}
    host = serve(pages)
    EmbedSite.objects.create(name="Harbour Gazette", origins=host, auto_create_stories=True)
    page_url = f"{host}/2026/ferry-fares"
    pages["/"] = host_page(live_server, story=discussed_story.slug, url=page_url)
    page.goto(f"{host}/")

    by_slug, by_url = frame_of(page, 0), frame_of(page, 1)
    expect(by_slug.get_by_role("article", name="Grace")).to_be_visible()
    expect(by_url.get_by_role("heading", name="Comments")).to_be_visible()
    made = EmbeddedPage.objects.get()
    assert made.url == page_url and made.article.headline == "Harbour news"

    # React: the frame keeps its reader in a partitioned cookie, so a reload still knows them.
    bar = by_slug.get_by_role("region", name="What do you think?")
    bar.get_by_role("button", name=re.compile(r"^Love,")).click()
    expect(bar.get_by_role("button", name=re.compile(r"^Love,"))).to_have_attribute(
        "aria-pressed", "true"
    )
    page.reload()
    bar = frame_of(page, 0).get_by_role("region", name="What do you think?")
    expect(bar.get_by_role("button", name=re.compile(r"^Love,"))).to_have_attribute(
        "aria-pressed", "true"
    )

    # Post, then reply to someone else.
    by_slug = frame_of(page, 0)
    form = by_slug.get_by_role("form", name="Join the conversation")
    form.get_by_label("Name").fill("Ada")
    form.get_by_label("Comment").fill("Posted from the gazette.")
    form.get_by_role("button", name="Post comment").click()
    expect(by_slug.get_by_role("article", name="Ada")).to_contain_text("Posted from the gazette.")

    by_slug.get_by_role("article", name="Grace").get_by_role("button", name="Reply").click()
    reply = by_slug.get_by_role("form", name="Reply to Grace")
    reply.get_by_label("Name").fill("Ada")
    reply.get_by_label("Comment").fill("And a reply, still framed.")
    reply.get_by_role("button", name="Post reply").click()
    expect(by_slug.get_by_text("And a reply, still framed.")).to_be_visible()

    # Report.
    by_slug.get_by_role("article", name="Grace").get_by_role("button", name="Report").click()
    report = by_slug.get_by_role("form", name="Report the comment by Grace")
    report.get_by_role("radio", name="Off topic").check()
    report.get_by_role("button", name="Send report").click()
    expect(
        by_slug.get_by_role("status").filter(has_text="a moderator will look at it").first
    ).to_be_attached()

    # And on the page embedded by its URL, the same reader posts.
    by_url = frame_of(page, 1)
    form = by_url.get_by_role("form", name="Join the conversation")
    form.get_by_label("Comment").fill("On the fares page.")
    if form.get_by_label("Name").input_value() == "":
        form.get_by_label("Name").fill("Ada")
    form.get_by_role("button", name="Post comment").click()
    expect(by_url.get_by_role("article", name="Ada")).to_contain_text("On the fares page.")

    ada = set(Comment.objects.filter(author_name="Ada").values_list("reader_key", flat=True))
    assert len(ada) == 1  # one reader in both frames on this site
    assert Reaction.objects.get().reader_key in ada
    assert CommentReport.objects.get().reason == "off_topic"
    assert Comment.objects.get(body="And a reply, still framed.").parent.author_name == "Grace"
    assert Comment.objects.get(body="On the fares page.").article_id == made.article_id

    # The frame is as tall as its conversation: no scroll bar inside it.
    assert sized(page) > 480
    assert page.browser_errors == []


def test_a_listing_page_fills_three_counts_with_one_request(
    blocked_page, serve, live_server, discussed_story, make_article
):
    page = blocked_page
    pages = {}
    host = serve(pages)
    site = EmbedSite.objects.create(name="Harbour Gazette", origins=host)
    quiet = make_article(headline="Quiet story", slug="quiet-story")
    by_url = make_article(headline="Fares", slug="fares")
    EmbeddedPage.objects.create(site=site, url=f"{host}/fares", article=by_url)
    for body in ("One", "Two"):
        Comment.objects.create(
            article=by_url, reader_key="g:x", author_name="Bo", body=body, status="approved"
        )
    keys = [discussed_story.slug, f"{host}/fares?utm_source=home", quiet.slug]
    pages["/"] = host_page(live_server, counts=keys)
    asked = []
    page.on(
        "request",
        lambda request: asked.append(request.url) if "/embed/counts" in request.url else None,
    )
    page.goto(f"{host}/")
    counts = page.locator("[data-newsroom-count]")
    expect(counts.nth(0)).to_have_text("1 comment")
    expect(counts.nth(1)).to_have_text("2 comments")
    expect(counts.nth(2)).to_have_text("0 comments")
    assert len(asked) == 1


def test_a_page_from_an_origin_not_allowed_gets_no_frame_and_no_counts(
    blocked_page, serve, live_server, discussed_story
):
    page = blocked_page
    allowed = serve({})
    EmbedSite.objects.create(name="Harbour Gazette", origins=allowed)
    pages = {}
    stranger = serve(pages)  # same host, another port: another origin, not listed
    pages["/"] = host_page(live_server, story=discussed_story.slug, counts=[discussed_story.slug])
    with (
        page.expect_console_message(lambda message: "frame-ancestors" in message.text),
        page.expect_console_message(lambda message: "CORS" in message.text),
    ):
        page.goto(f"{stranger}/")
    expect(page.frame_locator("iframe").get_by_role("heading", name="Comments")).to_have_count(0)
    expect(page.locator("[data-newsroom-count]")).to_have_text("comments")


def test_a_reader_logs_in_likes_sorts_edits_and_deletes_inside_the_frame(
    blocked_page, serve, live_server, discussed_story, screenshot
):
    from django.contrib.auth import get_user_model

    get_user_model().objects.create_user("ada", "ada@example.com", "a long passphrase here")
    page = blocked_page
    pages = {}
    host = serve(pages)
    EmbedSite.objects.create(name="Harbour Gazette", origins=host)
    pages["/"] = host_page(live_server, story=discussed_story.slug)
    page.goto(f"{host}/")
    frame = frame_of(page)

    frame.get_by_role("link", name="Log in").click()  # stays in the frame
    frame.get_by_label("Username").fill("ada")
    frame.get_by_label("Password").fill("a long passphrase here")
    frame.get_by_role("button", name="Log in").click()
    frame = frame_of(page)
    expect(frame.get_by_text("Posting as")).to_contain_text("ada")
    assert len(page.context.pages) == 1

    grace = frame.get_by_role("article", name="Grace")
    grace.get_by_role("button", name="Like").click()
    expect(grace.get_by_role("button", name="Like")).to_have_attribute("aria-pressed", "true")

    form = frame.get_by_role("form", name="Join the conversation")
    form.get_by_label("Comment").fill("Signed in, framed.")
    form.get_by_role("button", name="Post comment").click()
    mine = frame.get_by_role("article", name="ada")
    expect(mine).to_contain_text("Signed in, framed.")

    frame.get_by_role("link", name="Newest").click()
    expect(frame.get_by_role("link", name="Newest")).to_have_attribute("aria-current", "true")
    expect(frame.locator("[data-thread-list] > li").first).to_contain_text("Signed in, framed.")

    mine.get_by_role("button", name="Edit").click()
    edit = frame.get_by_role("form", name="Edit your comment")
    edit.get_by_label("Comment").fill("Signed in, framed, edited.")
    edit.get_by_role("button", name="Save changes").click()
    expect(mine).to_contain_text("edited.")

    mine.get_by_role("button", name="Delete").click()
    frame.get_by_role("form", name="Delete your comment").get_by_role(
        "button", name="Delete comment"
    ).click()
    expect(frame.get_by_text("Signed in, framed, edited.")).to_have_count(0)
    assert Comment.objects.get(body="Signed in, framed, edited.").deleted_at is not None
    assert len(page.context.pages) == 1  # nothing opened a tab of ours
    assert page.browser_errors == []
    for width in (390, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        sized(page)
        screenshot(page, f"embed-host-{width}")


def test_the_frame_follows_the_host_pages_dark_preference_and_colours(
    blocked_page, serve, live_server, discussed_story
):
    page = blocked_page
    page.emulate_media(color_scheme="dark")
    pages = {}
    host = serve(pages)
    EmbedSite.objects.create(name="Harbour Gazette", origins=host)
    html = host_page(live_server, story=discussed_story.slug)
    pages["/"] = html.replace(
        "<div data-newsroom-embed>",
        '<div data-newsroom-embed style="--newsroom-accent: #005a9c; '
        '--newsroom-link: url(https://evil.example/x)">',
    )
    page.goto(f"{host}/")
    frame = frame_of(page)
    root = frame.locator("html")
    expect(root).to_have_attribute("data-theme", "dark")
    style = page.frames[1].evaluate(
        "() => [getComputedStyle(document.documentElement).getPropertyValue('--accent'),"
        " getComputedStyle(document.documentElement).getPropertyValue('--link')]"
    )
    assert style[0].strip() == "#005a9c"  # the host's colour
    assert "evil" not in style[1]  # a value that could reach out is dropped
    page.emulate_media(color_scheme="light")  # the reader switches: the frame follows
    expect(root).to_have_attribute("data-theme", "light")


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_the_frame_is_accessible_in_either_theme(
    new_page, check_accessibility, live_server, discussed_story, theme, screenshot
):
    EmbedSite.objects.create(name="Harbour Gazette", origins="http://127.0.0.1:9")
    page = new_page()
    page.goto(f"/embed/{discussed_story.slug}/")
    # Opened on its own, the frame page takes its theme from its address as the loader gives it.
    page.evaluate(f"() => document.documentElement.setAttribute('data-theme', '{theme}')")
    expect(page.get_by_role("heading", name="Comments")).to_be_visible()
    check_accessibility(page)
    screenshot(page, f"embed-frame-{theme}")
