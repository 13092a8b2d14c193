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
