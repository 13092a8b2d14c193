"""A comment's drawn HTML is reused by later versions of the story page only while nothing it shows
has changed (comments.fragments).

Each staleness test draws the page once (every fragment kept), changes one thing through the
path an editor or reader uses, and checks the next newcomer sees it: with that input left out of
the fragment's key, the kept fragment would be served and the test would fail.
"""

import re
from datetime import datetime, timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from articles.models import Article
from comments import fragments, moderation, services
from comments.models import Comment
from comments.readers import Reader

pytestmark = pytest.mark.django_db

SPANISH = {"HTTP_ACCEPT_LANGUAGE": "es-ES,es;q=0.9"}


@pytest.fixture(autouse=True)
def open_site(relaxed_comment_limits, post_moderated_site):
    pass


@pytest.fixture(autouse=True)
def still_clock(monkeypatch):
    """Take "how long ago" out of the keys, as if the clock stood still between two draws: a
    comment written a second ago says "N seconds ago" and would be drawn anew for that alone,
    hiding whether the input under test is in the key. test_time_ago_follows_the_clock puts it
    back."""
    monkeypatch.setattr(fragments, "naturaltime", lambda value: "a while ago")


@pytest.fixture
def draws(monkeypatch):
    """Count the fragments drawn (by comment id) while the test runs."""
    drawn = []
    real = fragments.draw

    def counting(template, context, node):
        drawn.append(node.comment.pk)
        return real(template, context, node)

    monkeypatch.setattr(fragments, "draw", counting)
    return drawn


def newcomer(article, **headers):
    """The page as a reader with no cookies gets it: the shared page, drawn or cached."""
    response = Client().get(article.get_absolute_url(), **headers)
    assert response.status_code == 200
    return response.content.decode()


def fragment(html, comment):
    """The comment's own <article> on the page."""
    found = re.search(rf'<article class="comment[^"]*" id="c{comment.pk}".*?</article>', html, re.S)
    assert found, f"comment {comment.pk} is not on the page"
    return found.group(0)


def reader(n=1):
    since = timezone.now() - timedelta(days=2)
    return Reader(key=f"g:00000000-0000-0000-0000-00000000000{n}", ip=f"203.0.{n}.9", since=since)


class RecordingCache:
    """The real cache, noting the fragment keys stored through it (local memory or Redis alike,
    and only this test's: with Redis, other test workers share the server)."""

    def __init__(self, real):
        self.real, self.stored = real, []

    def __getattr__(self, name):
        return getattr(self.real, name)

    def set_many(self, data, *args, **kwargs):
        self.stored += [key for key in data if fragments.KEY_PREFIX in key]
        return self.real.set_many(data, *args, **kwargs)


@pytest.fixture
def kept_fragment_keys(monkeypatch):
    recording = RecordingCache(fragments.cache)
    monkeypatch.setattr(fragments, "cache", recording)
    return lambda: list(recording.stored)


def changed(article):
    """Make a new version of the page without touching any comment (as any other write does)."""
    Article.objects.filter(pk=article.pk).mark_changed()


# ---------- Abuse and staleness first ----------


def test_a_like_is_shown_in_the_kept_comment(article, desk_comment, draws):
    liked = desk_comment(body="Likeable")
    assert "1 like" not in fragment(newcomer(article), liked)
    services.comment_like_toggle(comment=liked, reader=reader())
    assert "1 like" in fragment(newcomer(article), liked)


def test_an_edit_is_shown_with_its_edited_mark(article):
    comment = services.comment_submit(
        article=article, reader=reader(), body="Frist", author_name="Al"
    )
    before = fragment(newcomer(article), comment)
    assert "Frist" in before and "edited" not in before
    services.comment_edit(comment=comment, reader=reader(), body="First, corrected")
    after = fragment(newcomer(article), comment)
    assert "First, corrected" in after and "Frist" not in after
    assert "edited" in after
    services.comment_edit(comment=comment, reader=reader(), body="First, corrected again")
    assert "First, corrected again" in fragment(newcomer(article), comment)


def test_hidden_then_approved_comment_comes_back_as_it_is_now(article, desk_comment, moderator):
    shown = desk_comment(body="Contested words")
    newcomer(article)
    moderation.comment_moderate(
        comments=Comment.objects.filter(pk=shown.pk),
        status=Comment.Status.REJECTED,
        actor=moderator,
    )
    assert "Contested words" not in newcomer(article)
    Comment.objects.filter(pk=shown.pk).update(like_count=2)  # liked before it was hidden
    moderation.comment_moderate(
        comments=Comment.objects.filter(pk=shown.pk),
        status=Comment.Status.APPROVED,
        actor=moderator,
    )
    assert "2 likes" in fragment(newcomer(article), shown)


def test_a_pick_and_an_unpick_are_shown(article, desk_comment, moderator):
    comment = desk_comment(body="Worth reading")
    assert "Editor’s pick" not in fragment(newcomer(article), comment)
    picked = Comment.objects.filter(pk=comment.pk)
    moderation.comment_feature(comments=picked, actor=moderator)
    assert "Editor’s pick" in fragment(newcomer(article), comment)
    moderation.comment_feature(comments=picked, actor=moderator, featured=False)
    assert "Editor’s pick" not in fragment(newcomer(article), comment)


def test_a_deleted_comment_with_replies_becomes_its_placeholder(article, make_comment):
    comment = services.comment_submit(
        article=article, reader=reader(), body="Regrettable words", author_name="Al"
    )
    make_comment(article, parent=comment, body="A reply holds it in place")
    assert "Regrettable words" in fragment(newcomer(article), comment)
    services.comment_delete(comment=comment, reader=reader())
    html = fragment(newcomer(article), comment)
    assert "Regrettable words" not in html
    assert "Comment deleted by its author." in html


def test_a_comment_approved_later_takes_over_an_earlier_mention(
    article, make_comment, moderator, draws
):
    """A mention links to its person's latest earlier visible comment: one approved later that
    was written earlier becomes the link of a comment that did not change at all."""
    root = make_comment(article, author_name="Ann", body="First thoughts")
    held = make_comment(
        article, parent=root, author_name="Ann", body="Second thoughts", status="pending"
    )
    mention = make_comment(article, parent=root, author_name="Bob", body="@Ann agreed")
    assert f"#c{root.pk}" in fragment(newcomer(article), mention)
    moderation.comment_moderate(
        comments=Comment.objects.filter(pk=held.pk), status=Comment.Status.APPROVED, actor=moderator
    )
    draws.clear()
    html = fragment(newcomer(article), mention)
    assert f"#c{held.pk}" in html and f"#c{root.pk}" not in html
    # The root's own fragment did not change: it was kept.
    assert root.pk not in draws and mention.pk in draws


def test_a_rejected_mention_target_falls_back_to_the_earlier_comment(
    article, make_comment, moderator
):
    root = make_comment(article, author_name="Ann", body="First thoughts")
    later = make_comment(article, parent=root, author_name="Ann", body="Second thoughts")
    mention = make_comment(article, parent=root, author_name="Bob", body="@Ann agreed")
    assert f"#c{later.pk}" in fragment(newcomer(article), mention)
    moderation.comment_moderate(
        comments=Comment.objects.filter(pk=later.pk),
        status=Comment.Status.REJECTED,
        actor=moderator,
    )
    assert f"#c{root.pk}" in fragment(newcomer(article), mention)


def test_each_language_gets_its_own_fragments(article, desk_comment):
    comment = desk_comment(body="Bilingual")
    assert "Like" in fragment(newcomer(article), comment)
    spanish = fragment(newcomer(article, **SPANISH), comment)
    assert "Me gusta" in spanish and ">Like<" not in spanish.replace(" ", "")
    assert "Me gusta" not in fragment(newcomer(article), comment)


def test_time_ago_follows_the_clock(article, desk_comment, monkeypatch):
    from django.contrib.humanize.templatetags.humanize import naturaltime

    monkeypatch.setattr(fragments, "naturaltime", naturaltime)
    comment = desk_comment(body="Said a while ago")
    Comment.objects.filter(pk=comment.pk).update(created_at=timezone.now() - timedelta(minutes=5))
    assert "5\xa0minutes ago" in fragment(newcomer(article), comment)

    from django.contrib.humanize.templatetags import humanize

    class Later(datetime):
        @classmethod
        def now(cls, tz=None):
            return datetime.now(tz) + timedelta(hours=2)

    monkeypatch.setattr(humanize, "datetime", Later)
    changed(article)  # the page is drawn again; the comment itself did not change
    assert "2\xa0hours ago" in fragment(newcomer(article), comment)


def test_a_deploy_with_other_markup_draws_every_comment_again(article, desk_comment, monkeypatch):
    desk_comment(body="Drawn by the old code")
    newcomer(article)
    real = fragments.draw
    monkeypatch.setattr(fragments, "draw", lambda *args: real(*args) + "<!-- new markup -->")
    monkeypatch.setattr(fragments, "code_version", lambda: "the next release")
    changed(article)
    assert "<!-- new markup -->" in newcomer(article)
    assert "Drawn by the old code" in newcomer(article)


def test_code_version_changes_with_the_comment_template(tmp_path, settings):
    templates = tmp_path / "templates" / "comments"
    templates.mkdir(parents=True)
    (tmp_path / "comments").mkdir()
    (templates / "_comment.html").write_text("<article>{{ comment.body }}</article>")
    settings.BASE_DIR = tmp_path
    before = fragments.code_version.__wrapped__()
    (templates / "_comment.html").write_text("<article class=new>{{ comment.body }}</article>")
    assert fragments.code_version.__wrapped__() != before


def test_the_like_button_returns_to_the_sort_it_was_pressed_in(article, desk_comment):
    comment = desk_comment(body="Sorted")
    assert 'name="next" value="/stories/' in fragment(newcomer(article), comment)
    liked = Client().get(article.get_absolute_url() + "?sort=liked").content.decode()
    assert "?sort=liked" in re.search(r'name="next" value="([^"]*)"', fragment(liked, comment))[1]


def test_staff_see_deleted_text_readers_never_do(article, make_comment, admin_client):
    comment = services.comment_submit(
        article=article, reader=reader(), body="Withdrawn words", author_name="Al"
    )
    make_comment(article, parent=comment, body="A reply holds it in place")
    services.comment_delete(comment=comment, reader=reader())
    assert "Withdrawn words" not in newcomer(article)
    staff = admin_client.get(article.get_absolute_url()).content.decode()
    assert "Withdrawn words" in staff
    assert "Withdrawn words" not in newcomer(article)
    changed(article)
    assert "Withdrawn words" not in newcomer(article)


def test_junk_query_values_keep_nothing(article, desk_comment, kept_fragment_keys):
    desk_comment(body="Someone")
    for junk in ("?sort=oldest&x=1", "?thread=99999", "?after=\x00" + "9" * 500, "?sort=%ff"):
        response = Client().get(article.get_absolute_url() + junk)
        assert response.status_code == 200
    assert kept_fragment_keys() == []


def test_a_body_cannot_pose_as_another_field(article, make_comment, kept_fragment_keys):
    """Two comments whose text and name run into each other differently get different keys."""
    first = make_comment(article, author_name="Ann", body="x', 'Bob")
    second = make_comment(article, author_name="Bob", body="x")
    html = newcomer(article)
    assert "x&#x27;, &#x27;Bob" in fragment(html, first) or "x', 'Bob" in fragment(html, first)
    assert fragment(html, second).count("Bob") >= 1
    assert len(set(kept_fragment_keys())) == 2


def test_a_dead_cache_draws_everything_and_serves_the_page(
    article, desk_comment, monkeypatch, draws
):
    one, two = desk_comment(body="Still here"), desk_comment(body="Also here")
    newcomer(article)

    def down(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(cache, "get_many", down)
    monkeypatch.setattr(cache, "set_many", down)
    changed(article)
    draws.clear()
    html = newcomer(article)
    assert "Still here" in html and "Also here" in html
    assert sorted(draws) == sorted([one.pk, two.pk])


# ---------- What it is for ----------


def long_story(article):
    """200 threaded comments, all written at one moment days ago (their "ago" stays put)."""
    from bench.seed import bulk_create_comments

    bulk_create_comments(article, 200)
    then = timezone.now() - timedelta(days=3, minutes=30)
    Comment.objects.filter(article=article).update(created_at=then)


def test_one_new_comment_on_a_long_story_draws_one_fragment(article, client, comment_data, draws):
    long_story(article)
    with CaptureQueriesContext(connection) as first:
        newcomer(article)
    assert len(draws) >= 20  # the first page of threads, with their replies
    root = Comment.objects.filter(article=article, parent=None).order_by("created_at", "id")[0]
    posted = client.post(
        reverse("comment_reply", args=[root.pk]), comment_data(article, body="The newest word")
    )
    assert posted.status_code == 302
    draws.clear()
    with CaptureQueriesContext(connection) as again:
        html = newcomer(article)
    new = Comment.objects.get(body="The newest word")
    assert "The newest word" in fragment(html, new)
    assert draws == [new.pk]
    assert len(again) == len(first)


def test_a_like_on_a_long_story_draws_only_the_liked_comment(article, draws):
    long_story(article)
    newcomer(article)
    liked = Comment.objects.get(pk=draws[len(draws) // 2])
    draws.clear()
    services.comment_like_toggle(comment=liked, reader=reader())
    liked.refresh_from_db()
    count = liked.like_count
    assert f"{count} like" + ("s" if count != 1 else "") in fragment(newcomer(article), liked)
    assert draws == [liked.pk]


def test_readers_own_overlay_still_marks_their_like_on_kept_fragments(article, desk_comment):
    comment = desk_comment(body="Liked by one")
    newcomer(article)
    guest = Client()
    guest.post(reverse("comment_like", args=[comment.pk]))
    own = fragment(guest.get(article.get_absolute_url()).content.decode(), comment)
    assert 'aria-pressed="true"' in own
    assert 'aria-pressed="false"' in fragment(newcomer(article), comment)
