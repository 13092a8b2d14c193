"""Benchmark stories: the demo story cloned, with N threaded comments and some reactions.

Import only after django.setup().
"""

import importlib
import random
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from articles.demo import DEMO_STORY, load_demo_articles
from articles.models import Article, ArticleLink
from comments.models import Comment, Reaction, ReactionKind, ReactionTally

WORDS = (
    "bridge toll cycle lane council commute traffic repairs engineers cables deck tower "
    "bus footpath morning city river crossing petition maintenance budget overrun review"
).split()
NAMES = ["Malik", "Rosa", "Ada", "Jun", "Priya", "Tomas", "Lea", "Sam", "Noor", "Olu", "Ines"]


def create_story(slug, *, label):
    """Create (or recreate, without comments) a published copy of the demo story."""
    load_demo_articles()
    Article.objects.filter(slug=slug).delete()
    fields = {k: v for k, v in DEMO_STORY.items() if k not in {"slug", "headline", "related"}}
    article = Article.objects.create(
        **fields,
        slug=slug,
        headline=f"{DEMO_STORY['headline']} ({label})",
        status=Article.Status.PUBLISHED,
        published_at=timezone.now() - timedelta(minutes=5),
    )
    for title, position in DEMO_STORY["related"]:
        ArticleLink.objects.create(
            article=article, kind=ArticleLink.Kind.RELATED, title=title, position=position
        )
    return article


def demo_comment_function():
    """Return comments.demo.add_demo_comments once the comments work ships it, else None."""
    try:
        module = importlib.import_module("comments.demo")
    except ImportError:
        return None
    return getattr(module, "add_demo_comments", None)


def add_comments(article, count):
    """Add `count` approved comments to a story; return how they were made."""
    add_demo_comments = demo_comment_function()
    if add_demo_comments is not None:
        add_demo_comments(article, count)
        return "comments.demo.add_demo_comments"
    bulk_create_comments(article, count)
    return "bench.seed.bulk_create_comments"


def bulk_create_comments(article, count, *, seed=8):
    """Insert a threaded conversation level by level, so every reply knows its parent's key."""
    rng = random.Random(seed)
    # Plan the tree first: about a third of comments start threads, the rest reply up to depth 4.
    plan = []  # (index, parent index or None, depth)
    for index in range(count):
        candidates = [p for p in plan[-50:] if p[2] < 4]
        if index == 0 or not candidates or rng.random() < 0.35:
            plan.append((index, None, 0))
        else:
            parent = rng.choice(candidates)
            plan.append((index, parent[0], parent[2] + 1))
    start = timezone.now() - timedelta(hours=3)
    saved = {}
    with transaction.atomic():
        for depth in range(5):
            rows = []
            for index, parent_index, row_depth in plan:
                if row_depth != depth:
                    continue
                parent = saved.get(parent_index)
                rows.append(
                    (
                        index,
                        Comment(
                            article=article,
                            parent=parent,
                            thread=(parent.thread or parent) if parent else None,
                            depth=depth,
                            reader_key=f"g:bench-{index % 997}",
                            author_name=f"{rng.choice(NAMES)} {index % 97}",
                            body=" ".join(rng.choices(WORDS, k=rng.randint(8, 60))).capitalize()
                            + ".",
                            status=Comment.Status.APPROVED,
                            moderation_rule="default",
                            like_count=rng.randint(0, 40),
                            created_at=start + timedelta(seconds=index),
                        ),
                    )
                )
            Comment.objects.bulk_create([comment for _, comment in rows], batch_size=500)
            saved.update(rows)


def add_reactions(article, count, *, seed=3):
    """Add `count` guest reactions and tallies that equal them."""
    rng = random.Random(seed)
    kinds = list(ReactionKind.objects.filter(enabled=True).values_list("key", flat=True))
    rows = [
        Reaction(article=article, reader_key=f"g:bench-reactor-{i}", kind=rng.choice(kinds))
        for i in range(count)
    ]
    with transaction.atomic():
        Reaction.objects.bulk_create(rows, batch_size=500)
        for kind in kinds:
            ReactionTally.objects.update_or_create(
                article=article,
                kind=kind,
                defaults={"count": sum(1 for row in rows if row.kind == kind)},
            )


def export_story(article):
    """Return the story and its visible comments as plain data, for the incumbent's copy."""
    comments = list(
        article.comments.visible()
        .order_by("created_at", "id")
        .values("id", "parent_id", "author_name", "body", "created_at")
    )
    for comment in comments:
        comment["created_at"] = comment["created_at"].isoformat()
    return {
        "headline": article.headline,
        "slug": article.slug,
        "standfirst": article.standfirst,
        "body": article.body,
        "comments": comments,
    }
