import os
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from articles.models import Article

SEED_NAME = "000_b6644f9eb1b60515.txt"
# The seed lives beside the project in ../shared; a clone elsewhere finds it by NEWSROOM_SEEDS.
SEED_DIRS = [
    Path(os.environ.get("NEWSROOM_SEEDS", "/nonexistent")),
    Path(__file__).resolve().parents[2] / "shared" / "seeds",
    Path("/work/shared/seeds"),
]


@pytest.fixture
def seed_path():
    for folder in SEED_DIRS:
        if (folder / SEED_NAME).exists():
            return folder / SEED_NAME
    pytest.skip(f"seed story {SEED_NAME} not found in {', '.join(map(str, SEED_DIRS))}")


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


# ---------- Comments (issue 4) ----------
@pytest.fixture
def relaxed_comment_limits(settings):
    """Lift the comment rate limits so a test can post freely from one address."""
    settings.NEWSROOM = {
        **settings.NEWSROOM,
        "COMMENT_RATE": "10000/m",
        "COMMENT_NETWORK_RATE": "10000/m",
        "REACTION_RATE": "10000/m",
        "REACTION_NETWORK_RATE": "10000/m",
    }


@pytest.fixture
def comment_data():
    """Return form data for a comment as if the reader had spent a minute writing it."""
    import time

    from comments.forms import make_token

    def data(article, **fields):
        values = {
            "author_name": "Ada",
            "author_email": "ada@example.com",
            "body": "A thoughtful comment.",
            "website": "",
            "ts": make_token(article, issued_at=time.time() - 60),
        }
        values.update(fields)
        return values

    return data


@pytest.fixture
def make_comment(db):
    from comments.models import Comment

    def make(article, *, parent=None, **fields):
        defaults = {
            "article": article,
            "parent": parent,
            "thread_id": (parent.thread_id or parent.pk) if parent else None,
            "depth": parent.depth + 1 if parent else 0,
            "reader_key": "g:someone-else",
            "author_name": "Someone",
            "author_email": "someone@example.com",
            "body": "Hello",
            "status": Comment.Status.APPROVED,
        }
        defaults.update(fields)
        return Comment.objects.create(**defaults)

    return make
