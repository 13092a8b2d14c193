"""The desk's decisions on comments: approve, hold, reject, feature, keep, and undo."""

from datetime import timedelta

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from notifications import services as notices

from ..models import Comment, CommentReport, ModerationAction
from .audit import ACTION_FOR_STATUS

Status = Comment.Status
Action = ModerationAction.Action


class AlreadyDecided(Exception):
    """The comment's status is no longer the one the moderator saw: someone decided it since."""

    def __init__(self, comment_id):
        self.comment_id = comment_id
        last = (
            ModerationAction.objects.filter(comment_id=comment_id, to_status__gt="")
            .select_related("actor")
            .order_by("-created_at", "-id")
            .first()
        )
        if last is None or last.actor is None:
            name = _("a rule") if last is None else _("rule %(rule)s") % {"rule": last.rule}
        else:
            name = last.actor.get_username()
        self.by = name
        super().__init__(_("Already decided by %(name)s; nothing changed.") % {"name": name})


def _check_expected(rows, expected_status):
    """Raise AlreadyDecided unless every (pk, status, ...) row still has the status expected."""
    if expected_status is None:
        return
    for pk, status, *_rest in rows:
        if status != expected_status:
            raise AlreadyDecided(pk)


def comment_moderate(*, comments, status, actor, reason="", expected_status=None):
    """Move comments to `status` as a moderator; resolve their reports; return how many moved.

    Approving a comment that is already visible but reported counts too: it dismisses the reports.
    With `expected_status` (what the moderator saw), a comment decided since raises
    AlreadyDecided and nothing changes.
    """
    now = timezone.now()
    reason = reason or _("Decided by a moderator.")
    open_reports = CommentReport.objects.filter(comment=OuterRef("pk"), resolved_at__isnull=True)
    with transaction.atomic():
        if expected_status is not None:
            # Two moderators deciding the same comment at once: the second waits, then sees it.
            comments = Comment.objects.filter(
                pk__in=list(comments.select_for_update().values_list("pk", flat=True))
            )
        rows = list(
            comments.annotate(reported=Exists(open_reports))
            .order_by()
            .values_list("pk", "status", "reader_key", "reported")
        )
        _check_expected(rows, expected_status)
        changed = [row for row in rows if row[1] != status or row[3]]
        if expected_status is not None and rows and not changed:
            raise AlreadyDecided(rows[0][0])  # its reports were resolved by someone else
        ids = [row[0] for row in changed]
        moved = [row[0] for row in changed if row[1] != status]
        _decide(moved, status, actor, reason, now)
        if status == Status.APPROVED:
            notices.replies_published(moved)
        notices.comment_status_changed(status, moved)
        held = [pk for pk, previous, _key, _reported in changed if previous == Status.PENDING]
        notices.held_comments_decided(status, held, wait_seconds=UNDO_SECONDS)
        CommentReport.objects.filter(comment__in=ids).resolve(
            by=actor, resolution=CommentReport.Resolution.DECIDED, now=now
        )
        Comment.objects.filter(pk__in=ids).mark_stories_changed()
        ModerationAction.objects.bulk_create(
            ModerationAction(
                comment_id=pk,
                reader_key=reader_key,
                actor=actor,
                action=ACTION_FOR_STATUS[status],
                from_status=previous,
                to_status=status,
                reason=reason[:255] if previous != status else _("Reports dismissed."),
                created_at=now,
            )
            for pk, previous, reader_key, _reported in changed
        )
    return len(changed)


def _decide(pks, status, actor, reason, now):
    """Set these comments' status as a moderator's decision (the caller logs it)."""
    Comment.objects.filter(pk__in=pks).update(
        status=status,
        decided_at=now,
        decided_by=actor,
        moderation_rule="",
        moderation_reason=reason[:255],
    )


def comment_feature(*, comments, actor, featured=True):
    """Make comments editor's picks (or stop); only approved comments can be picked."""
    if featured:
        comments = comments.filter(status=Status.APPROVED)
    with transaction.atomic():
        rows = list(
            comments.exclude(is_featured=featured).order_by().values_list("pk", "reader_key")
        )
        picked = Comment.objects.filter(pk__in=[pk for pk, _key in rows])
        picked.update(is_featured=featured)
        picked.mark_stories_changed()
        ModerationAction.objects.bulk_create(
            ModerationAction(
                comment_id=pk,
                reader_key=reader_key,
                actor=actor,
                action=Action.FEATURE if featured else Action.UNFEATURE,
            )
            for pk, reader_key in rows
        )
    return len(rows)


def comment_keep(*, comments, actor, reason="", expected_status=None):
    """Keep reported comments up: resolve their open reports; return how many were kept.

    A comment that reports hid is visible again. The resolved reports, and their networks, no
    longer count towards hiding it; new reporters still can. Comments without open reports are
    left as they are.
    """
    now = timezone.now()
    reason = (reason or _("Kept by a moderator despite reports."))[:255]
    open_reports = CommentReport.objects.unresolved().filter(comment=OuterRef("pk"))
    with transaction.atomic():
        rows = list(
            comments.filter(Exists(open_reports))
            .select_for_update()
            .order_by()
            .values_list("pk", "status", "moderation_rule", "reader_key")
        )
        _check_expected(rows, expected_status)
        if expected_status is not None and not rows:
            if (first := comments.order_by().values_list("pk", flat=True).first()) is not None:
                raise AlreadyDecided(first)  # kept or decided by someone else meanwhile
        ids = [row[0] for row in rows]
        # Only a comment the reports hid comes back; one a person or another rule held stays.
        hidden = {
            pk for pk, status, rule, _key in rows if status == Status.PENDING and rule == "reports"
        }
        _decide(hidden, Status.APPROVED, actor, reason, now)
        notices.replies_published(hidden)
        notices.comment_status_changed(Status.APPROVED, hidden)
        CommentReport.objects.filter(comment__in=ids).resolve(
            by=actor, resolution=CommentReport.Resolution.KEPT, now=now
        )
        Comment.objects.filter(pk__in=hidden).mark_stories_changed()
        ModerationAction.objects.bulk_create(
            ModerationAction(
                comment_id=pk,
                reader_key=reader_key,
                actor=actor,
                action=Action.KEEP,
                from_status=status,
                to_status=Status.APPROVED if pk in hidden else status,
                reason=reason,
                created_at=now,
            )
            for pk, status, _rule, reader_key in rows
        )
    return len(rows)


UNDO_SECONDS = 120  # how long a moderator may take back their own decision
UNDOABLE = [Action.APPROVE, Action.REJECT, Action.SPAM, Action.HOLD, Action.KEEP, Action.FEATURE]


def comment_undo(*, actions, actor):
    """Take back the moderator's own recent decisions; audit each as an undo; return how many.

    Each comment goes back to its status before the decision (with the rule and reason that had
    put it there), a pick is unpicked, and the reports the decision resolved are open again.
    A comment decided again since raises AlreadyDecided and nothing changes.
    """
    now = timezone.now()
    with transaction.atomic():
        taken = list(
            actions.filter(
                actor=actor,
                action__in=UNDOABLE,
                comment__isnull=False,
                created_at__gte=now - timedelta(seconds=UNDO_SECONDS),
            )
            .exclude(undone_by__isnull=False)
            .select_related("comment")
            .order_by("-created_at", "-id")
        )
        for done in taken:
            comment = Comment.objects.select_for_update().get(pk=done.comment_id)
            later = (
                ModerationAction.objects.filter(comment=comment, created_at__gt=done.created_at)
                .exclude(pk__in=[other.pk for other in taken])
                .exclude(undoes__in=taken)
            )
            if later.exists() or (done.to_status and comment.status != done.to_status):
                raise AlreadyDecided(comment.pk)
            if done.action == Action.FEATURE:
                Comment.objects.filter(pk=comment.pk).update(is_featured=False)
            elif done.to_status:
                before = (
                    ModerationAction.objects.filter(
                        comment=comment, to_status=done.from_status, created_at__lt=done.created_at
                    )
                    .order_by("-created_at", "-id")
                    .first()
                )
                Comment.objects.filter(pk=comment.pk).update(
                    status=done.from_status or comment.status,
                    moderation_rule=before.rule if before else comment.moderation_rule,
                    moderation_reason=before.reason if before else comment.moderation_reason,
                    decided_at=now,
                    decided_by=actor,
                )
            CommentReport.objects.filter(
                comment=comment, resolved_by=actor, resolved_at=done.created_at
            ).update(resolved_at=None, resolved_by=None, resolution="")
            ModerationAction.objects.create(
                comment=comment,
                reader_key=comment.reader_key,
                actor=actor,
                action=Action.UNDO,
                from_status=done.to_status,
                to_status=done.from_status,
                reason=(_("Undid: %(action)s") % {"action": done.get_action_display()})[:255],
                undoes=done,
                created_at=now,
            )
        Comment.objects.filter(pk__in=[done.comment_id for done in taken]).mark_stories_changed()
    return len(taken)
