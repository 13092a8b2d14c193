from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from articles.models import Article

SEED = Path(__file__).resolve().parents[2] / "shared" / "seeds" / "000_b6644f9eb1b60515.txt"


@pytest.fixture
def seed_path():
    if not SEED.exists():
        pytest.skip(f"seed story not found at {SEED}")
    return SEED


@pytest.fixture
def make_article(db):
    def make(**fields):
        n = Article.objects.count() + 1
        defaults = {
            "headline": f"Story number {n}",
            "slug": f"story-{n}",
            "caption": "A caption",
            "body": "First paragraph.\n\nSecond paragraph.",
            "status": Article.Status.PUBLISHED,
            "published_at": timezone.now() - timedelta(hours=1),
        }
        defaults.update(fields)
        return Article.objects.create(**defaults)

    return make


@pytest.fixture
def article(make_article):
    return make_article(headline="Bridge reopens", slug="bridge-reopens")


# Moderation desk fixtures.


@pytest.fixture
def make_comment(article):
    """Save a comment directly, with the status given (default approved)."""
    from comments.models import Comment

    def make(**fields):
        defaults = {
            "article": article,
            "reader_key": "g:reader",
            "author_name": "Reader",
            "body": "A thoughtful comment.",
            "status": Comment.Status.APPROVED,
        }
        defaults.update(fields)
        return Comment.objects.create(**defaults)

    return make


@pytest.fixture
def post_comment(article):
    """Run a new comment through the moderation pipeline, save it and log the decision."""
    from comments import moderation
    from comments.models import Comment
    from comments.readers import Reader

    def post(body, *, reader=None, on=None, name="Reader", email="", **fields):
        reader = reader or Reader(key="g:reader", ip="203.0.113.9")
        comment = Comment(
            article=on or article,
            reader_key=reader.key,
            user=reader.user,
            author_name=name,
            author_email=email,
            body=body,
            ip_hash=reader.ip_hash,
            network_hash=reader.network_hash,
            **fields,
        )
        decision = moderation.moderate(comment=comment, reader=reader)
        decision.apply_to(comment)
        comment.save()
        moderation.record(comment, decision)
        return comment

    return post


def _staff_in(group_name, django_user_model, username):
    from django.contrib.auth.models import Group

    user = django_user_model.objects.create_user(username, password="pw-for-tests", is_staff=True)
    user.groups.add(Group.objects.get(name=group_name))
    return user


@pytest.fixture
def moderator(django_user_model):
    return _staff_in("Moderators", django_user_model, "mo")


@pytest.fixture
def editor(django_user_model):
    return _staff_in("Editors", django_user_model, "ed")


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Hash test passwords cheaply: the real hasher costs seconds per user on a busy machine."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
