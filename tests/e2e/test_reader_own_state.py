"""A known reader's own state on the story page after a reload, with JavaScript on and off.

The page comes from the cache shared by every reader, with the reader's part laid over it
(articles/story_page.py): what they did must be there, and only for them.
"""

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from .test_reader_journeys import by_author, post_as_guest, reaction

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture(params=["guest", "account"])
def who(request):
    return request.param


def test_reader_finds_their_reaction_likes_and_held_comment_after_reloading(
    new_page, discussed_story, settings, javascript, who
):
    settings.NEWSROOM = {**settings.NEWSROOM, "MODERATION_MODE": "pre"}
    user = None
    if who == "account":
        user = get_user_model().objects.create_user("ada_reader", password="pw-for-tests")
    page = new_page(javascript=javascript, user=user)
    url = discussed_story.get_absolute_url()
    page.goto(url)
    reaction(page, "Love").click()
    expect(reaction(page, "Love")).to_have_attribute("aria-pressed", "true")
    by_author(page, "Grace").get_by_role("button", name="Like").click()
    expect(by_author(page, "Grace").get_by_role("button", name="Like")).to_have_attribute(
        "aria-pressed", "true"
    )
    form = page.get_by_role("form", name="Join the conversation")
    name = "ada_reader"
    if who == "guest":
        post_as_guest(form, name=name, body="Held until an editor looks.")
    else:
        form.get_by_label("Comment").fill("Held until an editor looks.")
    form.get_by_role("button", name="Post comment").click()
    expect(by_author(page, name)).to_contain_text("Awaiting moderation")

    page.goto(url)  # the page again, as served to this reader
    expect(reaction(page, "Love")).to_have_attribute("aria-pressed", "true")
    expect(by_author(page, "Grace").get_by_role("button", name="Like")).to_have_attribute(
        "aria-pressed", "true"
    )
    mine = by_author(page, name)
    expect(mine).to_contain_text("Awaiting moderation")
    expect(mine.get_by_role("button", name="Edit")).to_be_visible()
    expect(mine.get_by_role("button", name="Delete")).to_be_visible()
    expect(by_author(page, "Grace").get_by_role("button", name="Edit")).to_have_count(0)
    if who == "guest":
        expect(
            page.get_by_role("form", name="Join the conversation").get_by_label("Name")
        ).to_have_value(name)
    else:
        expect(page.get_by_text("Signed in as ada_reader")).to_be_visible()

    # Another known reader, served from the same shared parts: their own state, none of Ada's.
    other = new_page(javascript=javascript)
    other.goto(url)
    reaction(other, "Wow").click()
    expect(reaction(other, "Wow")).to_have_attribute("aria-pressed", "true")
    other.goto(url)
    expect(reaction(other, "Wow")).to_have_attribute("aria-pressed", "true")
    expect(reaction(other, "Love")).to_have_attribute("aria-pressed", "false")
    expect(by_author(other, "Grace").get_by_role("button", name="Like")).to_have_attribute(
        "aria-pressed", "false"
    )
    expect(by_author(other, name)).to_have_count(0)
    expect(other.get_by_text("Held until an editor looks.")).to_have_count(0)
    expect(other.get_by_text("Signed in as")).to_have_count(0)
    other_form = other.get_by_role("form", name="Join the conversation")
    expect(other_form.get_by_label("Name")).to_have_value("")
    assert not page.browser_errors and not other.browser_errors


@pytest.fixture(params=[True, False], ids=["js", "no-js"])
def javascript(request):
    return request.param
