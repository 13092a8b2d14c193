"""Browser fixtures: Debian's Chromium, driven by Playwright, against pytest-django's live server.

Playwright downloads no browser here: we launch the system Chromium (`CHROMIUM` or the usual
paths). Without one the suite skips locally and fails in CI (NEWSROOM_REQUIRE_BROWSER=1).
"""

import os
import re
import shutil
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client

from articles.demo import DEMO_STORY
from articles.models import Article

# The shared XSS helper asserts; let pytest explain its failures as it does in test modules.
pytest.register_assert_rewrite("tests.e2e.xss")

# Playwright's sync API runs an asyncio loop in this thread; Django would otherwise refuse ORM
# calls made from a test while a loop is running, although they are plain synchronous calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "1")

SCREENSHOTS = Path(settings.BASE_DIR) / "artifacts" / "screenshots"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]


def find_chromium():
    """Return the Chromium to drive: `CHROMIUM` when set (and only it), else the usual paths."""
    if os.environ.get("CHROMIUM"):
        candidates = [os.environ["CHROMIUM"]]
    else:
        candidates = ["/usr/bin/chromium", "/usr/bin/chromium-browser", shutil.which("chromium")]
    return next((path for path in candidates if path and os.access(path, os.X_OK)), None)


def no_browser(reason):
    if os.environ.get("NEWSROOM_REQUIRE_BROWSER") == "1":
        pytest.fail(f"{reason} (NEWSROOM_REQUIRE_BROWSER=1: the browser suite must run)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser():
    executable = find_chromium()
    if executable is None:
        no_browser(
            "no Chromium found: install Debian's chromium (apt-get install chromium) "
            "or set CHROMIUM=/path/to/chromium"
        )
    try:
        from playwright.sync_api import expect, sync_playwright
    except ImportError:
        no_browser("Playwright for Python is not installed (pip install -r requirements-dev.txt)")
    # CI shares two cores with a live server and a second test worker: give assertions the same
    # ten seconds as actions, rather than Playwright's five, so a slow moment is not a failure.
    expect.set_options(timeout=10_000)
    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(executable_path=executable, args=LAUNCH_ARGS)
    except Exception as error:
        playwright.stop()
        no_browser(f"Chromium at {executable} did not start: {error}")
    yield browser
    browser.close()
    playwright.stop()


@pytest.fixture
def new_page(browser, live_server, transactional_db):
    """Return a factory for pages on the live server: JavaScript on or off, phone or desktop.

    Each page records uncaught errors and console errors in `page.browser_errors`, so a test
    can assert that nothing broke (a CSP violation shows up there too).
    """
    contexts = []

    def make(*, javascript=True, viewport=DESKTOP, user=None, page_scripts=True, locale="en-US"):
        context = browser.new_context(
            base_url=live_server.url,
            java_script_enabled=javascript,
            viewport=viewport,
            is_mobile=viewport == PHONE,
            has_touch=viewport == PHONE,
            locale=locale,  # also the browser's Accept-Language
            reduced_motion="reduce",
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        if user is not None:
            log_in(context, live_server, user)
        if not page_scripts:
            # JavaScript stays on for the test's own evaluate() calls, but the site's scripts
            # never load: the page is what a reader without JavaScript gets.
            context.route(
                "**/*",
                lambda route: (
                    route.abort() if route.request.resource_type == "script" else route.continue_()
                ),
            )
        page = context.new_page()
        page.javascript = javascript
        page.browser_errors = []
        page.on("pageerror", lambda error: page.browser_errors.append(str(error)))
        page.on(
            "console",
            lambda message: (
                page.browser_errors.append(message.text) if message.type == "error" else None
            ),
        )
        return page

    yield make
    for context in contexts:
        context.close()


def log_in(context, live_server, user):
    """Give the browser the session of `user`, without typing a password into a form."""
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    context.add_cookies(
        [{"name": cookie.key, "value": cookie.value, "url": live_server.url, "httpOnly": True}]
    )


@pytest.fixture
def page(new_page):
    return new_page()


@pytest.fixture
def page_without_js(new_page):
    return new_page(javascript=False)


@pytest.fixture
def phone_page(new_page):
    return new_page(viewport=PHONE)


@pytest.fixture(params=[True, False], ids=["js", "no-js"])
def any_page(request, new_page):
    """The same test with JavaScript on and off: every page must work either way."""
    return new_page(javascript=request.param)


@pytest.fixture
def editor(transactional_db):
    return get_user_model().objects.create_user(
        "editor", "editor@example.com", "correct horse battery staple", is_staff=True
    )


@pytest.fixture
def editor_page(new_page, editor):
    return new_page(user=editor)


@pytest.fixture
def screenshot():
    """Save a full-page screenshot to artifacts/screenshots/<name>.png and return its path."""

    def save(page, name):
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / (re.sub(r"[^\w.-]+", "-", name) + ".png")
        page.screenshot(path=str(path), full_page=True)
        return path

    return save


@pytest.fixture
def demo_story(transactional_db):
    """The demo newsroom from `manage.py load_demo`, with whatever comments it brings."""
    call_command("load_demo", stdout=StringIO())
    return Article.objects.get(slug=DEMO_STORY["slug"])


@pytest.fixture
def check_accessibility(new_page):
    """Run axe-core (bundled with axe-playwright-python, no network) and fail on serious issues.

    axe-core is itself a script, and waits on timers a JavaScript-off page never fires; so a
    JavaScript-off page is audited as the same URL reloaded with the site's scripts blocked.
    """
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()

    def check(page):
        if not page.javascript:
            page, url = new_page(viewport=page.viewport_size, page_scripts=False), page.url
            page.goto(url)
        results = axe.run(page)
        serious = [
            f"{v['id']} ({v['impact']}): {v['help']} at "
            + ", ".join(str(node["target"]) for node in v["nodes"][:5])
            for v in results.response["violations"]
            if v["impact"] in {"serious", "critical"}
        ]
        assert serious == [], f"axe-core found serious violations on {page.url}:\n" + "\n".join(
            serious
        )
        return results

    return check


# ---------- Comment journeys (issue 7) ----------
@pytest.fixture
def open_comment_forms(settings):
    """Let a browser post as fast as a test types: no minimum form age, no rate limits."""
    settings.NEWSROOM = {
        **settings.NEWSROOM,
        "COMMENT_MIN_SECONDS": 0,
        "COMMENT_RATE": "10000/m",
        "COMMENT_NETWORK_RATE": "10000/m",
        "REACTION_RATE": "10000/m",
        "REACTION_NETWORK_RATE": "10000/m",
    }


@pytest.fixture
def discussed_story(transactional_db, open_comment_forms):
    """A published story with one approved comment by another reader, ready to discuss."""
    from datetime import timedelta

    from django.utils import timezone

    from comments.models import Comment

    article = Article.objects.create(
        headline="Harbour ferry timetable changes",
        slug="harbour-ferry",
        caption="The ferry at dawn.",
        body="The first ferry now leaves at six.\n\nThe last one at midnight.",
        status=Article.Status.PUBLISHED,
        published_at=timezone.now() - timedelta(hours=1),
    )
    Comment.objects.create(
        article=article,
        reader_key="g:someone-else",
        author_name="Grace",
        body="Finally, an earlier boat.",
        status=Comment.Status.APPROVED,
    )
    return article
