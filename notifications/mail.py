"""
The mail readers get, built and sent by the worker.

An address gets nothing but one confirmation mail until its owner follows the signed link in
it. Every mail has a plain-text and an HTML part (escaped by the templates), a signed one-click
unsubscribe link and the RFC 8058 headers for it; no text a reader wrote goes into a header.

Each notice is recorded once per (comment, address, kind) as a ReplyNotice: sent at once, or
waiting (`queued` for a daily-digest reader, `capped` past the daily limit) for the next digest,
which `send_digest()` mails at most once a day per address.
"""

import logging
import smtplib
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from comments.mentions import mentions_by_thread, mentions_of
from comments.models import Comment

from .models import Digest, ReplyNotice, ReplySubscription, Subscriber, normalise_email

logger = logging.getLogger(__name__)

CONFIRM_SALT = "notifications.confirm"
UNSUBSCRIBE_SALT = "notifications.unsubscribe"
SETTINGS_SALT = "notifications.settings"
DIGEST_MAX_ITEMS = 50  # listed in full; the rest are counted, and the story pages have them


# Failures that may pass: the task tries again later.
TRANSIENT = (OSError, smtplib.SMTPException)


class BadLink(Exception):
    """A confirmation or unsubscribe link that is forged, damaged or expired."""


# Links


def absolute_url(path):
    return settings.NEWSROOM["SITE_URL"] + path


def confirm_token(subscriber):
    return signing.dumps(subscriber.pk, salt=CONFIRM_SALT)


def unsubscribe_token(subscriber):
    # No expiry: an unsubscribe link in a years-old mail must still work.
    return signing.dumps(subscriber.pk, salt=UNSUBSCRIBE_SALT)


def settings_token(subscriber):
    # No expiry either: the link is in every notice, however old.
    return signing.dumps(subscriber.pk, salt=SETTINGS_SALT)


def settings_url(subscriber):
    """The address's own notice settings page, for mail and for other pages to link to."""
    return absolute_url(reverse("notifications:settings", args=[settings_token(subscriber)]))


def subscriber_for(token, *, salt, max_age=None):
    try:
        pk = signing.loads(token, salt=salt, max_age=max_age)
        return Subscriber.objects.get(pk=pk)
    except (signing.BadSignature, Subscriber.DoesNotExist, TypeError, ValueError) as error:
        raise BadLink from error


def subscriber_to_confirm(token):
    max_age = timedelta(days=settings.NEWSROOM["NOTICE_CONFIRM_DAYS"])
    return subscriber_for(token, salt=CONFIRM_SALT, max_age=max_age)


def subscriber_to_unsubscribe(token):
    return subscriber_for(token, salt=UNSUBSCRIBE_SALT)


def subscriber_for_settings(token):
    return subscriber_for(token, salt=SETTINGS_SALT)


# The mail (run by the worker)


def _one_line(text):
    return " ".join(str(text).split())


def _send(*, subscriber, subject, template, context):
    unsubscribe_url = absolute_url(
        reverse("notifications:unsubscribe", args=[unsubscribe_token(subscriber)])
    )
    context = {
        **context,
        "unsubscribe_url": unsubscribe_url,
        "settings_url": settings_url(subscriber),
        "site_url": absolute_url("/"),
    }
    message = EmailMultiAlternatives(
        subject=_one_line(subject),
        body=render_to_string(f"notifications/email/{template}.txt", context),
        to=[subscriber.email],
        headers={
            "List-Unsubscribe": f"<{unsubscribe_url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Auto-Submitted": "auto-generated",
        },
    )
    message.attach_alternative(
        render_to_string(f"notifications/email/{template}.html", context), "text/html"
    )
    try:
        message.send()
    except smtplib.SMTPRecipientsRefused:
        # The server refused the address for good: write to it no more.
        Subscriber.objects.filter(pk=subscriber.pk).update(bounced_at=timezone.now())
        logger.warning("Notice address refused by the mail server; marked bounced")
        return False
    return True


def send_confirmation(subscriber_id, comment_id):
    """Mail the one confirmation message; return False if there was nothing to send."""
    subscriber = Subscriber.objects.filter(pk=subscriber_id).first()
    comment = Comment.objects.select_related("article").filter(pk=comment_id).first()
    if subscriber is None or comment is None or subscriber.is_reachable:
        return False
    if subscriber.unsubscribed_at and not subscriber.confirmed_at:
        return False
    headline = _one_line(comment.article.headline)
    confirm_url = absolute_url(reverse("notifications:confirm", args=[confirm_token(subscriber)]))
    return _send(
        subscriber=subscriber,
        subject=_("Confirm your address for reply notices"),
        template="confirm",
        context={
            "headline": headline,
            "story_url": absolute_url(comment.article.get_absolute_url()),
            "confirm_url": confirm_url,
            "days": settings.NEWSROOM["NOTICE_CONFIRM_DAYS"],
        },
    )


def _is_own_reply(reply, parent, subscriber):
    return (
        reply.is_by(parent.reader_key)
        or (reply.user_id is not None and reply.user_id == parent.user_id)
        or normalise_email(reply.author_email) == subscriber.email
    )


def _over_daily_cap(subscriber, now):
    """Whether the address had its NOTICE_DAILY_CAP mails in the last 24 hours (a digest is one)."""
    since = now - timedelta(days=1)
    sent = ReplyNotice.objects.filter(
        subscriber=subscriber,
        status=ReplyNotice.Status.SENT,
        digest__isnull=True,
        created_at__gte=since,
    ).count()
    sent += Digest.objects.filter(subscriber=subscriber, created_at__gte=since).count()
    return sent >= settings.NEWSROOM["NOTICE_DAILY_CAP"]


def _notice_status(subscriber, now):
    if subscriber.frequency == Subscriber.Frequency.DAILY:
        return ReplyNotice.Status.QUEUED
    if _over_daily_cap(subscriber, now):
        return ReplyNotice.Status.CAPPED
    return ReplyNotice.Status.SENT


def _deliver(pairs, kind, send):
    """Record the notice each (comment, subscriber) pair calls for, once, and send it unless it
    waits for the digest; return the comment ids to try again later."""
    again = []
    for comment, subscriber in pairs:
        now = timezone.now()
        status = _notice_status(subscriber, now)
        try:
            with transaction.atomic():
                notice = ReplyNotice.objects.create(
                    reply=comment, subscriber=subscriber, kind=kind, status=status, created_at=now
                )
        except IntegrityError:
            continue  # sent (or waiting) already: never twice
        if status != ReplyNotice.Status.SENT:
            continue
        try:
            send(comment, subscriber)
        except TRANSIENT:
            logger.warning("Notice about comment %s not sent; will retry", comment.pk)
            notice.delete()
            again.append(comment.pk)
    return again


def _notice_pairs(reply_ids):
    """(reply, subscriber) for each visible reply whose parent's author waits for it."""
    replies = (
        Comment.objects.live()
        .filter(pk__in=reply_ids, parent__reply_subscription__isnull=False)
        .select_related("article", "parent__reply_subscription__subscriber")
    )
    for reply in replies:
        subscriber = reply.parent.reply_subscription.subscriber
        if subscriber.is_reachable and not _is_own_reply(reply, reply.parent, subscriber):
            yield reply, subscriber


def _mention_pairs(comment_ids, replied):
    """(comment, subscriber) for each visible comment that @mentions a reader who asked for
    notices in that thread (on any of their comments there), once per comment, not for a
    mention of oneself, nor for a reader the comment's reply notice already tells."""
    comments = list(
        Comment.objects.live()
        .filter(pk__in=comment_ids, body__contains="@")
        .select_related("article")
    )
    by_thread = mentions_by_thread(comments)
    named = {}  # comment: the authors it mentions, as (thread, reader key)
    for comment in comments:
        env = {}
        comment.body_html(mentions_of(comment, by_thread), env=env)
        thread = comment.thread_id or comment.pk
        named[comment] = {(thread, target.reader_key) for target in env.get("mentioned", ())}
    wanted = set().union(*named.values())
    if not wanted:
        return
    subscriptions = ReplySubscription.objects.filter(
        Q(comment__thread_id__in={thread for thread, _key in wanted})
        | Q(comment_id__in={thread for thread, _key in wanted}),
        comment__reader_key__in={key for _thread, key in wanted},
    ).select_related("comment", "subscriber")
    subscribers = {}
    for subscription in subscriptions:
        own = subscription.comment
        subscribers.setdefault((own.thread_id or own.pk, own.reader_key), {})[
            subscription.subscriber_id
        ] = subscription
    for comment, people in named.items():
        told = set()
        for person in people:
            for subscription in subscribers.get(person, {}).values():
                subscriber = subscription.subscriber
                if (
                    subscriber.pk in told
                    or (comment.pk, subscriber.pk) in replied
                    or not subscriber.is_reachable
                    or _is_own_reply(comment, subscription.comment, subscriber)
                ):
                    continue
                told.add(subscriber.pk)
                yield comment, subscriber


def send_reply_notices(reply_ids):
    """Mail the notices these replies and mentions call for, once each; return the ids to try
    again later."""
    replies = list(_notice_pairs(reply_ids))
    replied = {(reply.pk, subscriber.pk) for reply, subscriber in replies}
    again = _deliver(replies, ReplyNotice.Kind.REPLY, _send_reply_notice)
    mentions = _mention_pairs(reply_ids, replied)
    again += _deliver(mentions, ReplyNotice.Kind.MENTION, _send_mention_notice)
    return sorted(set(again))


def _send_reply_notice(reply, subscriber):
    headline = _one_line(reply.article.headline)
    return _send(
        subscriber=subscriber,
        subject=_("New reply to your comment on “%(headline)s”") % {"headline": headline},
        template="reply",
        context={
            "headline": headline,
            "reply": reply,
            "parent": reply.parent,
            "reply_url": absolute_url(reply.get_absolute_url()),
        },
    )


def _send_mention_notice(comment, subscriber):
    headline = _one_line(comment.article.headline)
    return _send(
        subscriber=subscriber,
        subject=_("%(name)s mentioned you on “%(headline)s”")
        % {"name": _one_line(comment.author_name), "headline": headline},
        template="mention",
        context={
            "headline": headline,
            "reply": comment,
            "reply_url": absolute_url(comment.get_absolute_url()),
        },
    )


# Moderation notices: a held comment approved, or not published


def _decision_pairs(kind, comment_ids):
    """(comment, subscriber) for each comment still so decided whose author chose this notice."""
    comments = (
        ReplyNotice.comments_for(kind)
        .filter(pk__in=comment_ids, reply_subscription__isnull=False)
        .select_related("article", "reply_subscription__subscriber")
    )
    for comment in comments:
        subscriber = comment.reply_subscription.subscriber
        if subscriber.is_reachable and getattr(subscriber, ReplyNotice.OPT_IN[kind]):
            yield comment, subscriber


def send_decision_notices(kind, comment_ids):
    """Tell authors who asked that their held comments were approved or not published."""
    return _deliver(_decision_pairs(kind, comment_ids), kind, _send_decision_notice)


def _send_decision_notice(comment, subscriber):
    headline = _one_line(comment.article.headline)
    if comment.status == Comment.Status.APPROVED:
        subject = _("Your comment on “%(headline)s” was approved")
    else:
        subject = _("Your comment on “%(headline)s” was not published")
    return _send(
        subscriber=subscriber,
        subject=subject % {"headline": headline},
        template="decision",
        context={
            "headline": headline,
            "comment": comment,
            "approved": comment.status == Comment.Status.APPROVED,
            # What readers are told, never the rule's or the moderator's own reason.
            "reason": Comment.NOT_PUBLISHED_MESSAGE,
            "comment_url": absolute_url(comment.get_absolute_url()),
            "story_url": absolute_url(comment.article.get_absolute_url()),
        },
    )


# The daily digest


def send_digest(subscriber_id, day):
    """Mail the address the notices waiting for it, unless it had its digest for `day`.

    Return False when there was nothing to send. A mail server that fails for now leaves the
    notices waiting and raises a TRANSIENT error for the task to retry.
    """
    subscriber = Subscriber.objects.filter(pk=subscriber_id).first()
    if subscriber is None or not subscriber.is_reachable:
        return False
    with transaction.atomic():
        try:
            with transaction.atomic():
                digest = Digest.objects.create(subscriber=subscriber, day=day)
        except IntegrityError:
            return False  # this day's digest went already
        notices = list(
            ReplyNotice.objects.waiting()
            .filter(subscriber=subscriber)
            .select_related("reply__article")
            .order_by("created_at", "pk")
        )
        if not notices:
            transaction.set_rollback(True)
            return False
        ReplyNotice.objects.filter(pk__in=[n.pk for n in notices]).update(
            status=ReplyNotice.Status.SENT, digest=digest
        )
    try:
        return _send_digest(subscriber, notices)
    except TRANSIENT:
        with transaction.atomic():
            digest.notices.update(status=ReplyNotice.Status.QUEUED, digest=None)
            digest.delete()
        raise


def _send_digest(subscriber, notices):
    items = [
        {
            "kind": notice.kind,
            "comment": notice.reply,
            "headline": _one_line(notice.reply.article.headline),
            # A comment that was not published has no permalink to follow; its story has.
            "url": absolute_url(
                notice.reply.article.get_absolute_url()
                if notice.kind == ReplyNotice.Kind.REJECTED
                else notice.reply.get_absolute_url()
            ),
        }
        for notice in notices[:DIGEST_MAX_ITEMS]
    ]
    subject = ngettext(
        "Your notice of the day: “%(headline)s”",
        "Your %(count)d notices of the day, from “%(headline)s”",
        len(notices),
    ) % {"count": len(notices), "headline": items[0]["headline"]}
    return _send(
        subscriber=subscriber,
        subject=subject,
        template="digest",
        context={
            "items": items,
            "more": len(notices) - len(items),
            "reason": Comment.NOT_PUBLISHED_MESSAGE,
        },
    )
