"""The moderation dashboard's figures, and the geometry of its server-rendered SVG charts."""

import statistics
from dataclasses import dataclass, field
from datetime import timedelta

from django.db.models import BooleanField, Count, ExpressionWrapper, Q
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext_lazy

from articles.models import Article

from .models import Comment, ModerationAction, Reaction

Status = Comment.Status
DAYS = 14
RECENT = timedelta(days=7)


@dataclass
class Figures:
    queues: dict
    oldest_pending_at: object
    median_decision: object
    decisions_counted: int
    comments_today: int
    reactions_today: int
    most_discussed: list
    daily: list
    by_rule: list
    now: object = field(default_factory=timezone.now)

    @property
    def oldest_pending_age(self):
        return self.now - self.oldest_pending_at if self.oldest_pending_at else None


def start_of_today(now):
    return timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)


def queue_sizes():
    counts = Comment.objects.aggregate(
        pending=Count("pk", filter=Q(status=Status.PENDING, deleted_at__isnull=True)),
        approved=Count("pk", filter=Q(status=Status.APPROVED)),
        rejected=Count("pk", filter=Q(status=Status.REJECTED)),
        spam=Count("pk", filter=Q(status=Status.SPAM)),
        deleted=Count("pk", filter=Q(deleted_at__isnull=False)),
    )
    counts["reported"] = Comment.objects.reported().count()
    return counts


def decision_times(since):
    """How long each comment decided by a person since `since` waited, oldest first."""
    rows = (
        Comment.objects.filter(decided_by__isnull=False, decided_at__gte=since)
        .order_by("decided_at")
        .values_list("created_at", "decided_at")
    )
    return [decided - created for created, decided in rows]


def moderation_figures(now=None):
    now = now or timezone.now()
    today = start_of_today(now)
    waits = decision_times(now - RECENT)
    oldest = Comment.objects.pending().order_by("created_at").values_list("created_at", flat=True)
    return Figures(
        now=now,
        queues=queue_sizes(),
        oldest_pending_at=oldest.first(),
        median_decision=statistics.median(waits) if waits else None,
        decisions_counted=len(waits),
        comments_today=Comment.objects.filter(created_at__gte=today).count(),
        reactions_today=Reaction.objects.filter(created_at__gte=today).count(),
        most_discussed=list(
            Article.objects.annotate(
                recent_comments=Count(
                    "comments",
                    filter=Q(comments__created_at__gte=now - RECENT)
                    & ~Q(comments__status=Status.SPAM),
                )
            )
            .filter(recent_comments__gt=0)
            .order_by("-recent_comments", "-published_at")
            .values("pk", "headline", "recent_comments")[:8]
        ),
        daily=daily_counts(today, now),
        by_rule=[
            dict(row, action_label=ModerationAction.Action(row["action"]).label)
            for row in ModerationAction.objects.filter(created_at__gte=now - RECENT)
            .annotate(by_rule=ExpressionWrapper(Q(actor__isnull=True), BooleanField()))
            .values("rule", "action", "by_rule")
            .annotate(count=Count("pk"))
            .order_by("-count", "rule")[:10]
        ],
    )


def daily_counts(today, now):
    """Comments per day for the last DAYS days, split into shown, held and turned away."""
    first = today - timedelta(days=DAYS - 1)
    rows = (
        Comment.objects.filter(created_at__gte=first, created_at__lte=now)
        .annotate(day=TruncDate("created_at", tzinfo=timezone.get_current_timezone()))
        .values("day")
        .annotate(
            approved=Count("pk", filter=Q(status=Status.APPROVED)),
            pending=Count("pk", filter=Q(status=Status.PENDING, deleted_at__isnull=True)),
            refused=Count("pk", filter=Q(status__in=[Status.REJECTED, Status.SPAM])),
        )
    )
    by_day = {row["day"]: row for row in rows}
    days = []
    for offset in range(DAYS):
        day = (first + timedelta(days=offset)).date()
        row = by_day.get(day, {})
        days.append(
            {
                "day": day,
                "approved": row.get("approved", 0),
                "pending": row.get("pending", 0),
                "refused": row.get("refused", 0),
            }
        )
    return days


# Chart geometry: the templates draw rectangles at these coordinates, in SVG user units.

HEADROOM = 18  # room above the tallest column for its total
SERIES = [("approved", "#2f855a"), ("pending", "#b7791f"), ("refused", "#c53030")]
# What a column's tooltip calls each series: the legend's words.
SERIES_LABELS = {
    "approved": gettext_lazy("approved"),
    "pending": gettext_lazy("pending"),
    "refused": gettext_lazy("rejected or spam"),
}


def column_chart(days, *, width=700, height=220, gutter=28):
    """Stacked columns, one per day; return the SVG's bars, axis labels and scale."""
    plot = height - gutter
    top = max((sum(d[key] for key, _c in SERIES) for d in days), default=0) or 1
    step = width / len(days)
    columns = []
    for index, d in enumerate(days):
        y = plot
        segments = []
        for key, colour in SERIES:
            h = d[key] / top * (plot - HEADROOM)
            y -= h
            if d[key]:
                segments.append({"y": round(y, 1), "height": round(h, 1), "colour": colour,
                                 "key": key, "label": SERIES_LABELS[key],
                                 "value": d[key]})  # fmt: skip
        columns.append(
            {
                "x": round(index * step + step * 0.15, 1),
                "width": round(step * 0.7, 1),
                "label_x": round(index * step + step / 2, 1),
                "day": d["day"],
                "total": sum(d[key] for key, _c in SERIES),
                "top": round(y, 1),
                "segments": segments,
            }
        )
    return {"width": width, "height": height, "plot": plot, "top": top, "columns": columns}


def bar_rows(items, value_key):
    """Horizontal bars as a share of the largest value, for a simple percentage-width SVG."""
    top = max((item[value_key] for item in items), default=0) or 1
    return [dict(item, share=round(item[value_key] / top * 100, 1)) for item in items]
