import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.urls import reverse

from comments.accounts import reader_merge
from comments.models import Comment, CommentLike, CommentReport, Reaction, ReactionTally
from comments.reactions import reaction_recount

pytestmark = pytest.mark.django_db

PASSWORD = "pw-for-merge-tests-1"


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    # Only hashing speed changes; login still runs the real backends and signal.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def user():
    return get_user_model().objects.create_user("malik", password=PASSWORD)


def react(client, article, kind):
    return client.post(reverse("react", kwargs={"slug": article.slug}), {"kind": kind})


def log_in(client):
    response = client.post(reverse("login"), {"username": "malik", "password": PASSWORD})
    assert response.status_code == 302
    return response


def tallies(article):
    return dict(ReactionTally.objects.filter(article=article).values_list("kind", "count"))


def test_guest_reaction_follows_the_reader_into_their_account(client, article, user):
    react(client, article, "wow")
    log_in(client)
    assert Reaction.objects.get().reader_key == f"u:{user.pk}"
    assert tallies(article) == {"wow": 1}
    # Now signed in, choosing the same again removes it: the account owns it.
    react(client, article, "wow")
    assert not Reaction.objects.exists()


def test_account_reaction_wins_without_double_counting(client, article, make_article, user):
    other = make_article()
    Reaction.objects.create(article=article, reader_key=f"u:{user.pk}", kind="love")
    ReactionTally.objects.create(article=article, kind="love", count=1)
    react(client, article, "angry")
    react(client, other, "sad")
    log_in(client)
    assert tallies(article) == {"love": 1, "angry": 0}
    assert tallies(other) == {"sad": 1}
    assert set(Reaction.objects.values_list("article_id", "kind", "reader_key")) == {
        (article.pk, "love", f"u:{user.pk}"),
        (other.pk, "sad", f"u:{user.pk}"),
    }
    assert reaction_recount() == []


def make_comment(article, reader_key, **fields):
    return Comment.objects.create(
        article=article,
        reader_key=reader_key,
        author_name="Guest",
        body="A thought.",
        status=Comment.Status.APPROVED,
        **fields,
    )


def test_likes_reports_and_comments_move_to_the_account(client, article, user):
    react(client, article, "like")
    guest = Reaction.objects.get().reader_key
    account = f"u:{user.pk}"
    mine = make_comment(article, guest)
    both_liked = make_comment(article, "g:someone", like_count=2, report_count=2)
    only_guest = make_comment(article, "g:someone", like_count=1, report_count=1)
    for comment, key in [(both_liked, guest), (both_liked, account), (only_guest, guest)]:
        CommentLike.objects.create(comment=comment, reader_key=key)
        CommentReport.objects.create(comment=comment, reader_key=key, reason="spam")

    log_in(client)

    mine.refresh_from_db()
    both_liked.refresh_from_db()
    only_guest.refresh_from_db()
    assert mine.reader_key == account
    assert (both_liked.like_count, both_liked.report_count) == (1, 1)
    assert (only_guest.like_count, only_guest.report_count) == (1, 1)
    assert not CommentLike.objects.filter(reader_key=guest).exists()
    assert not CommentReport.objects.filter(reader_key=guest).exists()
    assert CommentLike.objects.filter(reader_key=account).count() == 2
    assert CommentReport.objects.filter(reader_key=account).count() == 2


def test_logging_in_without_a_guest_history_changes_nothing(client, article, user):
    Reaction.objects.create(article=article, reader_key="g:stranger", kind="sad")
    log_in(client)
    assert Reaction.objects.get().reader_key == "g:stranger"


def test_merge_is_idempotent(article, user):
    Reaction.objects.create(article=article, reader_key="g:abc", kind="sad")
    ReactionTally.objects.create(article=article, kind="sad", count=1)
    assert reader_merge(guest_key="g:abc", user=user) == 1
    assert reader_merge(guest_key="g:abc", user=user) == 0
    assert tallies(article) == {"sad": 1}
