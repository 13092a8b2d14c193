"""WCAG checks in Chromium: axe-core on every reader page, and a keyboard that can get around."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

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


# ---------- A story with a live conversation (issue 7) ----------
def test_story_with_comments_and_reactions_has_no_serious_accessibility_issue(
    any_page, discussed_story, check_accessibility
):
    from comments.models import Comment

    grace = Comment.objects.get(author_name="Grace")
    Comment.objects.create(
        article=discussed_story,
        parent=grace,
        thread_id=grace.pk,
        depth=1,
        reader_key="g:hal",
        author_name="Hal",
        body="Agreed, <b>much</b> better.",
        status=Comment.Status.APPROVED,
        like_count=2,
    )
    any_page.goto(discussed_story.get_absolute_url())
    reactions = any_page.get_by_role("region", name="What do you think?")
    reactions.get_by_role("button", name=re.compile(r"^Wow,")).click()
    expect(reactions.get_by_role("button", name=re.compile(r"^Wow, 1 reaction"))).to_be_visible()
    check_accessibility(any_page)


def test_keyboard_alone_reacts_and_posts_a_comment_with_focus_always_visible(page, discussed_story):
    page.goto(discussed_story.get_absolute_url())

    def tab_to(locator, limit=60):
        for _ in range(limit):
            page.keyboard.press("Tab")
            if locator.evaluate("el => el === document.activeElement"):
                ring = focus_ring(page)
                assert (ring["outline"] != "none" and ring["width"] >= 2) or (
                    ring["shadow"] != "none"
                ), f"no visible focus on {locator}"
                return
        raise AssertionError(f"{locator} never received keyboard focus")

    wow = page.get_by_role("button", name=re.compile(r"^Wow,"))
    tab_to(wow)
    page.keyboard.press("Enter")
    expect(wow).to_have_attribute("aria-pressed", "true")

    form = page.get_by_role("form", name="Join the conversation")
    tab_to(form.get_by_label("Name"))
    page.keyboard.type("Keyboard Kim")
    tab_to(form.get_by_label("Comment"))
    page.keyboard.type("Posted without touching a mouse.")
    tab_to(form.get_by_role("button", name="Post comment"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("article", name="Keyboard Kim")).to_contain_text("without touching")
    # The script moves focus to the new comment, so a keyboard reader is not left behind.
    assert page.evaluate("document.activeElement.closest('article')?.id") == page.get_by_role(
        "article", name="Keyboard Kim"
    ).get_attribute("id")
