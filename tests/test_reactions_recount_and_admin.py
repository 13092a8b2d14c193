from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from comments.demo import add_demo_reactions
from comments.models import Reaction, ReactionKind, ReactionTally
from comments.reactions import reaction_recount, reaction_timeline

pytestmark = pytest.mark.django_db


def recount(*slugs):
    out = StringIO()
    call_command("recount_reactions", *slugs, stdout=out)
    return out.getvalue()


def tallies(article):
    return dict(ReactionTally.objects.filter(article=article).values_list("kind", "count"))


def test_recount_fixes_and_reports_drift(article, make_article):
    other = make_article(slug="other-story")
    for n in range(3):
        Reaction.objects.create(article=article, reader_key=f"g:{n}", kind="sad")
    Reaction.objects.create(article=other, reader_key="g:0", kind="wow")
    ReactionTally.objects.create(article=article, kind="sad", count=7)  # too many
    ReactionTally.objects.create(article=article, kind="love", count=2)  # no rows behind it
    # `wow` on the other story has no tally at all.

    output = recount()

    assert "Fixed bridge-reopens sad: 7 -> 3" in output
    assert "Fixed bridge-reopens love: 2 -> 0" in output
    assert "Fixed other-story wow: 0 -> 1" in output
    assert "Fixed drift in 3 tallies." in output
    assert tallies(article) == {"sad": 3, "love": 0}
    assert tallies(other) == {"wow": 1}
    assert "No drift" in recount()


def test_recount_can_be_limited_to_some_stories(article, make_article):
    other = make_article(slug="other-story")
    ReactionTally.objects.create(article=article, kind="sad", count=4)
    ReactionTally.objects.create(article=other, kind="sad", count=4)
    assert "Fixed other-story sad: 4 -> 0" in recount("other-story")
    assert tallies(article) == {"sad": 4}
    with pytest.raises(CommandError, match="no-such-story"):
        recount("no-such-story")


def test_demo_story_has_reactions_with_exact_tallies(article):
    created = add_demo_reactions(article)
    assert created > 100
    assert sum(tallies(article).values()) == created
    assert reaction_recount() == []
    assert add_demo_reactions(article) == created  # refreshing replaces, not adds
    assert Reaction.objects.count() == created


def test_load_demo_command_gives_the_story_reactions():
    call_command("load_demo", stdout=StringIO())
    assert Reaction.objects.exists()
    assert "No drift" in recount()


def test_timeline_is_hourly_for_a_young_story_and_has_no_gaps(article):
    now = timezone.now().replace(minute=30)
    for n, hours_ago in enumerate([0, 0, 3, 5]):
        Reaction.objects.create(
            article=article,
            reader_key=f"g:{n}",
            kind="like",
            created_at=now - timedelta(hours=hours_ago),
        )
    unit, buckets = reaction_timeline(article, now=now)
    assert unit == "hour"
    assert [count for _start, count in buckets] == [1, 0, 1, 0, 0, 2]


def test_timeline_is_daily_for_an_older_story(article):
    now = timezone.now()
    for n, days_ago in enumerate([0, 4, 4]):
        Reaction.objects.create(
            article=article,
            reader_key=f"g:{n}",
            kind="sad",
            created_at=now - timedelta(days=days_ago),
        )
    unit, buckets = reaction_timeline(article, now=now)
    assert unit == "day"
    assert [count for _start, count in buckets] == [2, 0, 0, 0, 1]


def test_editor_sees_totals_shares_and_a_timeline_chart(admin_client, article):
    add_demo_reactions(article, readers=20)
    counts = tallies(article)
    html = admin_client.get(reverse("admin:articles_article_change", args=[article.pk])).content
    html = html.decode()
    assert "Totals and shares (20 reactions)" in html
    assert f"<td>{counts['like']}</td>" in html
    assert "<svg" in html and 'role="img"' in html
    assert "Reactions per hour" in html
    bars = html.count('class="reaction-summary__bar"')
    assert bars >= 2
    assert "<br>" not in html[html.index("<svg") : html.index("</svg>")]


def test_new_story_page_in_admin_has_no_reaction_summary(admin_client):
    response = admin_client.get(reverse("admin:articles_article_add"))
    assert response.status_code == 200
    assert "Totals and shares" not in response.content.decode()


def test_editor_relabels_and_reorders_reactions_without_losing_counts(admin_client, article):
    Reaction.objects.create(article=article, reader_key="g:1", kind="sad")
    reaction_recount()
    sad = ReactionKind.objects.get(key="sad")
    response = admin_client.post(
        reverse("admin:comments_reactionkind_change", args=[sad.pk]),
        {"key": "changed", "emoji": "😭", "label": "Heartbroken", "position": 0, "enabled": "on"},
    )
    assert response.status_code == 302
    sad.refresh_from_db()
    assert (sad.key, sad.label, sad.position) == ("sad", "Heartbroken", 0)  # key is read-only
    changelist = admin_client.get(reverse("admin:comments_reactionkind_changelist"))
    assert "Heartbroken" in changelist.content.decode()
    page = admin_client.get(article.get_absolute_url()).content.decode()
    assert "Heartbroken, 1 reaction, 100% of all" in page
