"""Hostile comments and display names render as text in Chromium, run nothing, stay in place.

Every payload of the corpus is posted through the write path as a comment body and as a display
name, approved, and shown on one page: one page load checks them all.
"""

import pytest
from django.core.exceptions import ValidationError
from playwright.sync_api import expect

from comments import moderation
from comments.formatting import clean_text
from comments.models import Comment
from comments.readers import Reader
from comments.services import NAME_MAX_LENGTH, comment_submit
from comments.templatetags.comment_tags import initial

from .xss import PAYLOADS, ScriptWatch, assert_shown_as_text, open_and_check

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# What the comment formatter itself may put inside a body; anything else came from a payload.
BODY_TAGS = ("p", "br", "b", "strong", "i", "em", "a", "blockquote", "ul", "ol", "li", "code")


@pytest.fixture
def hostile_comments(discussed_story, settings):
    """Submit every payload as a body and as a name; return the names shown, in page order."""
    settings.NEWSROOM = {**settings.NEWSROOM, "COMMENTS_PER_PAGE": 2 * len(PAYLOADS) + 10}
    Comment.objects.all().delete()
    names, refused = [], []
    for n, payload in enumerate(PAYLOADS):
        reader = Reader(key=f"g:hostile-{n}", ip="198.51.100.7")
        for body, name in [(payload, f"Reader {n}"), (f"Comment {n}", payload[:NAME_MAX_LENGTH])]:
            try:
                comment_submit(article=discussed_story, reader=reader, body=body, author_name=name)
            except ValidationError as error:
                # Refusing a payload outright is a defence too, but only for a stated reason.
                assert error.message_dict, error
                refused.append(payload)
            else:
                names.append(clean_text(name, multiline=False))
    moderation.comment_moderate(comments=Comment.objects.all(), status="approved", actor=None)
    assert len(refused) < len(PAYLOADS) // 4, f"most payloads must reach the page: {refused}"
    return names


def test_payloads_in_comments_and_names_render_inert_and_stay_inside_their_comment(
    any_page, discussed_story, hostile_comments
):
    open_and_check(any_page, discussed_story.get_absolute_url())
    count = Comment.objects.count()
    expect(any_page.locator("article.comment")).to_have_count(count)
    assert any_page.locator("[data-thread-list] > li").count() == count
    assert_shown_as_text(any_page, ".comment__author", hostile_comments)
    assert_shown_as_text(any_page, ".comment__avatar", [initial(name) for name in hostile_comments])
    bodies = any_page.evaluate(
        """() => [...document.querySelectorAll(".comment__body")].map(el =>
             [...el.querySelectorAll("*")].map(child => child.tagName.toLowerCase()))"""
    )
    strays = {tag for tags in bodies for tag in tags} - set(BODY_TAGS)
    assert strays == set(), f"{strays} escaped into comment bodies"
    # Each comment's own controls are still there and still name the right author.
    likes = any_page.get_by_role("button", name="Like", exact=True)
    expect(likes).to_have_count(count)


def test_payloads_posted_through_the_form_are_inserted_inert(
    any_page, discussed_story, post_moderated_site
):
    page = any_page
    watch = ScriptWatch(page)
    page.goto(discussed_story.get_absolute_url())
    sample = [p for p in PAYLOADS if "<" in p][:3]
    for n, payload in enumerate(sample):
        form = page.get_by_role("form", name="Join the conversation")
        form.get_by_label("Name").fill(f"Poster {n}")
        form.get_by_label("Comment").fill(payload)
        form.get_by_role("button", name="Post comment").click()
        expect(page.get_by_role("article", name=f"Poster {n}", exact=True)).to_be_visible()
        if not page.javascript:
            page.goto(discussed_story.get_absolute_url())
    watch.assert_nothing_ran()
    assert Comment.objects.filter(author_name__startswith="Poster").count() == len(sample)
