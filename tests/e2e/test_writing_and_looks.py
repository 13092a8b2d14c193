"""Writing comments and how the page looks, in Chromium: Markdown, its preview, mentions, the
dark scheme and the reaction bar's emoji on a machine without a colour emoji font."""

import re

import pytest
from playwright.sync_api import expect

from articles.models import story_changed
from comments.models import Comment, ReactionKind

from .conftest import DESKTOP, PHONE, SCREENSHOTS
from .xss import ScriptWatch

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def written_story(discussed_story):
    """The discussed story with Markdown comments, a quote, a list, code and a mention."""
    grace = Comment.objects.get(author_name="Grace")
    hal = Comment.objects.create(
        article=discussed_story,
        parent=grace,
        thread_id=grace.pk,
        depth=1,
        reader_key="g:hal",
        author_name="Hal",
        body="> The first ferry now leaves at six.\n\n**Much** better for _early_ shifts. "
        "Timetable: https://ferries.example/timetable",
        status=Comment.Status.APPROVED,
        like_count=2,
    )
    Comment.objects.create(
        article=discussed_story,
        parent=hal,
        thread_id=grace.pk,
        depth=2,
        reader_key="g:ines",
        author_name="Ines",
        body="@Grace and @Hal, two things:\n\n- the `6:00` boat is full by Pier 3\n- "
        "[the petition](https://petition.example/ferry) has 900 names",
        status=Comment.Status.APPROVED,
    )
    return discussed_story


def test_a_hostile_draft_previews_inert_and_markdown_previews_as_it_will_post(page, written_story):
    watch = ScriptWatch(page)
    page.goto(written_story.get_absolute_url())
    form = page.get_by_role("form", name="Join the conversation")
    preview = form.get_by_role("region", name="Preview")
    expect(preview).to_be_hidden()
    form.get_by_label("Comment").fill(
        '**Bold** [x](javascript:alert(1)) <img src=x onerror=alert(1)> "><script>alert(1)</script>'
    )
    expect(preview.locator("strong")).to_have_text("Bold")
    expect(preview).to_contain_text("<img src=x onerror=alert(1)>")
    assert preview.locator("img, script, a").count() == 0
    watch.assert_nothing_ran()
    form.get_by_label("Comment").fill("")
    expect(preview).to_be_hidden()


def test_formatting_help_opens_with_the_keyboard_with_or_without_javascript(
    any_page, written_story
):
    any_page.goto(written_story.get_absolute_url())
    form = any_page.get_by_role("form", name="Join the conversation")
    help_list = form.locator(".formatting-help__list")
    expect(help_list).to_be_hidden()
    form.get_by_text("Formatting help").focus()
    any_page.keyboard.press("Enter")
    expect(help_list).to_be_visible()
    expect(help_list).to_contain_text("**bold**")


def test_a_mention_takes_the_reader_to_the_comment_it_names(page, written_story):
    page.goto(written_story.get_absolute_url())
    ines = page.get_by_role("article", name="Ines")
    ines.get_by_role("link", name="@Hal").click()
    hal = Comment.objects.get(author_name="Hal")
    expect(page).to_have_url(re.compile(rf"\?thread=\d+#c{hal.pk}$"))
    expect(page.locator(f"#c{hal.pk}")).to_be_in_viewport()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_story_page_passes_axe_in_both_colour_schemes(
    new_page, written_story, check_accessibility, scheme
):
    page = new_page()
    page.emulate_media(color_scheme=scheme)
    page.goto(written_story.get_absolute_url())
    page.get_by_role("form", name="Join the conversation").get_by_text("Formatting help").click()
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert background == {"light": "rgb(255, 255, 255)", "dark": "rgb(22, 22, 22)"}[scheme]
    reactions = page.get_by_role("region", name="What do you think?")
    reactions.get_by_role("button", name=re.compile(r"^Wow,")).click()
    expect(reactions.get_by_role("button", name=re.compile(r"^Wow, 1 reaction"))).to_be_visible()
    check_accessibility(page)


def emoji_widths(page):
    """How wide each reaction's emoji draws: a missing glyph is a thin box or nothing."""
    return page.evaluate(
        """() => [...document.querySelectorAll('.reaction__emoji')].map(el => {
             const img = el.querySelector('img');
             return img ? (img.complete && img.naturalWidth > 0 ? img.width : 0) : -1; })"""
    )


def test_reaction_emoji_draw_without_a_colour_emoji_font(page, written_story):
    page.goto(written_story.get_absolute_url())
    bar = page.get_by_role("region", name="What do you think?")
    assert emoji_widths(page) == [28] * 6
    expect(bar.get_by_role("button", name=re.compile(r"^Love, 0 reactions"))).to_be_visible()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    bar.screenshot(path=str(SCREENSHOTS / "reactions-emoji-svg.png"))
    # Before: the same bar as text emoji (no shipped file for the text-presentation variant).
    for kind in ReactionKind.objects.all():
        kind.emoji += "\ufe0e"
        kind.save()
    story_changed(written_story.pk)  # the editor's change, as the admin would publish it
    page.reload()
    assert emoji_widths(page) == [-1] * 6
    bar.screenshot(path=str(SCREENSHOTS / "reactions-emoji-text-before.png"))


@pytest.mark.parametrize("width", [390, 1280])
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_screenshots_of_the_story_in_both_schemes(
    new_page, written_story, screenshot, width, scheme
):
    page = new_page(viewport=PHONE if width == 390 else DESKTOP)
    page.emulate_media(color_scheme=scheme)
    page.goto(written_story.get_absolute_url())
    page.get_by_role("region", name="What do you think?").get_by_role(
        "button", name=re.compile(r"^Love,")
    ).click()
    form = page.get_by_role("form", name="Join the conversation")
    form.get_by_text("Formatting help").click()
    form.get_by_label("Comment").fill("Agree with **@Hal**: see [the timetable](https://x.example)")
    expect(form.get_by_role("region", name="Preview")).to_be_visible()
    expect(
        page.get_by_role("article", name="Ines").get_by_role("link", name="@Hal")
    ).to_be_visible()
    path = screenshot(page, f"story-writing-{width}-{scheme}")
    assert path.stat().st_size < 600_000
