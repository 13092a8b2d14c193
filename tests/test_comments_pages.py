"""Every comment page and action, as a plain form post and as the script's fetch request."""

import re
import time
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from comments.demo import add_demo_comments
from comments.forms import make_token
from comments.models import Comment, CommentLike, CommentReport

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("relaxed_comment_limits", "post_moderated_site"),
]
FETCH = {"HTTP_X_REQUESTED_WITH": "fetch", "HTTP_ACCEPT": "application/json"}


def post_url(article):
    return reverse("comment_post", kwargs={"slug": article.slug})


@pytest.fixture
def other_client():
    return Client()


def test_a_returning_guest_finds_their_name_filled_in(
    client, other_client, article, make_article, comment_data
):
    client.post(post_url(article), comment_data(article, author_name="Ada Okafor", body="Hi"))
    name_input = re.compile(r'<input[^>]*name="author_name"[^>]*>')
    elsewhere = make_article(slug="another-story")
    own = name_input.search(client.get(elsewhere.get_absolute_url()).content.decode())[0]
    assert 'value="Ada Okafor"' in own
    reply = client.get(reverse("comment_reply", args=[Comment.objects.get().pk]))
    assert 'value="Ada Okafor"' in name_input.search(reply.content.decode())[0]
    # Nobody else is offered that name, nor the email the guest gave.
    page = other_client.get(elsewhere.get_absolute_url()).content.decode()
    assert "Ada Okafor" not in page
    assert "ada@example.com" not in client.get(elsewhere.get_absolute_url()).content.decode()


def test_a_guest_posts_and_lands_on_their_comment(client, article, comment_data):
    response = client.post(post_url(article), comment_data(article, body="First!"))
    comment = Comment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/stories/{article.slug}/?thread={comment.pk}#c{comment.pk}"
    page = client.get(response["Location"]).content.decode()
    assert f'id="c{comment.pk}"' in page and "First!" in page
    assert f'aria-labelledby="c{comment.pk}-author"' in page


def test_posting_with_the_script_answers_json_with_the_thread(client, article, comment_data):
    response = client.post(post_url(article), comment_data(article), **FETCH)
    data = response.json()
    assert response.status_code == 201 and data["ok"] is True
    assert data["count"] == 1 and f'id="c{data["comment_id"]}"' in data["thread_html"]


def test_a_logged_in_reader_posts_as_themselves(client, article, comment_data, django_user_model):
    user = django_user_model.objects.create_user("grace", password="pw-long-enough-123")
    client.force_login(user)
    page = client.get(article.get_absolute_url()).content.decode()
    assert 'name="author_name"' not in page and "Posting as" in page
    client.post(post_url(article), comment_data(article, author_name="", author_email=""))
    assert Comment.objects.get().user == user


def test_the_form_has_the_labels_readers_rely_on(client, article):
    page = client.get(article.get_absolute_url()).content.decode()
    for label in ("Name", "Email (optional)", "Comment"):
        assert f">{label}</label>" in page
    assert ">Post comment</button>" in page


def test_validation_errors_keep_what_the_reader_typed(client, article, comment_data):
    text = "My long considered view " * 200
    response = client.post(post_url(article), comment_data(article, body=text, author_name=""))
    page = response.content.decode()
    assert response.status_code == 400
    assert "Please tell us your name." in page and "the limit is 3000" in page
    assert text.strip() in page
    assert not Comment.objects.exists()


def test_validation_errors_for_the_script_include_the_form(client, article, comment_data):
    response = client.post(post_url(article), comment_data(article, body=""), **FETCH)
    data = response.json()
    assert response.status_code == 400 and "Please write a comment" in data["message"]
    assert "ada@example.com" in data["form_html"]


def test_the_honeypot_refuses_bots(client, article, comment_data):
    response = client.post(post_url(article), comment_data(article, website="http://spam"))
    assert response.status_code == 400 and "leave the last field empty" in response.content.decode()
    assert not Comment.objects.exists()


@pytest.mark.parametrize(
    ("age", "message"), [(0, "That was quick!"), (60 * 60 * 25, "open a long time")]
)
def test_too_fast_or_too_old_forms_are_refused_keeping_the_text(
    client, article, comment_data, age, message
):
    ts = make_token(article, issued_at=time.time() - age)
    response = client.post(post_url(article), comment_data(article, ts=ts, body="Keep me"))
    page = response.content.decode()
    assert response.status_code == 400 and message in page and "Keep me" in page
    assert not Comment.objects.exists()


def test_a_closed_story_shows_it_and_refuses_posts(client, article, comment_data):
    article.comments_enabled = False
    article.save()
    page = client.get(article.get_absolute_url()).content.decode()
    assert "Comments are closed on this story." in page and "Post comment" not in page
    assert client.post(post_url(article), comment_data(article)).status_code == 403
    assert not Comment.objects.exists()


def test_the_rate_limit_answers_429_with_retry_after(client, article, comment_data, settings):
    settings.NEWSROOM = {**settings.NEWSROOM, "COMMENT_RATE": "1/h"}
    client.post(post_url(article), comment_data(article, body="one"))
    response = client.post(post_url(article), comment_data(article, body="two"), **FETCH)
    assert response.status_code == 429 and int(response["Retry-After"]) >= 1
    assert Comment.objects.count() == 1


def test_a_held_comment_is_shown_to_its_author_only(client, other_client, article, comment_data):
    article.moderation_mode = "pre"
    article.save()
    client.post(post_url(article), comment_data(article, body="Held for now"))
    mine = client.get(article.get_absolute_url()).content.decode()
    theirs = other_client.get(article.get_absolute_url()).content.decode()
    assert "Held for now" in mine and "Awaiting moderation" in mine
    assert "Held for now" not in theirs


def test_emails_and_ip_hashes_never_reach_the_page(client, article, comment_data):
    client.post(post_url(article), comment_data(article))
    comment = Comment.objects.get()
    for who in (client, Client()):
        page = who.get(article.get_absolute_url()).content.decode()
        assert "ada@example.com" not in page
        assert comment.ip_hash not in page and comment.network_hash not in page


def test_reply_page_works_without_script_and_posts_a_reply(
    client, article, comment_data, make_comment
):
    parent = make_comment(article, author_name="Rosa")
    page = client.get(reverse("comment_reply", args=[parent.pk]))
    assert page.status_code == 200 and "Reply to Rosa" in page.content.decode()
    response = client.post(reverse("comment_reply", args=[parent.pk]), comment_data(article))
    reply = Comment.objects.get(parent=parent)
    assert response["Location"].endswith(f"?thread={parent.pk}#c{reply.pk}")


def test_reply_form_fragment_for_the_script(client, article, make_comment):
    parent = make_comment(article)
    response = client.get(reverse("comment_reply", args=[parent.pk]), **FETCH)
    html = response.content.decode()
    assert "<html" not in html and f'id="reply-{parent.pk}-body"' in html


def test_comment_buttons_name_the_author(client, article, comment_data, make_comment):
    other = make_comment(article, author_name="Rosa")
    client.post(post_url(article), comment_data(article))
    mine = Comment.objects.exclude(pk=other.pk).get()
    page = client.get(article.get_absolute_url()).content.decode()

    def labels(comment):
        pattern = rf'<button [^>]*aria-describedby="c{comment.pk}-author"[^>]*>(.*?)</button>'
        return {
            re.sub(r"<span aria-hidden.*?</span>", "", b).strip() for b in re.findall(pattern, page)
        }

    assert f'<span class="comment__author" id="c{other.pk}-author">Rosa</span>' in page
    assert labels(other) == {"Like", "Reply", "Report"}
    assert labels(mine) == {"Like", "Reply", "Edit", "Delete"}


def test_the_author_edits_with_and_without_script(client, article, comment_data):
    client.post(post_url(article), comment_data(article))
    comment = Comment.objects.get()
    url = reverse("comment_edit", args=[comment.pk])
    assert client.get(url).status_code == 200
    assert client.post(url, {"body": "Edited once"}).status_code == 302
    data = client.post(url, {"body": "Edited twice"}, **FETCH).json()
    assert data["ok"] and "Edited twice" in data["thread_html"] and "edited" in data["thread_html"]


def test_editing_after_the_window_is_refused_and_keeps_the_text(client, article, comment_data):
    client.post(post_url(article), comment_data(article))
    Comment.objects.update(created_at=timezone.now() - timedelta(hours=1))
    comment = Comment.objects.get()
    response = client.post(reverse("comment_edit", args=[comment.pk]), {"body": "Late change"})
    assert response.status_code == 400 and "Late change" in response.content.decode()
    assert Comment.objects.get().body == "A thoughtful comment."


def test_another_reader_cannot_edit_or_delete(client, other_client, article, comment_data):
    client.post(post_url(article), comment_data(article))
    comment = Comment.objects.get()
    for name in ("comment_edit", "comment_delete"):
        url = reverse(name, args=[comment.pk])
        assert other_client.get(url).status_code == 403
        assert other_client.post(url, {"body": "Hijacked"}).status_code == 403
        assert other_client.post(url, {"body": "Hijacked"}, **FETCH).status_code == 403
    comment.refresh_from_db()
    assert comment.body == "A thoughtful comment." and comment.deleted_at is None


def test_nobody_reaches_another_readers_held_comment(other_client, article, make_comment):
    held = make_comment(article, status="pending")
    for name in ("comment_edit", "comment_delete", "comment_reply", "comment_permalink"):
        assert other_client.get(reverse(name, args=[held.pk])).status_code == 404


def test_delete_leaves_a_placeholder_that_keeps_replies(
    client, other_client, admin_client, article, comment_data, make_comment
):
    client.post(post_url(article), comment_data(article, body="Regrettable words"))
    comment = Comment.objects.get()
    make_comment(article, parent=comment, body="A reply that stays")
    assert client.get(reverse("comment_delete", args=[comment.pk])).status_code == 200
    assert client.post(reverse("comment_delete", args=[comment.pk])).status_code == 302
    reader_page = other_client.get(article.get_absolute_url()).content.decode()
    assert "Comment deleted by its author." in reader_page
    assert "Regrettable words" not in reader_page and "A reply that stays" in reader_page
    assert "Regrettable words" in admin_client.get(article.get_absolute_url()).content.decode()


def test_likes_toggle_with_and_without_script(client, article, make_comment):
    comment = make_comment(article)
    url = reverse("comment_like", args=[comment.pk])
    assert client.post(url, {"next": article.get_absolute_url()}).status_code == 302
    assert Comment.objects.get().like_count == 1
    page = client.get(article.get_absolute_url()).content.decode()
    assert 'aria-pressed="true"' in page and "1 like<" in page
    data = client.post(url, **FETCH).json()
    assert (data["liked"], data["like_count"]) == (False, 0)
    assert Comment.objects.get().like_count == CommentLike.objects.count() == 0


def test_a_reader_reports_once_with_a_reason(client, article, make_comment):
    comment = make_comment(article)
    url = reverse("comment_report", args=[comment.pk])
    assert "Why are you reporting" in client.get(url).content.decode()
    assert client.post(url, {"reason": ""}).status_code == 400
    assert client.post(url, {"reason": "spam", "text": "Selling things"}).status_code == 302
    assert client.post(url, {"reason": "abuse"}, **FETCH).status_code == 409
    assert CommentReport.objects.get().reason == "spam"
    assert Comment.objects.get().report_count == 1


def test_sort_and_load_more_work_as_links_and_fragments(client, article, make_comment, settings):
    settings.NEWSROOM = {**settings.NEWSROOM, "COMMENTS_PER_PAGE": 2}
    now = timezone.now()
    made = [
        make_comment(article, body=f"Number {n}", created_at=now - timedelta(minutes=10 - n))
        for n in range(5)
    ]
    page = client.get(article.get_absolute_url()).content.decode()
    assert "Number 0" in page and "Number 2" not in page and "Load more comments" in page
    more = page.split('data-load-more-wrap><a class="button button--quiet" href="')[1].split('"')[0]
    second = client.get(more.replace("&amp;", "&")).content.decode()
    assert "Number 2" in second and "Number 0" not in second
    newest = client.get(f"{article.get_absolute_url()}?sort=newest").content.decode()
    assert "Number 4" in newest and "Number 0" not in newest
    fragment = client.get(
        reverse("comment_list", args=[article.slug]) + "?sort=newest", **FETCH
    ).content.decode()
    assert "<html" not in fragment and f'id="c{made[4].pk}"' in fragment
    no_script = client.get(reverse("comment_list", args=[article.slug]) + "?sort=newest")
    assert no_script.status_code == 302 and "sort=newest" in no_script["Location"]


def test_permalinks_show_the_whole_thread(client, article, make_comment):
    root = make_comment(article, body="Root words")
    reply = make_comment(article, parent=root, body="Reply words")
    response = client.get(reverse("comment_permalink", args=[reply.pk]))
    assert response["Location"] == reply.get_absolute_url()
    page = client.get(reply.get_absolute_url()).content.decode()
    assert "Showing one conversation." in page and "Reply words" in page


def test_the_comment_count_shows_in_the_heading_and_on_the_home_page(
    client, article, make_article, make_comment
):
    other = make_article(headline="Quiet story")
    make_comment(article)
    make_comment(article)
    make_comment(article, status="pending")
    make_comment(article, deleted_at=timezone.now())
    assert "data-comment-count>2</span>" in client.get(article.get_absolute_url()).content.decode()
    with CaptureQueriesContext(connection) as queries:
        home = client.get(reverse("articles:list")).content.decode()
    assert "2 comments" in home and "0 comments" in home and other.headline in home
    assert len(queries) <= 3


def _story_queries(client, article):
    """Count the queries of the page drawn afresh (the shared page filling the cache)."""
    from django.core.cache import cache

    from articles import page_cache

    cache.clear()
    page_cache.forget()
    with CaptureQueriesContext(connection) as queries:
        assert client.get(article.get_absolute_url()).status_code == 200
    return len(queries)


def test_story_page_queries_do_not_grow_with_comments(client, article, comment_data):
    add_demo_comments(article, 20)
    client.post(post_url(article), comment_data(article))  # a known reader with likes to look up
    small = _story_queries(client, article)
    add_demo_comments(article, 1980, seed=5)
    assert Comment.objects.count() == 2001
    assert _story_queries(client, article) == small
    assert (
        small <= 13
    )  # the shared page drawn (8, its tags one), then this reader's part laid over it


def test_load_demo_builds_a_threaded_conversation(article):
    call_command("load_demo", comments=150, stdout=open("/dev/null", "w"))
    story = Comment.objects.first().article
    assert story.comments.count() == 150
    assert story.comments.filter(depth__gte=3).exists()
    for comment in story.comments.filter(like_count__gt=0)[:20]:
        assert comment.likes.count() == comment.like_count
