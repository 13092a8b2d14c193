"""WCAG checks in Chromium: axe-core on every reader page, and a keyboard that can get around."""

import pytest
from django.urls import reverse

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_home_page_has_no_serious_accessibility_issue(page, demo_story, check_accessibility):
    page.goto(reverse("articles:list"))
    check_accessibility(page)


def test_story_page_has_no_serious_accessibility_issue(any_page, demo_story, check_accessibility):
    any_page.goto(demo_story.get_absolute_url())
    check_accessibility(any_page)


@pytest.mark.parametrize("url_name", ["login", "signup"])
def test_account_pages_have_no_serious_accessibility_issue(page, url_name, check_accessibility):
    page.goto(reverse(url_name))
    check_accessibility(page)


def test_account_form_errors_have_no_serious_accessibility_issue(page, check_accessibility):
    page.goto(reverse("login"))
    page.get_by_label("Username").fill("nobody")
    page.get_by_label("Password").fill("wrong password")
    page.get_by_role("button", name="Log in").click()
    assert page.get_by_role("alert").is_visible()
    check_accessibility(page)


def focus_ring(page):
    """Describe how the focused element is drawn, so a test can tell it apart from the rest."""
    return page.evaluate(
        """() => {
          const style = getComputedStyle(document.activeElement);
          return {outline: style.outlineStyle, width: parseFloat(style.outlineWidth),
                  shadow: style.boxShadow};
        }"""
    )


def test_skip_link_is_first_stop_and_jumps_to_the_story(page, demo_story):
    page.goto(demo_story.get_absolute_url())
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    assert skip.evaluate("el => el === document.activeElement")
    box = skip.bounding_box()
    assert box["x"] >= 0 and box["y"] >= 0, "the skip link must be on screen once focused"
    ring = focus_ring(page)
    assert ring["outline"] != "none" and ring["width"] >= 2

    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('main') !== null")


def test_every_link_and_button_shows_visible_focus(page, demo_story):
    page.goto(demo_story.get_absolute_url())
    stops = page.locator("a:visible, button:visible, input:visible, textarea:visible").count()
    visited = 0
    for _ in range(stops):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement === document.body"):
            break  # Past the last stop: focus left the page.
        visited += 1
        name = page.evaluate("document.activeElement.outerHTML.slice(0, 80)")
        ring = focus_ring(page)
        assert (ring["outline"] != "none" and ring["width"] >= 2) or ring["shadow"] != "none", (
            f"no visible focus on {name}"
        )
    assert visited >= 10, f"only {visited} keyboard stops on the story page"
