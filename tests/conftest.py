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


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # PBKDF2 is slow on purpose; in tests that only costs time. Production keeps the default.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
