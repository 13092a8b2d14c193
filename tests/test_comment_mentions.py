"""`@name` mentions: linked to the person's latest visible comment in the thread, or left as text;
and a notice for a mentioned reader who asked for reply notices."""

import re

import pytest

from comments import moderation
from comments.models import Comment
from comments.readers import Reader
from notifications.models import ReplyNotice
from tests.test_reply_notices import ADA, BOB, post

CY = Reader(key="g:cy", ip="192.0.2.44")


def mention_links(html):
    return re.findall(r'<a href="([^"]+)" class="mention" rel="[^"]+">(@[^<]+)</a>', html)


@pytest.fixture
def thread(article, make_comment):
    """Ann Lee starts a thread; Ann (another reader) and Bob answer; Ann Lee answers again."""
    root = make_comment(article, author_name="Ann Lee", reader_key="g:annlee", body="First.")
    ann = make_comment(article, parent=root, author_name="Ann", reader_key="g:ann", body="Hi.")
    bob = make_comment(article, parent=root, author_name="Bob", reader_key="g:bob", body="Yo.")
    again = make_comment(article, parent=bob, author_name="Ann Lee", reader_key="g:annlee")
    return root, ann, bob, again


def page(client, article):
    return client.get(article.get_absolute_url()).content.decode()


# ---------- Hostile and unknown names ----------


@pytest.mark.django_db
def test_unknown_names_emails_and_code_stay_text(client, article, thread, make_comment):
    root = thread[0]
    make_comment(
        article,
        parent=root,
        author_name="Cy",
        body="@Nobody, mail bob@Bob.example, `@Bob` and [@Bob](https://x.example) @@Bob",
    )
    html = page(client, article)
    assert "@Nobody" in html and "bob@Bob.example" in html
    links = mention_links(html)
    # Only the last "@Bob" (after another "@", not a word) is a mention.
    assert [text for _href, text in links] == ["@Bob"]
    assert '<a href="https://x.example" rel="nofollow ugc noopener">@Bob</a>' in html
    assert "<code>@Bob</code>" in html


@pytest.mark.django_db
def test_held_rejected_and_deleted_comments_are_never_mention_targets(
    client, article, make_comment
):
    root = make_comment(article, author_name="Root", body="Start.")
    make_comment(article, parent=root, author_name="Held", status=Comment.Status.PENDING)
    make_comment(article, parent=root, author_name="Spam", status=Comment.Status.SPAM)
    gone = make_comment(article, parent=root, author_name="Gone", deleted_at="2026-01-01T00:00Z")
    make_comment(article, parent=gone, author_name="Kid", body="Keeps Gone's placeholder.")
    make_comment(article, parent=root, author_name="Cy", body="@Held @Spam @Gone @Root")
    html = page(client, article)
    assert [text for _href, text in mention_links(html)] == ["@Root"]


@pytest.mark.django_db
def test_a_mention_of_someone_in_another_thread_stays_text(client, article, make_comment):
    make_comment(article, author_name="Elsewhere", body="Other thread.")
    root = make_comment(article, author_name="Here", body="This thread.")
    make_comment(article, parent=root, author_name="Cy", body="@Elsewhere and @Here")
    assert [text for _href, text in mention_links(page(client, article))] == ["@Here"]


@pytest.mark.django_db
def test_a_mention_written_before_the_person_commented_stays_text(client, article, make_comment):
    root = make_comment(article, author_name="Root", body="@Late, where are you?")
    make_comment(article, parent=root, author_name="Late", body="Here now.")
    assert mention_links(page(client, article)) == []


# ---------- What readers see ----------


@pytest.mark.django_db
def test_a_mention_links_to_the_persons_latest_comment_there(client, article, thread, make_comment):
    root, ann, bob, again = thread
    make_comment(article, parent=again, author_name="Cy", body="Agree with @ann lee and @Ann.")
    links = mention_links(page(client, article))
    story = article.get_absolute_url()
    # The longest name wins ("Ann Lee", not "Ann"), in any case; each to their latest comment.
    assert links == [
        (f"{story}?thread={root.pk}#c{again.pk}", "@ann lee"),
        (f"{story}?thread={root.pk}#c{ann.pk}", "@Ann"),
    ]


@pytest.mark.django_db
def test_the_story_page_reads_mentions_without_a_query_per_comment(
    settings, client, article, make_comment
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    settings.NEWSROOM = {**settings.NEWSROOM, "STORY_CACHE_SECONDS": 0}
    root = make_comment(article, author_name="Root", body="Start.")
    make_comment(article, parent=root, author_name="Cy", body="@Root hi")
    page(client, article)
    with CaptureQueriesContext(connection) as few:
        page(client, article)
    for n in range(30):
        make_comment(article, parent=root, author_name=f"P{n}", body=f"@Root @Cy @P{n - 1}")
    with CaptureQueriesContext(connection) as many:
        html = page(client, article)
    assert len(many.captured_queries) == len(few.captured_queries)
    assert len(mention_links(html)) == 1 + 3 * 30 - 1


@pytest.mark.django_db
def test_the_api_and_feed_link_mentions_as_the_page_does(client, article, thread, make_comment):
    from rest_framework.test import APIClient

    root, _ann, bob, _again = thread
    make_comment(article, parent=root, author_name="Cy", body="@Bob right.")
    results = APIClient().get(f"/api/articles/{article.slug}/comments/").json()["results"]
    cy = results[0]["replies"][-1]
    href = f"{article.get_absolute_url()}?thread={root.pk}#c{bob.pk}"
    assert f'<a href="{href}" class="mention"' in cy["body_html"]
    feed = client.get(f"/stories/{article.slug}/comments.atom").content.decode()
    assert f"&lt;a href=&quot;{href}&quot; class=&quot;mention&quot;".replace(
        "&quot;", '"'
    ) in feed.replace("&quot;", '"')


@pytest.mark.django_db
def test_a_readers_own_comment_keeps_its_mention_links_on_the_cached_page(
    client, article, make_comment, comment_data, relaxed_comment_limits, post_moderated_site
):
    root = make_comment(article, author_name="Root", body="Start.")
    client.get(article.get_absolute_url())
    client.post(
        f"/comments/{root.pk}/reply/",
        comment_data(article, author_name="Me", body="@Root indeed"),
    )
    mine = Comment.objects.get(author_name="Me")
    assert mine.is_visible
    html = client.get(article.get_absolute_url()).content.decode()
    assert f'id="c{mine.pk}"' in html and "comment--mine" in html
    assert [text for _href, text in mention_links(html)] == ["@Root"]


# ---------- Notices ----------


@pytest.fixture
def notices_site(settings, post_moderated_site, relaxed_comment_limits):
    settings.NEWSROOM = {**settings.NEWSROOM, "SITE_URL": "https://news.example.com"}


@pytest.fixture
def ada_listens(article, notices_site, smtp_server, run_worker):
    """Ada starts a thread with reply notices on, and confirms her address."""
    from django.test import Client as Browser

    comment = post(article, ADA, "I was there.", email="ada@example.com", notify=True)
    run_worker()
    confirmation = smtp_server.messages.pop()
    text = confirmation.get_body(("plain",)).get_content()
    [path] = re.findall(r"https://news\.example\.com(/notices/confirm/[^\s/]+/)", text)
    assert Browser().post(path).status_code == 200
    return comment


@pytest.mark.django_db(transaction=True)
def test_a_mentioned_reader_who_asked_for_notices_hears_once(
    article, ada_listens, smtp_server, run_worker, moderator
):
    bob = post(article, BOB, "A reply to Ada.", parent=ada_listens)
    run_worker()
    smtp_server.messages.clear()  # the reply notice
    cy = post(article, CY, "@Ada and again @ada, see this.", parent=bob)
    run_worker()
    [notice] = smtp_server.messages
    assert notice["To"] == "ada@example.com"
    assert "Cy mentioned you" in notice["Subject"]
    text = notice.get_body(("plain",)).get_content()
    assert "https://news.example.com" + cy.get_absolute_url() in text
    # The worker again, or the comment approved again: never twice.
    moderation.comment_moderate(
        status=Comment.Status.PENDING, comments=Comment.objects.filter(pk=cy.pk), actor=moderator
    )
    moderation.comment_moderate(
        status=Comment.Status.APPROVED, comments=Comment.objects.filter(pk=cy.pk), actor=moderator
    )
    run_worker()
    assert len(smtp_server.messages) == 1
    assert ReplyNotice.objects.filter(reply=cy, kind=ReplyNotice.Kind.MENTION).count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_reply_that_also_mentions_its_parent_sends_one_notice(
    article, ada_listens, smtp_server, run_worker
):
    post(article, BOB, "@Ada yes, replying and naming you.", parent=ada_listens)
    run_worker()
    [notice] = smtp_server.messages
    assert "New reply" in notice["Subject"]


@pytest.mark.django_db(transaction=True)
def test_no_notice_for_a_self_mention_nor_for_a_held_one_until_approved(
    settings, article, ada_listens, smtp_server, run_worker, moderator
):
    bob = post(article, BOB, "A reply to Ada.", parent=ada_listens)
    post(article, ADA, "As @Ada said before me.", parent=bob)
    run_worker()
    assert ["New reply" in m["Subject"] for m in smtp_server.messages] == [True]
    smtp_server.messages.clear()
    settings.NEWSROOM = {**settings.NEWSROOM, "MODERATION_MODE": "pre"}
    held = post(article, CY, "@Ada look here.", parent=bob)
    assert held.status == Comment.Status.PENDING
    run_worker()
    assert smtp_server.messages == []
    moderation.comment_moderate(
        status=Comment.Status.APPROVED, comments=Comment.objects.filter(pk=held.pk), actor=moderator
    )
    run_worker()
    [notice] = smtp_server.messages
    assert "Cy mentioned you" in notice["Subject"]
