"""
Reader accounts and privacy: confirming addresses, what a reader may see and take away of what
we hold about them, leaving for good, and forgetting network traces after the retention period.

Removing a reader's reactions and likes changes the stored tallies in the same transaction as the
rows (`comments.reactions.tally_change`, `F()` on the like counter), so counts stay exact.
"""

import uuid
from collections import Counter
from datetime import timedelta

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import BaseUserManager
from django.db import transaction
from django.db.models import CharField, DateTimeField, F, Q, Value
from django.db.models.functions import Cast, Coalesce, Concat
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from articles.models import Article
from comments.models import (
    Ban,
    Comment,
    CommentLike,
    CommentReport,
    CommentRevision,
    ModerationAction,
    Reaction,
    ReaderProfile,
)
from comments.reactions import tally_change
from notifications.models import Subscriber, normalise_email

from . import tasks
from .models import Account

Status = Comment.Status


def _after_commit(task, *args):
    # Mail is written in the language the reader asked in (accounts/tasks.py).
    language = get_language()
    transaction.on_commit(lambda: task.enqueue(*args, language=language))


def normalise(email):
    return BaseUserManager.normalize_email((email or "").strip())


def email_taken(email, *, by_other_than=None):
    """Return whether another account already uses this address (compared case-insensitively)."""
    users = get_user_model().objects.filter(email__iexact=normalise(email))
    if by_other_than is not None:
        users = users.exclude(pk=by_other_than.pk)
    return users.exists()


# Confirming addresses


def account_signup(*, user):
    """Start a new account unconfirmed and mail the link that confirms its address."""
    Account.objects.create(user=user)
    _after_commit(tasks.send_email_confirmation, user.pk, user.email)


def confirmation_resend(*, user):
    """Mail the confirmation link again (to the address waiting for it); return that address."""
    account = Account.objects.filter(user=user).first()
    if account is None:
        return ""
    email = account.new_email or (user.email if account.needs_confirmation else "")
    if email:
        _after_commit(tasks.send_email_confirmation, user.pk, email)
    return email


def email_change_request(*, user, email):
    """Keep `email` waiting until the link mailed to it is followed; the old one stays till then."""
    email = normalise(email)
    account, _created = Account.objects.get_or_create(
        user=user, defaults={"email_confirmed_at": timezone.now()}
    )
    account.new_email = email
    account.save(update_fields=["new_email"])
    _after_commit(tasks.send_email_confirmation, user.pk, email)


class EmailNotConfirmed(Exception):
    """The link names an address the account no longer waits for, or another account took it."""


def email_confirm(*, user, email):
    """Confirm the address a link was mailed to: the account's own, or the change waiting."""
    with transaction.atomic():
        account, _created = Account.objects.select_for_update().get_or_create(user=user)
        now = timezone.now()
        if email.lower() == (user.email or "").lower():
            account.email_confirmed_at = account.email_confirmed_at or now
        elif account.new_email and email.lower() == account.new_email.lower():
            if email_taken(email, by_other_than=user):
                raise EmailNotConfirmed(email)
            user.email = account.new_email
            user.save(update_fields=["email"])
            account.new_email = ""
            account.email_confirmed_at = now
        else:
            raise EmailNotConfirmed(email)
        account.save(update_fields=["email_confirmed_at", "new_email"])
    return account


# What the author of a comment is told about it. The moderation reason is written for editors
# (it can name a filtered word or a moderator's note) and is never shown to readers.

PENDING_REASONS = {
    "first_timer": gettext_lazy("First comments are read by an editor before they appear."),
    "premoderation": gettext_lazy(
        "Every comment on this story is read by an editor before it appears."
    ),
    "reports": gettext_lazy("Readers reported it; an editor will look at it."),
}


def reason_for_author(comment):
    """Return what the comment's author may be told about its status, in the reader's language."""
    if comment.is_deleted:
        return _("You deleted it.")
    if comment.status == Status.PENDING:
        return str(
            PENDING_REASONS.get(comment.moderation_rule) or _("An editor will review it first.")
        )
    if comment.status == Status.REJECTED:
        return _("An editor decided not to publish it: it does not follow our community rules.")
    if comment.status == Status.SPAM:
        return _("It was judged to be spam and will not be published.")
    return ""


# Taking it away


def _when(value):
    return value.isoformat() if value else None


def _comment_data(comment):
    return {
        "id": comment.pk,
        "story": comment.article.headline,
        "url": settings.NEWSROOM["SITE_URL"] + comment.get_absolute_url(),
        "reply_to": comment.parent_id,
        "author_name": comment.author_name,
        "author_email": comment.author_email,
        "text": comment.body,
        "status": comment.status,
        "status_reason": reason_for_author(comment),
        "posted_at": _when(comment.created_at),
        "edited_at": _when(comment.edited_at),
        "deleted_at": _when(comment.deleted_at),
        "likes": comment.like_count,
        "ip_hash": comment.ip_hash,
        "network_hash": comment.network_hash,
        "user_agent": comment.user_agent,
        "earlier_versions": [
            {"text": r.body, "status": r.status, "replaced_at": _when(r.created_at)}
            for r in comment.revisions.all()
        ],
    }


def _subscriptions(emails):
    return [
        {
            "email": s.email,
            "asked_at": _when(s.created_at),
            "confirmed_at": _when(s.confirmed_at),
            "unsubscribed_at": _when(s.unsubscribed_at),
        }
        for s in Subscriber.objects.filter(email__in=[normalise_email(e) for e in emails if e])
    ]


def reader_export(*, reader_key="", user=None, email=""):
    """Return everything we hold about a reader, as JSON-ready data.

    An account (or a guest's cookie) is known by its reader key: its comments, reactions, likes
    and reports. A guest known only by the address they typed gets the comments signed with it.
    """
    comments = Comment.objects.none()
    if user is not None:
        reader_key = f"u:{user.pk}"
        comments = Comment.objects.filter(Q(reader_key=reader_key) | Q(user=user))
    elif reader_key:
        comments = Comment.objects.filter(reader_key=reader_key)
    elif email:
        comments = Comment.objects.filter(author_email__iexact=email)
    comments = comments.select_related("article").prefetch_related("revisions").order_by("pk")
    data = {"generated_at": _when(timezone.now())}
    if user is not None:
        account = Account.objects.filter(user=user).first()
        data["account"] = {
            "username": user.get_username(),
            "display_name": user.get_full_name(),
            "email": user.email,
            "email_confirmed_at": _when(account.email_confirmed_at if account else None),
            "email_waiting_for_confirmation": account.new_email if account else "",
            "joined_at": _when(user.date_joined),
            "last_login_at": _when(user.last_login),
        }
    data["comments"] = [_comment_data(c) for c in comments]
    if reader_key:
        data["reactions"] = [
            {"story": r.article.headline, "reaction": r.kind, "at": _when(r.updated_at)}
            for r in Reaction.objects.by_reader(reader_key).select_related("article")
        ]
        data["likes"] = [
            {"comment": like.comment_id, "at": _when(like.created_at)}
            for like in CommentLike.objects.filter(reader_key=reader_key).order_by("pk")
        ]
        data["reports"] = [
            {
                "comment": r.comment_id,
                "reason": r.reason,
                "details": r.text,
                "network_hash": r.network_hash,
                "filed_at": _when(r.created_at),
                "resolved_at": _when(r.resolved_at),
            }
            for r in CommentReport.objects.filter(reader_key=reader_key).order_by("pk")
        ]
    emails = {email, getattr(user, "email", "")} | {c.author_email for c in comments}
    data["reply_notices"] = _subscriptions(emails)
    return data


# Leaving for good


def _remove_reactions(reader_key):
    reactions = Reaction.objects.by_reader(reader_key)
    per_story = {}
    for article_id, kind in reactions.values_list("article_id", "kind"):
        per_story.setdefault(article_id, Counter())[kind] -= 1
    for article_id, changes in per_story.items():
        tally_change(article_id, dict(changes))
    reactions.delete()
    return list(per_story)


def _remove_likes(reader_key):
    likes = CommentLike.objects.filter(reader_key=reader_key)
    per_comment = Counter(likes.values_list("comment_id", flat=True))
    for comment_id, n in per_comment.items():
        Comment.objects.filter(pk=comment_id, like_count__gte=n).update(
            like_count=F("like_count") - n
        )
    likes.delete()
    return list(per_comment)


def account_delete(*, user, keep_comments):
    """Delete an account and what it did; keep its comments under "a former reader" if asked.

    Otherwise its comments become placeholders (replies stay in their threads) with no text left.
    Reports it filed and moderation decisions about it stay, no longer tied to anyone.
    """
    reader_key = f"u:{user.pk}"
    # A key no one holds: what stays can no longer be traced to the person, nor changed by them.
    former = f"x:{uuid.uuid4()}"
    with transaction.atomic():
        comments = Comment.objects.filter(Q(reader_key=reader_key) | Q(user=user))
        touched = set(comments.values_list("article_id", flat=True))
        comment_ids = list(comments.values_list("pk", flat=True))
        traces = {"ip_hash": "", "network_hash": "", "user_agent": "", "author_email": ""}
        if keep_comments:
            CommentRevision.objects.filter(comment__in=comment_ids).update(
                reader_key=former, user=None
            )
            comments.update(
                reader_key=former, user=None, author_name=_("a former reader"), **traces
            )
        else:
            CommentRevision.objects.filter(comment__in=comment_ids).delete()
            comments.update(
                reader_key=former,
                user=None,
                author_name=_("a former reader"),
                body="",
                text_hash="",
                deleted_at=Coalesce("deleted_at", Value(timezone.now(), DateTimeField())),
                **traces,
            )
        touched.update(_remove_reactions(reader_key))
        liked = _remove_likes(reader_key)
        CommentReport.objects.filter(reader_key=reader_key).update(
            reader_key=former, network_hash=""
        )
        ModerationAction.objects.filter(reader_key=reader_key).update(reader_key=former)
        Ban.objects.filter(kind=Ban.Kind.READER, value=reader_key).update(value=former, label="")
        ReaderProfile.objects.filter(reader_key=reader_key).delete()
        Subscriber.objects.filter(email=normalise_email(user.email)).exclude(email="").delete()
        for model in (AccessAttempt, AccessLog, AccessFailureLog):
            model.objects.filter(username=user.get_username()).delete()
        touched.update(Comment.objects.filter(pk__in=liked).values_list("article_id", flat=True))
        user.delete()
        Article.objects.filter(pk__in=touched).mark_changed()


# Retention


def personal_data_purge(*, now=None):
    """Forget network traces older than the retention period; return how many rows changed."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.NEWSROOM["RETENTION_DAYS"])
    comments = (
        Comment.objects.filter(created_at__lt=cutoff)
        .exclude(ip_hash="", network_hash="", user_agent="")
        .update(ip_hash="", network_hash="", user_agent="")
    )
    reports = CommentReport.objects.filter(created_at__lt=cutoff)
    report_networks = reports.exclude(network_hash="").update(network_hash="")
    # A decided report no longer needs to know who filed it; the key stays unique per report.
    reporters = (
        reports.filter(resolved_at__isnull=False)
        .exclude(reader_key__startswith="r:")
        .update(reader_key=Concat(Value("r:"), Cast("pk", CharField())))
    )
    logins = sum(
        model.objects.filter(attempt_time__lt=cutoff).delete()[0]
        for model in (AccessLog, AccessFailureLog)
    )
    return {
        "comments": comments,
        "reports": report_networks + reporters,
        "logins": logins,
    }


def guest_export_request(*, email):
    """Mail an export link to `email` if we hold anything under it; answer the same either way."""
    email = (email or "").strip()
    known = (
        Comment.objects.filter(author_email__iexact=email).exists()
        or Subscriber.objects.filter(email=normalise_email(email)).exists()
    )
    if email and known:
        _after_commit(tasks.send_export_link, email)
