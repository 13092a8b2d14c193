"""What a reader does on a story, in Chromium, with JavaScript on and off.

Every step finds things the way a screen reader does: by role, by accessible name and by label.
With JavaScript the page changes in place; without it, every step is a form post and a redirect.
Either way the reader must end up seeing the same thing.
"""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from comments import moderation
from comments.models import Comment, CommentLike, CommentReport, Reaction

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def by_author(page, name):
    return page.get_by_role("article", name=name, exact=True)


def reaction(page, label):
    bar = page.get_by_role("region", name="What do you think?")
    return bar.get_by_role("button", name=re.compile(rf"^{label},"))


def announced(page, text):
    """A polite status message: the live region with JavaScript, the flash message without."""
    expect(page.get_by_role("status").filter(has_text=text).first).to_be_attached()


def post_as_guest(form, *, name, body, email=""):
    form.get_by_label("Name").fill(name)
    if email:
        form.get_by_label("Email (optional)").fill(email)
    form.get_by_label("Comment").fill(body)


def reply_to(page, author, *, name, body):
    by_author(page, author).get_by_role("button", name="Reply").click()
    form = page.get_by_role("form", name=f"Reply to {author}")
    post_as_guest(form, name=name, body=body)
    form.get_by_role("button", name="Post reply").click()
    expect(by_author(page, name)).to_be_visible()


def test_reader_finds_a_story_and_reacts_changes_and_removes_it(any_page, discussed_story):
    page = any_page
    page.goto(reverse("articles:list"))
    story_url = discussed_story.get_absolute_url()
    with page.expect_response(lambda response: response.url.endswith(story_url)) as story:
        page.get_by_role("link", name=discussed_story.headline).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(discussed_story.headline)
    # A newcomer gets the cached page, gzipped with their own tokens spliced in: the browser
    # must read it, and the bar must work from it.
    assert story.value.headers.get("content-encoding") == "gzip"

    reaction(page, "Sad").click()
    expect(reaction(page, "Sad")).to_have_attribute("aria-pressed", "true")
    expect(reaction(page, "Sad")).to_have_accessible_name("Sad, 1 reaction, 100% of all")

    reaction(page, "Love").click()
    expect(reaction(page, "Love")).to_have_attribute("aria-pressed", "true")
    expect(reaction(page, "Love")).to_have_accessible_name("Love, 1 reaction, 100% of all")
    expect(reaction(page, "Sad")).to_have_attribute("aria-pressed", "false")
    expect(reaction(page, "Sad")).to_have_accessible_name("Sad, 0 reactions, 0% of all")
    assert list(Reaction.objects.values_list("kind", flat=True)) == ["love"]

    reaction(page, "Love").click()
    expect(reaction(page, "Love")).to_have_attribute("aria-pressed", "false")
    expect(reaction(page, "Love")).to_have_accessible_name("Love, 0 reactions, 0% of all")
    if page.javascript:
        announced(page, "Your reaction was removed")
    assert not Reaction.objects.exists()
    assert page.browser_errors == []


def test_a_first_comment_is_held_and_shown_only_to_its_author(any_page, new_page, discussed_story):
    page = any_page
    page.goto(discussed_story.get_absolute_url())
    form = page.get_by_role("form", name="Join the conversation")
    post_as_guest(form, name="Ada", body="Will the night bus still run?", email="ada@example.com")
    form.get_by_role("button", name="Post comment").click()

    mine = by_author(page, "Ada")
    expect(mine).to_contain_text("Will the night bus still run?")
    expect(mine).to_contain_text("Awaiting moderation")
    announced(page, "Your comment is awaiting moderation")
    assert Comment.objects.get(author_name="Ada").status == Comment.Status.PENDING

    other = new_page(javascript=page.javascript)
    other.goto(discussed_story.get_absolute_url())
    expect(by_author(other, "Grace")).to_be_visible()
    expect(by_author(other, "Ada")).to_have_count(0)
    expect(other.get_by_text("Will the night bus still run?")).to_have_count(0)

    # Once an editor approves it, every reader sees it, without the notice.
    moderation.comment_moderate(
        comments=Comment.objects.filter(author_name="Ada"), status="approved", actor=None
    )
    other.reload()
    expect(by_author(other, "Ada")).to_contain_text("Will the night bus still run?")
    expect(by_author(other, "Ada")).not_to_contain_text("Awaiting moderation")
    assert page.browser_errors == [] and other.browser_errors == []


def test_a_reader_posts_two_comments_in_a_row_from_the_top_form(
    any_page, discussed_story, post_moderated_site
):
    """Each form token posts once; the page (or the script) brings a fresh one for the next."""
    page = any_page
    page.goto(discussed_story.get_absolute_url())
    for body in ("First thought.", "Second thought."):
        form = page.get_by_role("form", name="Join the conversation")
        post_as_guest(form, name="Ada", body=body)
        form.get_by_role("button", name="Post comment").click()
        expect(page.get_by_text(body)).to_be_visible()
    assert sorted(Comment.objects.filter(author_name="Ada").values_list("body", flat=True)) == [
        "First thought.",
        "Second thought.",
    ]
    assert page.browser_errors == []


def test_a_guest_replies_three_levels_deep_then_edits_and_deletes(
    any_page, discussed_story, post_moderated_site
):
    page = any_page
    page.goto(discussed_story.get_absolute_url())
    reply_to(page, "Grace", name="Ada", body="Mine leaves at five.")
    reply_to(page, "Ada", name="Ben", body="Then take the bus.")
    reply_to(page, "Ben", name="Cleo", body="The bus is slower.")

    grace, ada, ben, cleo = (
        Comment.objects.get(author_name=name) for name in ["Grace", "Ada", "Ben", "Cleo"]
    )
    assert (ada.parent, ben.parent, cleo.parent) == (grace, ada, ben)
    # Each reply sits inside the list item of the comment it answers.
    nesting = page.evaluate(
        """(ids) => ids.map(id => {
             const item = document.getElementById("c" + id).closest("li");
             const outer = item.parentElement.closest("li");
             return outer && outer.querySelector(":scope > article").id;
           })""",
        [ada.pk, ben.pk, cleo.pk],
    )
    assert nesting == [f"c{grace.pk}", f"c{ada.pk}", f"c{ben.pk}"]

    by_author(page, "Cleo").get_by_role("button", name="Edit").click()
    form = page.get_by_role("form", name="Edit your comment")
    expect(form.get_by_label("Comment")).to_have_value("The bus is slower.")
    form.get_by_label("Comment").fill("The bus is slower, but it runs all night.")
    form.get_by_role("button", name="Save changes").click()
    expect(by_author(page, "Cleo")).to_contain_text("but it runs all night")
    expect(by_author(page, "Cleo")).to_contain_text("edited")

    by_author(page, "Ben").get_by_role("button", name="Delete").click()
    page.get_by_role("form", name="Delete your comment").get_by_role(
        "button", name="Delete comment"
    ).click()
    expect(page.get_by_role("article", name="Deleted comment")).to_contain_text(
        "Comment deleted by its author."
    )
    expect(by_author(page, "Ben")).to_have_count(0)
    expect(page.get_by_text("Then take the bus.")).to_have_count(0)
    expect(by_author(page, "Cleo")).to_be_visible()
    assert Comment.objects.get(pk=ben.pk).deleted_at is not None
    assert page.browser_errors == []


def test_a_reader_likes_and_reports_another_readers_comment(any_page, discussed_story):
    page = any_page
    page.goto(discussed_story.get_absolute_url())
    like = by_author(page, "Grace").get_by_role("button", name="Like")
    expect(like).to_have_accessible_description("Grace")
    like.click()
    expect(by_author(page, "Grace").get_by_role("button", name="Like")).to_have_attribute(
        "aria-pressed", "true"
    )
    expect(by_author(page, "Grace")).to_contain_text("1 like")
    assert CommentLike.objects.count() == 1

    by_author(page, "Grace").get_by_role("button", name="Report").click()
    form = page.get_by_role("form", name="Report the comment by Grace")
    form.get_by_role("radio", name="Off topic").check()
    form.get_by_label("Details (optional)").fill("About trains, not ferries.")
    form.get_by_role("button", name="Send report").click()
    announced(page, "Thanks, a moderator will look at it.")
    report = CommentReport.objects.get()
    assert (report.reason, report.text) == ("off_topic", "About trains, not ferries.")
    assert page.browser_errors == []


def test_a_reader_loads_more_comments_and_sorts_them(any_page, discussed_story, settings):
    settings.NEWSROOM = {**settings.NEWSROOM, "COMMENTS_PER_PAGE": 3}
    now = timezone.now()
    Comment.objects.filter(author_name="Grace").update(created_at=now - timedelta(minutes=10))
    for minutes, name, likes in [(8, "Hal", 0), (6, "Ivy", 7), (4, "Jo", 1), (2, "Kit", 3)]:
        Comment.objects.create(
            article=discussed_story,
            reader_key=f"g:{name}",
            author_name=name,
            body=f"{name} thinks so too.",
            status=Comment.Status.APPROVED,
            like_count=likes,
            created_at=now - timedelta(minutes=minutes),
        )
    page = any_page
    page.goto(discussed_story.get_absolute_url())
    thread_authors = page.locator("[data-thread-list] > li > article .comment__author")
    expect(thread_authors).to_have_text(["Grace", "Hal", "Ivy"])

    page.get_by_role("link", name="Load more comments").click()
    expect(thread_authors).to_have_text(
        ["Grace", "Hal", "Ivy", "Jo", "Kit"] if page.javascript else ["Jo", "Kit"]
    )
    expect(page.get_by_role("link", name="Load more comments")).to_have_count(0)

    sorting = page.get_by_role("navigation", name="Sort comments")
    sorting.get_by_role("link", name="Newest").click()
    expect(sorting.get_by_role("link", name="Newest")).to_have_attribute("aria-current", "true")
    expect(thread_authors).to_have_text(["Kit", "Jo", "Ivy"])

    sorting.get_by_role("link", name="Most liked").click()
    expect(sorting.get_by_role("link", name="Most liked")).to_have_attribute("aria-current", "true")
    expect(thread_authors).to_have_text(["Ivy", "Kit", "Jo"])
    assert page.browser_errors == []
