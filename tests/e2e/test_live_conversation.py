"""Two readers on one story: what one posts is announced to the other, who chooses when to see it.

The page asks every LIVE_POLL_SECONDS (1 s here, 15 s in production; the comments section's
data-live-interval). Nothing waits on the clock: each step waits for a role, a text or a poll.
"""

import re

import pytest
from playwright.sync_api import expect

from comments.models import Comment

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

GRACE = "Finally, an earlier boat."


@pytest.fixture(autouse=True)
def quick_polls(settings, post_moderated_site):
    settings.NEWSROOM = {**settings.NEWSROOM, "LIVE_POLL_SECONDS": 1}


def by_author(page, name):
    return page.get_by_role("article", name=name, exact=True)


def post_top_level(page, *, name, body):
    form = page.get_by_role("form", name="Join the conversation")
    form.get_by_label("Name").fill(name)
    form.get_by_label("Comment").fill(body)
    form.get_by_role("button", name="Post comment").click()
    expect(page.get_by_text(body)).to_be_visible()


def reply_to(page, author, *, name, body):
    by_author(page, author).get_by_role("button", name="Reply").click()
    form = page.get_by_role("form", name=f"Reply to {author}")
    form.get_by_label("Name").fill(name)
    form.get_by_label("Comment").fill(body)
    form.get_by_role("button", name="Post reply").click()
    expect(page.get_by_text(body)).to_be_visible()


def thread_shape(page):
    """Each comment on the page in reading order, with its level and the comment it sits under."""
    return page.locator("[data-thread-list] article[data-comment]").evaluate_all(
        """articles => articles.map(article => {
            const li = article.closest("li");
            const up = li.parentElement.closest("li");
            const parent = up ? up.querySelector(":scope > article").id : null;
            return [article.id, li.className, parent];
        })"""
    )


def polls_answered(page, count):
    """Wait until the page has asked (and been answered) `count` more times."""
    for _ in range(count):
        with page.expect_response(lambda response: "/live/" in response.url):
            pass


def test_a_comment_posted_in_one_browser_is_announced_in_the_other_and_shown_in_place(
    new_page, discussed_story, check_accessibility
):
    writer, reader = new_page(), new_page()
    for page in (writer, reader):
        page.goto(discussed_story.get_absolute_url())
    first = "Has anyone tried the six o'clock boat?"

    post_top_level(writer, name="Ada", body=first)

    button = reader.get_by_role("button", name="1 new comment")
    expect(button).to_be_visible()
    # Announced, not inserted: nothing moved under the reader until they ask.
    expect(reader.get_by_text(first)).to_have_count(0)
    expect(reader.get_by_role("status").filter(has_text="1 new comment")).to_be_attached()
    expect(reader.get_by_role("heading", name=re.compile("Comments"))).to_contain_text("2")
    check_accessibility(reader)

    button.click()
    arrived = by_author(reader, "Ada")
    expect(arrived).to_contain_text(first)
    expect(arrived).to_be_focused()
    expect(reader.get_by_role("status").filter(has_text="1 new comment shown.")).to_be_attached()
    expect(reader.get_by_role("button", name=re.compile("new comment"))).to_have_count(0)
    # Where the default sort (oldest first) puts it: after Grace's thread.
    authors = reader.locator("[data-thread-list] > li > article .comment__author")
    expect(authors).to_have_text(["Grace", "Ada"])

    # The poster's own comment shows once, however many polls pass.
    polls_answered(writer, 2)
    expect(writer.get_by_text(first)).to_have_count(1)
    expect(writer.get_by_role("button", name=re.compile("new comment"))).to_have_count(0)

    # A reply arrives under its parent, nested as the server draws it.
    answer = "Yes: it left on time and was half empty."
    reply_to(writer, "Grace", name="Ben", body=answer)
    reader.get_by_role("button", name="1 new comment").click()
    grace = reader.locator("[data-thread-list] > li").filter(has_text=GRACE)
    expect(grace.locator("ol.comment-replies > li > article")).to_contain_text(answer)
    expect(by_author(reader, "Ben")).to_be_focused()
    expect(reader.get_by_text(answer)).to_have_count(1)
    # Nested exactly as the server draws the page for a newcomer.
    newcomer = new_page()
    newcomer.goto(discussed_story.get_absolute_url())
    assert thread_shape(reader) == thread_shape(newcomer)

    # And the reader can use what arrived like any other comment.
    by_author(reader, "Ben").get_by_role("button", name="Like").click()
    expect(by_author(reader, "Ben").get_by_role("button", name="Like")).to_have_attribute(
        "aria-pressed", "true"
    )
    assert Comment.objects.get(author_name="Ben").like_count == 1
    assert writer.browser_errors == [] and reader.browser_errors == []


def test_reaction_tallies_refresh_without_a_button(new_page, discussed_story):
    writer, reader = new_page(), new_page()
    for page in (writer, reader):
        page.goto(discussed_story.get_absolute_url())
    bar = writer.get_by_role("region", name="What do you think?")
    bar.get_by_role("button", name=re.compile(r"^Love,")).click()
    expect(bar.get_by_role("button", name=re.compile(r"^Love,"))).to_have_attribute(
        "aria-pressed", "true"
    )
    seen = reader.get_by_role("region", name="What do you think?")
    expect(seen.get_by_role("button", name=re.compile(r"^Love, 1 reaction"))).to_be_visible()
    expect(seen.get_by_role("button", name=re.compile(r"^Love,"))).to_have_attribute(
        "aria-pressed", "false"
    )
    expect(reader.get_by_role("button", name=re.compile("new comment"))).to_have_count(0)


def test_a_reply_past_the_last_level_lands_after_its_parents_replies(new_page, discussed_story):
    grace = Comment.objects.get(author_name="Grace")
    chain = {"Grace": grace}

    def add(name, parent):
        chain[name] = Comment.objects.create(
            article=discussed_story,
            parent=chain[parent],
            thread=grace,
            depth=chain[parent].depth + 1,
            reader_key=f"g:{name}",
            author_name=name,
            body=f"{name} answers {parent}.",
            status=Comment.Status.APPROVED,
        )

    for name, parent in [("Hal", "Grace"), ("Ivy", "Hal"), ("Jon", "Ivy"), ("Kim", "Jon")]:
        add(name, parent)
    add("Lou", "Ivy")  # after Jon's replies in reading order
    writer, reader = new_page(), new_page()
    for page in (writer, reader):
        page.goto(discussed_story.get_absolute_url())

    reply_to(writer, "Jon", name="Max", body="Max answers Jon.")
    reader.get_by_role("button", name="1 new comment").click()
    expect(by_author(reader, "Max")).to_contain_text("Replying to Jon")
    newcomer = new_page()
    newcomer.goto(discussed_story.get_absolute_url())
    assert thread_shape(reader) == thread_shape(newcomer)
    authors = reader.locator("[data-thread-list] .comment__author")
    expect(authors).to_have_text(["Grace", "Hal", "Ivy", "Jon", "Kim", "Max", "Lou"])


def test_a_flood_offers_the_latest_threads_instead_of_a_count(new_page, discussed_story):
    from datetime import timedelta

    from django.utils import timezone

    from articles import live
    from comments import services
    from comments.readers import Reader

    reader = new_page()
    reader.goto(discussed_story.get_absolute_url() + "?sort=newest")
    for n in range(live.LIMIT + 1):
        services.comment_submit(
            article=discussed_story,
            reader=Reader(
                key=f"g:flood-{n}",
                ip=f"198.51.100.{n + 1}",
                since=timezone.now() - timedelta(days=2),
            ),
            body=f"Flood comment number {n}.",
            author_name=f"Flood {n}",
        )
    button = reader.get_by_role("button", name="More new comments: show the latest")
    button.click()
    expect(by_author(reader, f"Flood {live.LIMIT}")).to_be_visible()
    expect(reader.get_by_role("button", name=re.compile("new comment"))).to_have_count(0)
    assert reader.browser_errors == []
