"""
The mail readers get, built and sent by the worker.

An address gets nothing but one confirmation mail until its owner follows the signed link in
it. Every mail has a plain-text and an HTML part (escaped by the templates), a signed one-click
unsubscribe link and the RFC 8058 headers for it; no text a reader wrote goes into a header.
"""

import logging
import smtplib
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from comments.models import Comment

from .models import ReplyNotice, Subscriber, normalise_email

logger = logging.getLogger(__name__)

CONFIRM_SALT = "notifications.confirm"
UNSUBSCRIBE_SALT = "notifications.unsubscribe"


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


# The mail (run by the worker)


def _one_line(text):
    return " ".join(str(text).split())


def _send(*, subscriber, subject, template, context):
    unsubscribe_url = absolute_url(
        reverse("notifications:unsubscribe", args=[unsubscribe_token(subscriber)])
    )
    context = {**context, "unsubscribe_url": unsubscribe_url, "site_url": absolute_url("/")}
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
    cap = settings.NEWSROOM["NOTICE_DAILY_CAP"]
    sent = ReplyNotice.objects.filter(
        subscriber=subscriber,
        status=ReplyNotice.Status.SENT,
        created_at__gte=now - timedelta(days=1),
    )
    return sent.count() >= cap


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


def send_reply_notices(reply_ids):
    """Mail the notices these replies call for, once each; return the ids to try again later."""
    again = []
    for reply, subscriber in _notice_pairs(reply_ids):
        now = timezone.now()
        status = ReplyNotice.Status.CAPPED if _over_daily_cap(subscriber, now) else "sent"
        try:
            with transaction.atomic():
                notice = ReplyNotice.objects.create(
                    reply=reply, subscriber=subscriber, status=status, created_at=now
                )
        except IntegrityError:
            continue  # sent (or capped) already: never twice
        if status == ReplyNotice.Status.CAPPED:
            continue
        try:
            _send_reply_notice(reply, subscriber)
        except TRANSIENT:
            logger.warning("Reply notice for comment %s not sent; will retry", reply.pk)
            notice.delete()
            again.append(reply.pk)
    return again


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
