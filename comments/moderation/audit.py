"""The audit log: every decision about a comment, by a rule or a person, is recorded here."""

from ..models import Comment, ModerationAction

Status = Comment.Status
Action = ModerationAction.Action


ACTION_FOR_STATUS = {
    Status.APPROVED: Action.APPROVE,
    Status.PENDING: Action.HOLD,
    Status.REJECTED: Action.REJECT,
    Status.SPAM: Action.SPAM,
}


def record(comment, decision, *, actor=None, previous_status=""):
    """Write a decision about a saved comment to the audit log."""
    return ModerationAction.objects.create(
        comment=comment,
        reader_key=comment.reader_key,
        actor=actor,
        rule="" if actor else decision.rule,
        action=ACTION_FOR_STATUS[decision.status],
        from_status=previous_status,
        to_status=decision.status,
        reason=decision.reason[:255],
    )
