"""
The moderation pipeline: decide what happens to a new or edited comment.

`moderate()` is the single entry point the write path calls (HTML form and API alike). It either
raises `CommentRefused` (the comment is not saved; the reader sees the message and status) or
returns a `Decision` (the comment is saved with that status, rule and reason).

This first version knows one rule, the moderation mode; the full ordered pipeline of rules
(closed story, bans, rate limits, word lists, links, repeats, first-timers, classifier) replaces it.
"""

from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _

from . import ratelimits
from .models import Comment


class CommentRefused(Exception):
    """The comment is refused outright and not saved."""

    def __init__(self, message, *, status=400, rule="", retry_after=None):
        super().__init__(message)
        self.message = message
        self.status = status
        self.rule = rule
        self.retry_after = retry_after


@dataclass(frozen=True)
class Decision:
    status: str
    rule: str
    reason: str


def moderate(*, comment, reader, is_edit=False):
    """Return the Decision for an unsaved (or edited) comment, or raise CommentRefused."""
    article = comment.article
    if not article.comments_open:
        raise CommentRefused(_("Comments are closed on this story."), status=403, rule="closed")
    if not is_edit:
        try:
            ratelimits.enforce(
                group="comment",
                reader=reader,
                per_reader=settings.NEWSROOM["COMMENT_RATE"],
                per_network=settings.NEWSROOM["COMMENT_NETWORK_RATE"],
            )
        except ratelimits.RateLimited as limited:
            raise CommentRefused(
                _("You are commenting too fast. Please wait a moment and try again."),
                status=429,
                rule="rate_limit",
                retry_after=limited.retry_after,
            ) from limited
    if article.effective_moderation_mode == "pre":
        return Decision(Comment.Status.PENDING, "premoderation", _("Held for review."))
    return Decision(Comment.Status.APPROVED, "default", _("Approved."))


def record(comment, decision, *, actor=None, previous_status=""):
    """Record a decision in the audit log (arrives with the moderation desk)."""
