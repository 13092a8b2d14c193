"""Demo reader activity for `manage.py load_demo`: a threaded conversation and reactions."""

import random
import uuid
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from .models import Comment, CommentLike, Reaction, ReactionKind
from .reactions import reaction_recount
from .text import text_hash

NAMES = [
    "Malik O.",
    "Rosa B.",
    "Jonas Weber",
    "Priya",
    "Tom H.",
    "Aiko Tanaka",
    "Grace",
    "Sven L.",
    "Chidi Okafor",
    "Marta",
    "Dev Patel",
    "Lena K.",
    "old_commuter",
    "Fatima Z.",
    "Pieter",
    "Hannah M.",
    "Kwame",
    "Sofía R.",
    "Ben",
    "Ingrid N.",
    "Yusuf",
    "Claire D.",
    "Ravi",
    "Noor",
    "Eoin",
    "Mei Lin",
    "bridgewatcher",
    "Agnes",
    "Luca",
    "Tomás",
]
OPENERS = [
    "Finally!",
    "Honestly,",
    "I cycled across this morning and",
    "Two years is a long time, but",
    "As someone who lives on the south bank,",
    "Good news overall, though",
    "I have to say",
    "Not convinced.",
    "Credit where it's due:",
    "Interesting piece.",
]
TOPICS = [
    "the new cycle lane is a real improvement",
    "a 2.50 toll at peak hour feels like a tax on people who have no other way to work",
    "eleven percent over budget is actually not bad for a project this size",
    "the footpaths are so much wider, you can finally walk two abreast",
    "nobody mentioned what happens to the buses during the evening peak",
    "the anchor bolt story is worrying: who inspected them the first time?",
    "forty minutes down to twelve is life-changing for shift workers",
    "the petition will not change anything unless the council listens",
    "maintenance has to be paid for somehow, and the toll is at least honest about it",
    "I'd like to see the traffic numbers after a month before judging",
]
CLOSERS = [
    "",
    "",
    "",
    " Let's see how it goes.",
    " Well done to the crews who worked nights.",
    " The council should publish the full figures.",
    " Just my two cents.",
    " **Six months** is too long to wait for a review.",
    " More here: https://example.org/harbour-bridge-faq",
    " Anyone else notice the new lighting? _Lovely_ at night.",
]
REPLIES = [
    "I agree with you completely.",
    "Not sure that's fair.",
    "Exactly this.",
    "Do you have a source for that?",
    "Same experience here.",
    "That's a good point.",
    "I see it differently:",
    "Thanks for saying this.",
    "Ha, well put.",
    "You're forgetting the people who drive in from outside the city.",
]


def _sentence(text):
    return text if text.endswith("?") else f"{text}."


def _body(rng, reply):
    if reply:
        text = f"{rng.choice(REPLIES)} {_sentence(rng.choice(TOPICS).capitalize())}"
    else:
        text = f"{rng.choice(OPENERS)} {_sentence(rng.choice(TOPICS))}{rng.choice(CLOSERS)}"
    if rng.random() < 0.2:
        text += f"\n\n{rng.choice(TOPICS).capitalize()}, and {_sentence(rng.choice(TOPICS))}"
    return text


def _mention(parent, authors):
    """Every third reply names the reader it answers, as readers do: "@Rosa B. ..."."""
    if parent is None or len(authors) % 3:
        return ""
    return f"@{NAMES[authors[parent]]} "


@transaction.atomic
def add_demo_comments(article, count, *, seed=4):
    """Add `count` approved demo comments to `article`: threads, replies up to five deep, likes.

    Comments are inserted in waves by depth (one bulk insert each), so replies can point at the
    ids of their parents; like counts equal the CommentLike rows behind them.
    """
    if count <= 0:
        return []
    rng = random.Random(seed)
    # The conversation ends a few minutes ago; a big one has been going for longer.
    span = int(timedelta(hours=max(6, count / 40)).total_seconds())
    start = timezone.now() - timedelta(seconds=span + 300)
    readers = [f"g:{uuid.UUID(int=rng.getrandbits(128))}" for _ in range(len(NAMES))]

    roots = max(1, round(count * 0.45))
    plan = [None] * roots  # parent index for every comment; None for top level
    for index in range(roots, count):
        plan.append(rng.randrange(index))  # reply to anything posted before it
    depths = []
    for parent in plan:
        depths.append(0 if parent is None else min(depths[parent] + 1, 5))
    # A reply that would go deeper than five levels answers its grandparent instead.
    for index, parent in enumerate(plan):
        while parent is not None and depths[parent] >= 5:
            parent = plan[parent]
        plan[index] = parent
        depths[index] = 0 if parent is None else depths[parent] + 1

    offsets = sorted(rng.randrange(span) for _ in range(count))
    created, authors = [], []
    for index, parent in enumerate(plan):
        author = rng.randrange(len(NAMES))
        authors.append(author)
        moment = start + timedelta(seconds=offsets[index])
        if parent is not None:
            moment = max(moment, created[parent].created_at + timedelta(seconds=30))
        likes = int(rng.paretovariate(1.6)) - 1 if rng.random() < 0.7 else 0
        created.append(
            Comment(
                article=article,
                depth=depths[index],
                reader_key=readers[author],
                author_name=NAMES[author],
                body=(body := _mention(parent, authors) + _body(rng, parent is not None)),
                text_hash=text_hash(body),  # bulk_create skips save(), which keeps it
                status=Comment.Status.APPROVED,
                moderation_rule="demo",
                is_featured=parent is None and rng.random() < 0.03,
                like_count=min(likes, 40),
                created_at=moment,
            )
        )
    for depth in range(max(depths) + 1):
        wave = [i for i, d in enumerate(depths) if d == depth]
        for i in wave:
            if plan[i] is not None:
                created[i].parent = created[plan[i]]
                root = created[plan[i]]
                created[i].thread_id = root.thread_id or root.pk
        Comment.objects.bulk_create([created[i] for i in wave], batch_size=500)

    CommentLike.objects.bulk_create(
        [
            CommentLike(comment=comment, reader_key=f"g:demo-{comment.pk}-{n}")
            for comment in created
            for n in range(comment.like_count)
        ],
        batch_size=1000,
    )
    return created


# How readers of a story about a new toll tend to feel, by reaction key.
DEMO_REACTION_WEIGHTS = {"like": 38, "love": 14, "laugh": 9, "wow": 17, "sad": 6, "angry": 23}


def add_demo_reactions(article, *, readers=137, hours=30):
    """Replace the story's reactions with `readers` guests' reactions over the last `hours`."""
    rng = random.Random(article.slug)
    ReactionKind.objects.install_defaults()
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
