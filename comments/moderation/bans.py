"""Bans: whom a comment's author is banned as, and creating and lifting bans."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import Ban, Comment, ModerationAction
from .desk import comment_moderate
from .pipeline import email_hash

Status = Comment.Status
Action = ModerationAction.Action


def ban_identity(comment, kind):
    """Return (value, label) identifying the comment's author for a ban of this kind."""
    if kind == Ban.Kind.READER:
        return comment.reader_key, f"{comment.author_name} ({comment.reader_key[:14]})"
    if kind == Ban.Kind.EMAIL:
        if not comment.author_email:
            raise ValueError(_("This comment has no email address to ban."))
        name, _at, domain = comment.author_email.partition("@")
        return email_hash(comment.author_email), f"{name[:1]}…@{domain}"
    if not comment.network_hash:
        raise ValueError(_("This comment has no network to ban."))
    return comment.network_hash, _("network of %(name)s") % {"name": comment.author_name}


def ban_create(*, kind, value, reason, actor, label="", expires_at=None, reject_past=False):
    """Ban (or suspend until `expires_at`) an identity; optionally reject its past comments."""
    with transaction.atomic():
        new_ban = Ban.objects.create(
            kind=kind,
            value=value,
            label=label,
            reason=reason,
            expires_at=expires_at,
            reject_past=reject_past,
            created_by=actor,
        )
        ModerationAction.objects.create(
            reader_key=value if kind == Ban.Kind.READER else "",
            actor=actor,
            action=Action.BAN,
            reason=f"{new_ban}: {reason}"[:255],
        )
        rejected = 0
        if reject_past:
            rejected = comment_moderate(
                comments=comments_of(kind, value).exclude(
                    status__in=[Status.REJECTED, Status.SPAM]
                ),
                status=Status.REJECTED,
                actor=actor,
                reason=_("Rejected with a ban: %(reason)s") % {"reason": reason},
            )
    return new_ban, rejected


def comments_of(kind, value):
    """Every comment a ban of this kind and value covers."""
    if kind == Ban.Kind.READER:
        return Comment.objects.by_reader(value)
    if kind == Ban.Kind.NETWORK:
        return Comment.objects.filter(network_hash=value)
    # Emails are stored in clear on comments (editors may write to authors) but only hashed on bans.
    emails = Comment.objects.exclude(author_email="").values_list("author_email", flat=True)
    matching = {email for email in emails.distinct() if email_hash(email) == value}
    return Comment.objects.filter(author_email__in=matching)


def ban_lift(*, bans, actor):
    """End bans now; return how many were active."""
    now = timezone.now()
    with transaction.atomic():
        active = list(bans.active(now))
        Ban.objects.filter(pk__in=[b.pk for b in active]).update(expires_at=now)
        ModerationAction.objects.bulk_create(
            ModerationAction(
                reader_key=b.value if b.kind == Ban.Kind.READER else "",
                actor=actor,
                action=Action.LIFT_BAN,
                reason=str(b)[:255],
                created_at=now,
            )
            for b in active
        )
    return len(active)
