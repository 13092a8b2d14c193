"""The demo newsroom: stories of our own writing, for `manage.py load_demo`."""

from datetime import timedelta

from django.utils import timezone

from .models import Article, ArticleLink

DEMO_STORY = {
    "slug": "harbour-bridge-reopens-after-two-years-of-repairs",
    "headline": "Harbour bridge reopens after two years of repairs, and commuters have opinions",
    "standfirst": "The city's busiest crossing is back, with a new cycle lane, wider footpaths "
    "and a toll that nobody asked for.",
    "caption": "The first buses cross the restored bridge at dawn on Monday",
    "byline": "Ada Lindqvist, transport reporter",
    "video_credit": "Videos by newsroom",
    "body": """The Harbour Bridge reopened to traffic at six o'clock on Monday morning, two years \
and four months after engineers closed it to replace corroded cables and the worn deck.

The first vehicles across were two night buses and a milk tanker, followed by a steady stream of \
cyclists who had waited on the north bank since before dawn to try the new protected lane.

"It used to take me forty minutes around the bay," said Malik Osei, a nurse who cycles to the \
general hospital. "Today it took twelve. I timed it."

The repairs cost 184 million, eleven percent above the original estimate. The transport \
authority said most of the overrun came from the discovery of damaged anchor bolts in the \
south tower, which had to be replaced one at a time to keep the structure stable.

Not everyone is celebrating. A new peak-hour toll of 2.50 for cars takes effect next month, \
and a petition against it had gathered more than nine thousand signatures by Monday afternoon.

The authority says the toll will pay for maintenance so the bridge does not fall into disrepair \
again. Councillor Rosa Brandt, who chairs the transport committee, said the council would \
review the charge after six months.""",
    "related": [("Council approves peak-hour toll for the Harbour Bridge", 3)],
}

MORE_STORIES = [
    (
        "night-market-returns-to-the-old-tram-depot",
        "Night market returns to the old tram depot",
        "Forty stalls, three stages and a ban on single-use plastic.",
    ),
    (
        "library-extends-opening-hours-for-exam-season",
        "Library extends opening hours for exam season",
        "The central library will stay open until midnight for six weeks.",
    ),
    (
        "river-swimming-spots-pass-water-quality-tests",
        "All five river swimming spots pass this summer's water tests",
        "Bathing is safe at every monitored site for the first time in a decade.",
    ),
]


def load_demo_articles():
    """Create or refresh the demo stories; return the main demo story."""
    now = timezone.now()
    for hours, (slug, headline, caption) in enumerate(MORE_STORIES, start=1):
        Article.objects.update_or_create(
            slug=slug,
            defaults={
                "headline": headline,
                "caption": caption,
                "body": caption + "\n\nFull story to follow.",
                "status": Article.Status.PUBLISHED,
                "published_at": now - timedelta(hours=hours * 5),
            },
        )
    fields = {k: v for k, v in DEMO_STORY.items() if k not in {"slug", "related"}}
    article, _ = Article.objects.update_or_create(
        slug=DEMO_STORY["slug"],
        defaults={**fields, "status": Article.Status.PUBLISHED, "published_at": now},
    )
    article.links.all().delete()
    for title, position in DEMO_STORY["related"]:
        ArticleLink.objects.create(
            article=article, kind=ArticleLink.Kind.RELATED, title=title, position=position
        )
    return article
