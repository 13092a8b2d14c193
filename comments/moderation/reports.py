"""Readers' reports: whose reports count, how much, and when they hide a comment."""

from datetime import timedelta

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import ngettext

from newsroom.prepared import prepared
from notifications import services as notices

from ..models import Comment, CommentReport, ModerationSettings
from .audit import record
from .pipeline import hold

Status = Comment.Status


@prepared
def _settled_comment(reader_key, before):
    return (
        Comment.objects.by_reader(reader_key)
        .live()
        .filter(created_at__lte=before)
        .values_list("pk")[:1]
    )


def reporter_is_established(reader, config=None):
    """Whether a reporter is hard to mint: an identity or a visible comment older than the setting.

    A cookie whose age cannot be proven (none, or a fresh one) counts as brand-new. A comment must
    be as old as the identity would have to be: else a new guest on a post-moderated story could
    comment, report and delete, and count fully.
    """
    config = config or ModerationSettings.load()
    settled = timezone.now() - timedelta(hours=config.reporter_min_age_hours)
    if reader.since is not None and reader.since <= settled:
        return True
    return _settled_comment.first_row(reader.key, settled) is not None


def report_weight(comment, config):
    """Return the open reports' weight in percent of one established reporter.

    Each network counts once: fully if any of its reporters is established, else by the new
    reporter weight. Networks whose reports a moderator already resolved do not count again.
    """
    reports = CommentReport.objects.filter(comment=comment)
    resolved = reports.filter(resolved_at__isnull=False)
    networks = (
        reports.unresolved()
        .exclude(network_hash__in=resolved.values("network_hash"))
        .aggregate(
            every=Count("network_hash", distinct=True),
            established=Count("network_hash", distinct=True, filter=Q(is_established=True)),
        )
    )
    new_only = networks["every"] - networks["established"]
    return networks["established"] * 100 + new_only * config.new_reporter_weight


def report_threshold_check(comment):
    """Hide a visible comment pending review once its reports weigh enough; return True if so.

    The report path calls this after saving a report. The conditional update makes two
    concurrent reports hide the comment (and log it) only once.
    """
    config = ModerationSettings.load()
    threshold = config.report_threshold
    if not threshold or report_weight(comment, config) < threshold * 100:
        return False
    reports = CommentReport.objects.filter(comment=comment).unresolved().count()
    decision = hold(
        "reports",
        ngettext(
            "Hidden after %(count)d report, pending review.",
            "Hidden after %(count)d reports, pending review.",
            reports,
        )
        % {"count": reports},
    )
    with transaction.atomic():
        hidden = Comment.objects.filter(pk=comment.pk, status=Status.APPROVED).update(
            status=Status.PENDING,
            moderation_rule=decision.rule,
            moderation_reason=decision.reason,
        )
        if hidden:
            decision.apply_to(comment)
            record(comment, decision, previous_status=Status.APPROVED)
            Comment.objects.filter(pk=comment.pk).mark_stories_changed()
            notices.comment_status_changed(Status.PENDING, [comment.pk])
    return bool(hidden)
