"""The reader page's rough edges (issue 16), in Chromium: reports, Esc, posting, picks."""

import pytest
from playwright.sync_api import expect

from articles.models import ArticleLink, Tag
from comments.models import Comment

from .conftest import DESKTOP, PHONE

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def by_author(page, name):
    return page.get_by_role("article", name=name, exact=True)


def report(page, author, reason):
    by_author(page, author).get_by_role("button", name="Report").click()
    form = page.get_by_role("form", name=f"Report the comment by {author}")
    form.get_by_role("radio", name=reason).check()
    form.get_by_role("button", name="Send report").click()
    return form


def focus_is_in(page, locator):
    return locator.evaluate("element => element.contains(document.activeElement)")


def test_a_sent_report_thanks_the_reader_at_the_comment_and_keeps_focus_there(
    page, discussed_story
):
    page.set_viewport_size({"width": 1280, "height": 500})
    page.goto(discussed_story.get_absolute_url())
    grace = by_author(page, "Grace")
    form = report(page, "Grace", "Spam")
    thanks = grace.get_by_text("Thanks, a moderator will look at it.")
    expect(thanks).to_be_visible()
    expect(thanks).to_be_in_viewport()
    expect(form).to_have_count(0)  # the panel closed
    assert focus_is_in(page, grace)
    expect(page.get_by_role("heading", name="Comments")).not_to_be_focused()
    # Reported once: no second Report button to press.
    expect(grace.get_by_role("button", name="Report")).to_have_count(0)
    assert Comment.objects.get(author_name="Grace").report_count == 1
    assert page.browser_errors == []


def test_a_second_report_from_another_tab_is_thanked_the_same_way(new_page, discussed_story):
    first, second = new_page(), None
    first.goto(discussed_story.get_absolute_url())
    second = first.context.new_page()
    second.goto(discussed_story.get_absolute_url())
    for tab in (first, second):
        by_author(tab, "Grace").get_by_role("button", name="Report").click()
    for tab in (first, second):
        form = tab.get_by_role("form", name="Report the comment by Grace")
        form.get_by_role("radio", name="Spam").check()
        form.get_by_role("button", name="Send report").click()
        expect(tab.get_by_role("form", name="Report the comment by Grace")).to_have_count(0)
    expect(by_author(second, "Grace")).to_contain_text("already reported this comment")
    assert focus_is_in(second, by_author(second, "Grace"))


def test_escape_closes_the_reply_report_and_edit_panels_back_to_their_button(page, discussed_story):
    page.goto(discussed_story.get_absolute_url())
    grace = by_author(page, "Grace")
    for button_name, form_name in [
        ("Reply", "Reply to Grace"),
        ("Report", "Report the comment by Grace"),
    ]:
        button = grace.get_by_role("button", name=button_name)
        button.click()
        form = page.get_by_role("form", name=form_name)
        expect(form).to_be_visible()
        assert focus_is_in(page, form)
        page.keyboard.press("Escape")
        expect(form).to_have_count(0)
        expect(button).to_be_focused()
        expect(button).to_have_attribute("aria-expanded", "false")

    top = page.get_by_role("form", name="Join the conversation")
    top.get_by_label("Name").fill("Hal")
    top.get_by_label("Comment").fill("Mine to edit")
    top.get_by_role("button", name="Post comment").click()
    hal = by_author(page, "Hal")
    edit = hal.get_by_role("button", name="Edit")
    edit.click()
    form = page.get_by_role("form", name="Edit your comment")
    form.get_by_label("Comment").press("End")
    page.keyboard.press("Escape")
    expect(form).to_have_count(0)
    expect(edit).to_be_focused()
    assert page.browser_errors == []


def test_empty_fields_posted_at_once_say_what_is_missing(page, discussed_story, settings):
    settings.NEWSROOM = {**settings.NEWSROOM, "COMMENT_MIN_SECONDS": 3600}  # every post is quick
    page.goto(discussed_story.get_absolute_url())
    form = page.get_by_role("form", name="Join the conversation")
    form.get_by_role("button", name="Post comment").click()
    errors = page.get_by_role("form", name="Join the conversation").get_by_role("alert")
    expect(errors).to_contain_text("Please tell us your name")
    expect(errors).to_contain_text("Please write a comment")
    expect(errors).not_to_contain_text("That was quick!")
    # Filled in, the same quick post is now told it was quick, and nothing else.
    form = page.get_by_role("form", name="Join the conversation")
    form.get_by_label("Name").fill("Ida")
    form.get_by_label("Comment").fill("Fast fingers")
    form.get_by_role("button", name="Post comment").click()
    errors = page.get_by_role("form", name="Join the conversation").get_by_role("alert")
    expect(errors).to_contain_text("That was quick!")
    expect(errors).not_to_contain_text("Please tell us your name")
    assert not Comment.objects.filter(author_name="Ida").exists()


def test_a_guest_keeps_their_name_and_posts_again_without_reloading(page, discussed_story):
    page.goto(discussed_story.get_absolute_url())
    form = page.get_by_role("form", name="Join the conversation")
    form.get_by_label("Name").fill("Jun")
    form.get_by_label("Email (optional)").fill("jun@example.com")
    form.get_by_label("Comment").fill("First thought")
    form.get_by_role("button", name="Post comment").click()
    expect(page.get_by_text("First thought")).to_be_visible()
    expect(form.get_by_label("Name")).to_have_value("Jun")
    expect(form.get_by_label("Email (optional)")).to_have_value("jun@example.com")
    expect(form.get_by_label("Comment")).to_have_value("")
    form.get_by_label("Comment").fill("Second thought")
    form.get_by_role("button", name="Post comment").click()
    expect(page.get_by_text("Second thought")).to_be_visible()
    assert list(
        Comment.objects.filter(author_name="Jun").order_by("pk").values_list("body", flat=True)
    ) == ["First thought", "Second thought"]
    assert page.browser_errors == []


@pytest.fixture
def picked_story(discussed_story, admin_user):
    from comments.moderation import comment_feature

    Comment.objects.create(
        article=discussed_story,
        reader_key="g:other",
        author_name="Kofi",
        body="The night ferry matters more than the early one.",
        status=Comment.Status.APPROVED,
    )
    comment_feature(comments=Comment.objects.filter(author_name="Kofi"), actor=admin_user)
    return discussed_story


def test_the_picks_tab_shows_editors_picks_with_or_without_javascript(any_page, picked_story):
    page = any_page
    page.goto(picked_story.get_absolute_url())
    expect(by_author(page, "Grace")).to_be_visible()
    sort = page.get_by_role("navigation", name="Sort comments")
    sort.get_by_role("link", name="Editor’s picks").click()
    expect(by_author(page, "Grace")).to_have_count(0)
    kofi = by_author(page, "Kofi")
    expect(kofi).to_be_visible()
    expect(kofi.locator(".badge--pick")).to_have_text("★ Editor’s pick")
    expect(sort.get_by_role("link", name="Editor’s picks")).to_have_attribute(
        "aria-current", "true"
    )
    assert "sort=picks" in page.url
    sort.get_by_role("link", name="Oldest").click()
    expect(by_author(page, "Grace")).to_be_visible()
    assert page.browser_errors == []


def test_no_picks_yet_says_so_after_the_tab_is_pressed(any_page, discussed_story):
    page = any_page
    page.goto(discussed_story.get_absolute_url())
    page.get_by_role("navigation", name="Sort comments").get_by_role(
        "link", name="Editor’s picks"
    ).click()
    expect(page.get_by_text("No editor’s picks yet")).to_be_visible()
    expect(by_author(page, "Grace")).to_have_count(0)
    page.get_by_role("navigation", name="Sort comments").get_by_role("link", name="Newest").click()
    expect(by_author(page, "Grace")).to_be_visible()
    expect(page.get_by_text("No editor’s picks yet")).to_have_count(0)


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["390", "1280"])
def test_screenshot_of_teasers_tags_picks_and_a_report_thanks(
    new_page, picked_story, screenshot, check_accessibility, viewport
):
    from articles.models import Article

    Article.objects.create(
        headline="Night ferry returns for the summer",
        slug="night-ferry",
        body="Text.",
        status=Article.Status.PUBLISHED,
        published_at=picked_story.published_at,
    )
    for position, title in enumerate(
        ["Night ferry returns for the summer", "Bridge works delayed"]
    ):
        ArticleLink.objects.create(
            article=picked_story, kind=ArticleLink.Kind.TEASER, title=title, position=position
        )
    picked_story.tags.set(Tag.named(["Harbour Board", "Ferry Services"]))
    page = new_page(viewport=viewport)
    page.goto(picked_story.get_absolute_url())
    grace = by_author(page, "Grace")
    report(page, "Grace", "Off topic")
    expect(grace.get_by_text("Thanks, a moderator will look at it.")).to_be_visible()
    more = page.get_by_role("navigation", name="More stories")
    expect(more.get_by_role("link", name="Night ferry returns for the summer")).to_be_visible()
    expect(more.get_by_text("Bridge works delayed")).to_be_visible()
    expect(more.get_by_role("link", name="Bridge works delayed")).to_have_count(0)
    expect(page.locator(".story__tags")).to_contain_text("Harbour Board")
    expect(page.get_by_role("link", name="Editor’s picks")).to_be_visible()
    screenshot(page, f"reader-fixes-{viewport['width']}")
    check_accessibility(page)
    assert page.browser_errors == []
