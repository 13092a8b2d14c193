"""The home page and a story read well on a phone and a desktop, and leave screenshots."""

import pytest
from django.urls import reverse

from .conftest import DESKTOP, PHONE

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

VIEWPORTS = pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])


def assert_fits_the_screen(page):
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the page scrolls sideways by {overflow}px"


@VIEWPORTS
def test_home_page_lists_stories_on_any_screen(new_page, demo_story, viewport, screenshot):
    page = new_page(viewport=viewport)
    page.goto(reverse("articles:list"))
    headline = page.get_by_role("heading", level=2, name=demo_story.headline)
    assert headline.is_visible()
    assert (
        page.get_by_role("navigation", name="Account")
        .get_by_role("link", name="Log in")
        .is_visible()
    )
    assert_fits_the_screen(page)
    assert page.browser_errors == []
    name = "phone" if viewport == PHONE else "desktop"
    screenshot(page, f"home-{name}")

    headline.get_by_role("link").click()
    assert page.get_by_role("heading", level=1).inner_text() == demo_story.headline


@VIEWPORTS
def test_story_page_reads_well_on_any_screen(new_page, demo_story, viewport, screenshot):
    page = new_page(viewport=viewport)
    page.goto(demo_story.get_absolute_url())
    assert page.get_by_role("heading", level=1).inner_text() == demo_story.headline
    assert page.get_by_text(demo_story.caption).is_visible()
    assert page.get_by_text("Council approves peak-hour toll for the Harbour Bridge").is_visible()
    assert page.get_by_role("heading", name="What do you think?").is_visible()
    assert page.get_by_role("navigation", name="More stories").is_visible()
    body_size = page.locator(".story__body p").first.evaluate(
        "el => parseFloat(getComputedStyle(el).fontSize)"
    )
    assert body_size >= 16, "body text must be readable without zooming"
    assert_fits_the_screen(page)
    assert page.browser_errors == []
    name = "phone" if viewport == PHONE else "desktop"
    screenshot(page, f"story-{name}")


def test_story_page_works_without_javascript(page_without_js, demo_story, screenshot):
    page_without_js.goto(demo_story.get_absolute_url())
    assert page_without_js.get_by_role("heading", level=1).inner_text() == demo_story.headline
    assert (
        page_without_js.get_by_role("navigation", name="Account")
        .get_by_role("link", name="Log in")
        .is_visible()
    )
    screenshot(page_without_js, "story-desktop-no-js")
