"""Readers' reports: whose reports count, how much, and when they hide a comment."""

from datetime import timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import ngettext

from newsroom.prepared import prepared
from notifications import services as notices

from ..models import Ban, Comment, CommentReport, ModerationSettings
from .audit import record
from .pipeline import hold, reader_email_hashes

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


def report_weight(comment, config, *, at_least=None):
    """Return the open reports' weight in percent of one established reporter.

    Each network counts once: fully if any of its reporters is established, else by the new
    reporter weight. Networks whose reports a moderator already resolved do not count again.
    A reporter's standing is judged now, not when they reported: a reporter banned since (by
    reader, network or email) weighs nothing, and one with a rejected or spam comment counts as
    brand-new, so a brigade a moderator bans cannot hide comments with the reports it filed
    before. Standing only ever takes weight away: below `at_least` it is not looked up.
    """
    reports = CommentReport.objects.filter(comment=comment)
    resolved = reports.filter(resolved_at__isnull=False)
    rows = list(
        reports.unresolved()
        .exclude(network_hash__in=resolved.values("network_hash"))
        .values_list("reader_key", "network_hash", "is_established")
    )
    weight = _weigh(rows, config)
    if at_least is not None and weight < at_least:
        return weight
    keys = {key for key, _network, _established in rows}
    banned = _banned(keys, {network for _key, network, _established in rows})
    discredited = set(
        Comment.objects.filter(reader_key__in=keys, status__in=[Status.REJECTED, Status.SPAM])
        .values_list("reader_key", flat=True)
        .distinct()
    )
    standing = [
        (key, network, established and key not in discredited)
        for key, network, established in rows
        if key not in banned and network not in banned
    ]
    return _weigh(standing, config)


def _weigh(rows, config):
    networks = {}
    for _key, network, established in rows:
        networks[network] = networks.get(network, False) or established
    established = sum(networks.values())
    return established * 100 + (len(networks) - established) * config.new_reporter_weight


def _banned(reader_keys, network_hashes):
    """Return the reader keys and network hashes among these that an active ban covers now."""
    emails = reader_email_hashes(reader_keys)
    found = Ban.objects.active().filter(
        Q(kind=Ban.Kind.READER, value__in=reader_keys)
        | Q(kind=Ban.Kind.NETWORK, value__in=network_hashes - {""})
        | Q(kind=Ban.Kind.EMAIL, value__in={h for hashes in emails.values() for h in hashes})
    )
    banned = set()
    for kind, value in found.values_list("kind", "value"):
        if kind == Ban.Kind.EMAIL:
            banned |= {key for key, hashes in emails.items() if value in hashes}
        else:
            banned.add(value)
    return banned


def report_threshold_check(comment):
    """Hide a visible comment pending review once its reports weigh enough; return True if so.

    The report path calls this after saving a report. The conditional update makes two
    concurrent reports hide the comment (and log it) only once.
    """
    config = ModerationSettings.load()
    threshold = config.report_threshold
    if not threshold or report_weight(comment, config, at_least=threshold * 100) < threshold * 100:
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
