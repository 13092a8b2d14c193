"""Demo reader activity for `manage.py load_demo`: deterministic, so every run looks the same."""

import random
import uuid
from datetime import timedelta

from django.utils import timezone

from .models import Reaction, ReactionKind
from .reactions import reaction_recount

# How readers of a story about a new toll tend to feel, by reaction key.
DEMO_REACTION_WEIGHTS = {"like": 38, "love": 14, "laugh": 9, "wow": 17, "sad": 6, "angry": 23}


def add_demo_reactions(article, *, readers=137, hours=30):
    """Replace the story's reactions with `readers` guests' reactions over the last `hours`."""
    rng = random.Random(article.slug)
    keys = list(ReactionKind.objects.enabled().values_list("key", flat=True))
    weights = [DEMO_REACTION_WEIGHTS.get(key, 5) for key in keys]
    now = timezone.now()
    Reaction.objects.filter(article=article).delete()
    reactions = []
    for n in range(readers):
        # Reactions bunch up in the story's first hours and thin out as it ages.
        when = now - timedelta(hours=hours) * (1 - rng.random() ** 2)
        reactions.append(
            Reaction(
                article=article,
                reader_key=f"g:{uuid.uuid5(uuid.NAMESPACE_URL, f'{article.slug}/{n}')}",
                kind=rng.choices(keys, weights)[0],
                created_at=when,
                updated_at=when,
            )
        )
    Reaction.objects.bulk_create(reactions)
    reaction_recount(article_ids=[article.pk])
    return len(reactions)
