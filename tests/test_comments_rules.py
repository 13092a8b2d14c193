"""The comment rules where they live: QuerySet, formatting, the write path and thread reading."""

import threading
from datetime import timedelta
from html.parser import HTMLParser

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import timezone

from comments import services
from comments.formatting import clean_text, render_comment
from comments.models import Comment, CommentLike, CommentReport
from comments.moderation import CommentRefused
from comments.readers import Reader
from comments.threads import MAX_LEVEL, thread_page

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("relaxed_comment_limits", "post_moderated_site"),
]

ADA = Reader(key="g:ada", ip="203.0.113.7")
BOB = Reader(key="g:bob", ip="198.51.100.9")


def submit(article, reader=ADA, **fields):
    fields.setdefault("body", "Well reported.")
    fields.setdefault("author_name", "Ada")
    return services.comment_submit(article=article, reader=reader, **fields)


# QuerySet rules


def test_visible_comments_are_approved_only(article, make_comment):
    shown = make_comment(article)
    for status in ("pending", "rejected", "spam"):
        make_comment(article, status=status)
    assert list(article.comments.visible()) == [shown]


def test_a_reader_also_sees_their_own_held_comment(article, make_comment):
    shown = make_comment(article)
    mine = make_comment(article, status="pending", reader_key="g:ada")
    make_comment(article, status="pending", reader_key="g:bob")
    make_comment(article, status="rejected", reader_key="g:ada")
    assert set(article.comments.visible_to("g:ada")) == {shown, mine}
    assert set(article.comments.visible_to(None)) == {shown}


def test_live_comments_leave_out_deleted_ones(article, make_comment):
    kept = make_comment(article)
    make_comment(article, deleted_at=timezone.now())
    assert list(article.comments.live()) == [kept]


# Formatting and input hygiene


@pytest.mark.parametrize(
    "payload",
    [
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        '<a href="javascript:alert(1)">click</a>',
        '<a href="https://ok.example" onclick="alert(1)">x</a>',
        '"><svg/onload=alert(1)>',
        "<iframe src=//evil.example></iframe>",
        "<b onmouseover=alert(1)>hi</b>",
        '<a href="data:text/html,<script>alert(1)</script>">d</a>',
        "<style>body{display:none}</style>",
    ],
)
def test_hostile_markup_is_rendered_inert(payload):
    tags = Tags()
    tags.feed(render_comment(payload))
    for tag, attrs in tags.found:
        assert tag in {"p", "br", "b", "strong", "i", "em", "a"}
        for name, value in attrs:
            assert name in {"href", "rel"}
            if name == "href":
                assert value.startswith(("https://", "http://", "mailto:"))
    assert "alert(1)" in tags.text or "evil" in tags.text or "display" in tags.text


class Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.found, self.text = [], ""

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, attrs))

    def handle_data(self, data):
        self.text += data


def test_comments_written_before_markdown_keep_their_html_subset():
    html = render_comment(
        'One <b>bold</b> and <i>italic</i>\nline\n\nSee <a href="https://x.example/">this</a> '
        "and https://y.example/page.",
        markup="html",
    )
    assert html.startswith("<p>One <b>bold</b> and <i>italic</i><br>line</p><p>")
    assert '<a href="https://x.example/" rel="nofollow ugc noopener">this</a>' in html
    assert '<a href="https://y.example/page" rel="nofollow ugc noopener">' in html
    assert html.endswith("</a>.</p>")


def test_other_tags_show_as_the_text_the_reader_typed():
    assert render_comment("I <3 <u>this</u>") == "<p>I &lt;3 &lt;u&gt;this&lt;/u&gt;</p>"


def test_bidi_overrides_and_zero_width_characters_are_stripped():
    assert clean_text("evil\u202egnp.exe\u200b here\ufeff") == "evilgnp.exe here"


def test_joiners_inside_emoji_survive():
    family = "\U0001f468\u200d\U0001f469\u200d\U0001f467"
    assert clean_text(f"{family} \u200d") == family


@pytest.mark.parametrize("text", ["bell\x07", "null\x00byte", "escape\x1b[31m"])
def test_control_characters_are_refused(text):
    with pytest.raises(ValidationError, match="control characters"):
        clean_text(text)


def test_runaway_combining_marks_are_refused_but_accents_are_fine():
    assert clean_text("Tiếng Việt") == "Tiếng Việt"
    with pytest.raises(ValidationError, match="too many accents"):
        clean_text("Z" + "\u0301\u0302\u0303\u0304\u0305\u0306\u0307\u0308")


# The write path


def test_submit_saves_reader_hashes_and_user_agent_never_the_ip(article):
    comment = submit(article, user_agent="Firefox", author_name="  Ada   Lovelace ")
    comment.refresh_from_db()
    assert comment.author_name == "Ada Lovelace"
    assert comment.reader_key == "g:ada"
    assert comment.ip_hash == ADA.ip_hash and "203.0.113" not in comment.ip_hash
    assert comment.network_hash == ADA.network_hash
    assert comment.user_agent == "Firefox"
    assert comment.status == Comment.Status.APPROVED


def test_submit_holds_comments_on_a_pre_moderated_story(article):
    article.moderation_mode = "pre"
    article.save()
    assert submit(article).status == Comment.Status.PENDING


def test_submit_refuses_a_closed_story(article):
    article.comments_enabled = False
    article.save()
    with pytest.raises(CommentRefused) as refused:
        submit(article)
    assert refused.value.status == 403
    assert not Comment.objects.exists()


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"body": "   \n  "}, "body", "Please write a comment"),
        ({"body": "x" * 3001}, "body", "the limit is 3000"),
        ({"author_name": " "}, "author_name", "your name"),
        ({"author_name": "n" * 51}, "author_name", "50 characters"),
        ({"author_email": "not-an-email"}, "author_email", "valid email"),
        ({"body": "bad\x00"}, "body", "control characters"),
    ],
)
def test_submit_explains_what_is_wrong(article, fields, field, message):
    with pytest.raises(ValidationError) as invalid:
        submit(article, **fields)
    assert message in " ".join(invalid.value.message_dict[field])
    assert not Comment.objects.exists()


def test_a_signed_in_reader_posts_under_their_account(article, django_user_model):
    user = django_user_model.objects.create_user("grace", email="g@example.com", password="x")
    comment = submit(article, reader=Reader(key=f"u:{user.pk}", user=user), author_name="")
    assert (comment.author_name, comment.author_email, comment.user) == (
        "grace",
        "g@example.com",
        user,
    )


def test_replies_record_their_thread_and_depth(article):
    root = submit(article)
    child = submit(article, parent=root, reader=BOB, author_name="Bob")
    grandchild = submit(article, parent=child)
    assert (child.thread_id, child.depth) == (root.pk, 1)
    assert (grandchild.thread_id, grandchild.depth, grandchild.parent) == (root.pk, 2, child)


def test_nobody_replies_to_a_comment_they_cannot_see(article, make_comment, make_article):
    held = make_comment(article, status="pending", reader_key="g:bob")
    elsewhere = make_comment(make_article())
    for parent in (held, elsewhere):
        with pytest.raises(ValidationError, match="no longer available"):
            submit(article, parent=parent)


def test_the_author_edits_within_the_window_and_it_shows_edited(article):
    comment = submit(article)
    services.comment_edit(comment=comment, reader=ADA, body="Better words.")
    comment.refresh_from_db()
    assert comment.body == "Better words." and comment.edited_at is not None


def test_editing_after_the_window_is_refused(article, settings):
    comment = submit(article)
    Comment.objects.filter(pk=comment.pk).update(created_at=timezone.now() - timedelta(minutes=16))
    comment.refresh_from_db()
    with pytest.raises(ValidationError, match="15 minutes"):
        services.comment_edit(comment=comment, reader=ADA, body="Too late.")
    assert Comment.objects.get().body == "Well reported."


def test_another_reader_cannot_edit_or_delete(article):
    comment = submit(article)
    with pytest.raises(PermissionDenied):
        services.comment_edit(comment=comment, reader=BOB, body="Hijacked")
    with pytest.raises(PermissionDenied):
        services.comment_delete(comment=comment, reader=BOB)
    comment.refresh_from_db()
    assert comment.body == "Well reported." and comment.deleted_at is None


def test_deleting_keeps_the_original_for_editors(article):
    comment = submit(article)
    services.comment_delete(comment=comment, reader=ADA)
    comment.refresh_from_db()
    assert comment.is_deleted and comment.body == "Well reported."


def test_likes_toggle_and_the_count_matches_the_rows(article):
    comment = submit(article)
    assert services.comment_like_toggle(comment=comment, reader=BOB) == (True, 1)
    assert services.comment_like_toggle(comment=comment, reader=ADA) == (True, 2)
    assert services.comment_like_toggle(comment=comment, reader=BOB) == (False, 1)
    assert services.comment_like_toggle(comment=comment, reader=ADA, liked=True) == (True, 1)
    comment.refresh_from_db()
    assert comment.like_count == CommentLike.objects.filter(comment=comment).count() == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_likes_are_counted_exactly(article):
    if connection.vendor == "sqlite":
        pytest.skip("needs a server database for real concurrency")
    comment = submit(article)
    readers = [Reader(key=f"g:r{n}", ip=f"192.0.2.{n}") for n in range(12)]
    barrier = threading.Barrier(len(readers) * 2)

    def like(reader):
        barrier.wait()
        try:
            services.comment_like_toggle(comment=comment, reader=reader, liked=True)
        finally:
            connection.close()

    workers = [threading.Thread(target=like, args=(r,)) for r in readers for _ in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    comment.refresh_from_db()
    assert comment.like_count == CommentLike.objects.filter(comment=comment).count() == 12


def test_a_reader_reports_a_comment_once(article):
    comment = submit(article)
    services.comment_report(comment=comment, reader=BOB, reason="abuse", text="Rude")
    with pytest.raises(services.AlreadyReported):
        services.comment_report(comment=comment, reader=BOB, reason="spam")
    comment.refresh_from_db()
    assert comment.report_count == CommentReport.objects.count() == 1


def test_reports_need_a_known_reason_and_not_your_own_comment(article):
    comment = submit(article)
    with pytest.raises(ValidationError, match="choose why"):
        services.comment_report(comment=comment, reader=BOB, reason="because")
    with pytest.raises(ValidationError, match="your own"):
        services.comment_report(comment=comment, reader=ADA, reason="spam")
    assert not CommentReport.objects.exists()


# Reading threads


def test_deep_replies_stay_at_the_last_level_naming_who_they_answer(article, make_comment):
    chain = [make_comment(article, author_name="Root")]
    for n in range(1, 6):
        chain.append(make_comment(article, parent=chain[-1], author_name=f"Level {n}"))
    (thread,) = thread_page(article).threads
    level1 = thread.children[0]
    level2 = level1.children[0]
    last = level2.children
    assert [node.comment for node in last] == chain[3:]
    assert {node.level for node in last} == {MAX_LEVEL}
    assert last[0].replying_to is None
    assert [node.replying_to.author_name for node in last[1:]] == ["Level 3", "Level 4"]


def test_deleted_comments_keep_their_replies_and_vanish_without_them(article, make_comment):
    gone = make_comment(article, deleted_at=timezone.now())
    holder = make_comment(article, deleted_at=timezone.now())
    reply = make_comment(article, parent=holder)
    threads = thread_page(article).threads
    assert [node.comment for node in threads] == [holder]
    assert threads[0].children[0].comment == reply
    assert gone not in [node.comment for node in threads]


@pytest.mark.parametrize("sort", ["oldest", "newest", "liked"])
def test_cursor_pages_cover_every_thread_once(article, make_comment, sort):
    now = timezone.now()
    made = [
        make_comment(article, like_count=n % 3, created_at=now - timedelta(minutes=n))
        for n in range(7)
    ]
    seen, cursor = [], ""
    while True:
        page = thread_page(article, sort=sort, cursor=cursor, size=3)
        seen += [node.comment.pk for node in page.threads]
        if not page.next_cursor:
            break
        cursor = page.next_cursor
    assert sorted(seen) == sorted(c.pk for c in made) and len(seen) == 7
    first = thread_page(article, sort=sort, size=7).threads
    if sort == "newest":
        assert first[0].comment == made[0]
    elif sort == "oldest":
        assert first[0].comment == made[-1]
    else:
        assert first[0].comment.like_count == 2
