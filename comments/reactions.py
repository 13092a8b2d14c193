"""
The "What do you think?" bar: its write path, its read model, and the recount that proves it.

A story page never counts reaction rows. It reads one ReactionTally per key, and every change to a
Reaction row changes the tallies with F() in the same transaction, so a tally can only disagree
with its rows if someone edits the database by hand. `reaction_recount()` finds and fixes that.
"""

import logging
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, F, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce, TruncDay, TruncHour
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from articles.models import Article, story_changed
from newsroom.prepared import delete, prepared, update
from notifications import services as notices

from . import moderation, ratelimits
from .emoji import emoji_image_url
from .models import Reaction, ReactionKind, ReactionTally

logger = logging.getLogger(__name__)

# A unique-constraint race (two first reactions creating the same tally, or one reader's double
# click on PostgreSQL) is settled by running the whole transaction again.
ATTEMPTS = 5


class ReactionRefused(Exception):
    """The reaction is refused and nothing changed; `status` is the HTTP status to answer."""

    def __init__(self, message, *, status=400, retry_after=None, code=""):
        super().__init__(message)
        self.message = message
        self.status = status
        self.retry_after = retry_after
        self.code = code  # machine-readable, for API clients


def retry_on_conflict(write):
    """Run `write()` in a transaction, again if a concurrent writer won a unique-constraint race."""
    for attempt in range(ATTEMPTS):
        try:
            with transaction.atomic():
                return write()
        except IntegrityError:
            if attempt == ATTEMPTS - 1:
                raise
            logger.info("Reaction write lost a race; retrying (attempt %d).", attempt + 2)


@prepared
def _tally_add(article_id, kind, amount):
    tallies = ReactionTally.objects.filter(article_id=article_id, kind=kind)
    return update(tallies, count=F("count") + amount)


@prepared
def _tally_take(article_id, kind, amount):
    # Never below zero: a tally already short says someone edited the rows by hand.
    tallies = ReactionTally.objects.filter(article_id=article_id, kind=kind, count__gte=amount)
    return update(tallies, count=F("count") - amount)


def tally_change(article_id, changes):
    """Apply {kind: delta} to one story's tallies; call inside the transaction that moved the rows.

    Tallies are changed in key order so two transactions swapping reactions in opposite directions
    lock them in the same order and cannot deadlock.
    """
    for kind in sorted(changes):
        delta = changes[kind]
        if delta > 0:
            if not _tally_add.execute(article_id, kind, delta):
                # Raises IntegrityError if a concurrent first reaction created it: caller retries.
                ReactionTally.objects.create(article_id=article_id, kind=kind, count=delta)
        elif delta < 0 and not _tally_take.execute(article_id, kind, -delta):
            logger.warning(
                "Tally %r on story %s was already short; run manage.py recount_reactions.",
                kind,
                article_id,
            )


@prepared
def _enabled_kinds():
    return ReactionKind.objects.enabled().values_list("key")


@prepared
def _reader_reaction(article_id, reader_key):
    return Reaction.objects.select_for_update().filter(
        article_id=article_id, reader_key=reader_key
    )[:1]


@prepared
def _reaction_change(pk, kind, now):
    return update(Reaction.objects.filter(pk=pk), kind=kind, updated_at=now)


@prepared
def _reaction_delete(pk):
    return delete(Reaction.objects.filter(pk=pk))


def reaction_set(*, article, reader, kind, toggle=True):
    """Set the reader's reaction; return it afterwards (a key, or None when there is none).

    With `toggle` (the bar's buttons), choosing the reader's current reaction again removes it.
    Without it (the API's PUT and DELETE), the reader ends with exactly `kind`, or with no reaction
    when `kind` is None, whatever they had: repeating the call changes nothing.
    Raise ReactionRefused, changing nothing, when the story, the key or the rate limit says no.
    """
    if not article.reactions_open:
        raise ReactionRefused(_("Reactions are switched off for this story."), status=403)
    # Compared in Python so no reader input reaches SQL (PostgreSQL rejects NUL bytes with a 500).
    if (kind is not None or toggle) and kind not in {key for (key,) in _enabled_kinds.rows()}:
        raise ReactionRefused(_("There is no such reaction."), status=400)
    banned = moderation.banned_message(reader)
    if banned:
        raise ReactionRefused(banned, status=403, code="banned")
    try:
        ratelimits.enforce(
            group="reaction",
            reader=reader,
            per_reader=settings.NEWSROOM["REACTION_RATE"],
            per_network=settings.NEWSROOM["REACTION_NETWORK_RATE"],
        )
    except ratelimits.RateLimited as limited:
        raise ReactionRefused(
            ngettext(
                "You are reacting too quickly. Try again in %(seconds)d second.",
                "You are reacting too quickly. Try again in %(seconds)d seconds.",
                limited.retry_after,
            )
            % {"seconds": limited.retry_after},
            status=429,
            retry_after=limited.retry_after,
        ) from limited
    return retry_on_conflict(lambda: _write(article.pk, reader.key, kind, toggle=toggle))


def _write(article_id, reader_key, kind, *, toggle):
    previous, choice = _switch(article_id, reader_key, kind, toggle=toggle)
    if choice != previous:
        story_changed(article_id)
        notices.reactions_changed(article_id)
    return choice


def _switch(article_id, reader_key, kind, *, toggle):
    """Move the reader's row and the tallies; return (reaction before, reaction after)."""
    now = timezone.now()
    current = _reader_reaction.first(article_id, reader_key)
    if current is None:
        if kind is not None:
            Reaction.objects.create(
                article_id=article_id,
                reader_key=reader_key,
                kind=kind,
                created_at=now,
                updated_at=now,
            )
            tally_change(article_id, {kind: +1})
        return None, kind
    if current.kind == kind and not toggle:
        return kind, kind
    if current.kind == kind or kind is None:
        _reaction_delete.execute(current.pk)
        tally_change(article_id, {current.kind: -1})
        return current.kind, None
    previous = current.kind
    _reaction_change.execute(current.pk, kind, now)
    tally_change(article_id, {previous: -1, kind: +1})
    return previous, kind


# Reading the bar


def reactions_text(count):
    return ngettext("%(count)d reaction", "%(count)d reactions", count) % {"count": count}


@dataclass
class BarItem:
    key: str
    emoji: str
    label: str
    count: int
    pressed: bool
    share: int = 0

    @property
    def count_text(self):
        return reactions_text(self.count)

    @property
    def emoji_url(self):
        return emoji_image_url(self.emoji)

    @property
    def name(self):
        """The button's accessible name: label, count and share, as a screen reader says it."""
        return _("%(label)s, %(count_text)s, %(share)d%% of all") % {
            "label": self.label,
            "count_text": self.count_text,
            "share": self.share,
        }

    def as_dict(self):
        return {
            "key": self.key,
            "emoji": self.emoji,
            "label": self.label,
            "count": self.count,
            "share": self.share,
            "pressed": self.pressed,
            "name": self.name,
        }


@dataclass
class ReactionBar:
    items: list = field(default_factory=list)

    @property
    def total(self):
        return sum(item.count for item in self.items)

    @property
    def total_text(self):
        return reactions_text(self.total)

    @property
    def choice(self):
        return next((item for item in self.items if item.pressed), None)

    def as_dict(self, *, message=""):
        choice = self.choice
        return {
            "choice": choice.key if choice else None,
            "total": self.total,
            "total_text": self.total_text,
            "reactions": [item.as_dict() for item in self.items],
            "message": message,
        }


def shares(counts):
    """Return whole percentages for `counts` that add up to exactly 100 (largest remainder)."""
    total = sum(counts)
    if not total:
        return [0] * len(counts)
    exact = [count * 100 / total for count in counts]
    whole = [int(value) for value in exact]
    by_remainder = sorted(range(len(counts)), key=lambda i: (whole[i] - exact[i], i))
    for i in by_remainder[: 100 - sum(whole)]:
        whole[i] += 1
    return whole


def reaction_bar(article, reader_key=None):
    """Return the bar for one story and reader with a single query, counting no rows."""
    tally = ReactionTally.objects.filter(article=article, kind=OuterRef("key")).values("count")
    chosen = (
        Exists(
            Reaction.objects.filter(article=article, reader_key=reader_key, kind=OuterRef("key"))
        )
        if reader_key
        else Value(False)
    )
    kinds = ReactionKind.objects.enabled().annotate(
        count=Coalesce(Subquery(tally[:1]), 0, output_field=IntegerField()), pressed=chosen
    )
    items = [
        BarItem(
            key=k.key,
            emoji=k.emoji,
            label=k.display_label,
            count=k.count,
            pressed=bool(k.pressed),
        )
        for k in kinds
    ]
    for item, share in zip(items, shares([item.count for item in items]), strict=True):
        item.share = share
    return ReactionBar(items)


def reaction_message(bar):
    """Say what the reader's last toggle did, for the live region and the no-JS status line."""
    choice = bar.choice
    if choice is None:
        return _("Your reaction was removed. %(total)s in all.") % {"total": bar.total_text}
    return _("You reacted %(label)s. %(label)s now has %(count_text)s.") % {
        "label": choice.label,
        "count_text": choice.count_text,
    }


# Bookkeeping and the editors' view


@dataclass(frozen=True)
class Drift:
    article_id: int
    kind: str
    was: int
    now: int


def reaction_recount(*, article_ids=None):
    """Make every tally equal the rows behind it; return the Drift it fixed.

    Locking the tallies first makes concurrent writers wait, so the count taken afterwards is
    exact on PostgreSQL too (SQLite's IMMEDIATE transaction already holds the write lock).
    """
    with transaction.atomic():
        tallies = ReactionTally.objects.select_for_update().order_by("article_id", "kind")
        rows = Reaction.objects.all()
        if article_ids is not None:
            tallies = tallies.filter(article_id__in=article_ids)
            rows = rows.filter(article_id__in=article_ids)
        current = {(t.article_id, t.kind): t for t in tallies}
        truth = rows.counts()
        fixed = []
        for article_id, kind in sorted(current.keys() | truth.keys()):
            actual = truth.get((article_id, kind), 0)
            tally = current.get((article_id, kind))
            if tally is None:
                ReactionTally.objects.create(article_id=article_id, kind=kind, count=actual)
                fixed.append(Drift(article_id, kind, 0, actual))
            elif tally.count != actual:
                ReactionTally.objects.filter(pk=tally.pk).update(count=actual)
                fixed.append(Drift(article_id, kind, tally.count, actual))
        Article.objects.filter(pk__in={drift.article_id for drift in fixed}).mark_changed()
        return fixed


def reaction_timeline(article, *, now=None):
    """Return ("hour" or "day", [(bucket start, reactions first made then)]) with no gaps.

    Hourly while a story's reactions span at most two days, daily (the last 90 days) after that.
    """
    now = now or timezone.now()
    reactions = Reaction.objects.filter(article=article)
    first = reactions.order_by("created_at").values_list("created_at", flat=True).first()
    if first is None:
        return "hour", []
    hourly = now - first <= timedelta(hours=48)
    unit, step, trunc = (
        ("hour", timedelta(hours=1), TruncHour) if hourly else ("day", timedelta(days=1), TruncDay)
    )
    counted = dict(
        reactions.annotate(bucket=trunc("created_at"))
        .values_list("bucket")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("bucket", "n")
    )
    floor = {"hour": {"minute": 0}, "day": {"hour": 0, "minute": 0}}[unit]
    start = timezone.localtime(max(first, now - timedelta(days=90))).replace(
        second=0, microsecond=0, **floor
    )
    end = timezone.localtime(now)
    buckets = []
    while start <= end:
        buckets.append((start, counted.get(start, 0)))
        start += step
    return unit, buckets
