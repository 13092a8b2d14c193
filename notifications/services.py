"""
Reader notices: who asked for them and when one is due.

The comment write path calls `reply_subscribe()` when a reader opts in and `replies_published()`
whenever comments become visible, as a reply or an `@name` mention may be news to someone
(posted and approved at once, approved by a moderator, or kept after reports hid them); whatever
decides a held comment calls `held_comments_decided()`. They only look and enqueue; the mail goes
out from the worker (`notifications.tasks`, `notifications.mail`), so a request never waits on
an SMTP server.
"""

from datetime import timedelta
from functools import partial

from django.core.cache import cache
from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import get_language

from comments.models import Comment

from . import tasks, webhooks
from .models import ReplyNotice, ReplySubscription, Subscriber, WebhookEndpoint, normalise_email

# A busy story's reactions change every second; one reaction.changed event per story in this
# many seconds, carrying the tallies as they are when it is sent, says all the window's changes.
REACTION_EVENT_SECONDS = 10

Event = WebhookEndpoint.Event

# What the write path calls


def _enqueue_after_commit(task, *args, **kwargs):
    # The worker must find the rows the task names; with the database backend it would anyway.
    transaction.on_commit(partial(task.enqueue, *args, **kwargs))


def reply_subscribe(*, comment, email):
    """Note that the comment's author wants reply notices at `email`; confirm the address first.

    Call inside the transaction that saves the comment. An address that has not confirmed gets
    one confirmation mail per NOTICE_CONFIRM_DAYS, however often it is entered; an address that
    unsubscribed before ever confirming is never written to again.
    """
    if comment.is_rejected:
        return None  # a comment refused as spam must not make us write to anyone
    subscriber, _created = Subscriber.objects.get_or_create(email=normalise_email(email))
    ReplySubscription.objects.create(comment=comment, subscriber=subscriber)
    if subscriber.is_reachable:
        return subscriber
    now = timezone.now()
    claimed = (
        Subscriber.objects.filter(pk=subscriber.pk)
        .filter(Subscriber.may_confirm_again(now))
        .filter(Q(unsubscribed_at__isnull=True) | Q(confirmed_at__isnull=False))
        .update(confirmation_sent_at=now)
    )
    if claimed:
        _enqueue_after_commit(
            tasks.send_confirmation, subscriber.pk, comment.pk, language=get_language()
        )
    return subscriber


def replies_published(reply_ids):
    """Queue reply and mention notices for comments readers can now see, if anyone waits.

    Anyone subscribed in the comments' threads might be mentioned; the worker reads the bodies.
    """
    reply_ids = list(reply_ids)
    if not reply_ids:
        return
    threads = Comment.objects.filter(pk__in=reply_ids).values(root=Coalesce("thread_id", "pk"))
    waiting = ReplySubscription.objects.filter(
        Q(comment__replies__in=reply_ids)
        | Q(comment__thread_id__in=threads)
        | Q(comment_id__in=threads)
    )
    if waiting.exists():
        _enqueue_after_commit(tasks.send_reply_notices, reply_ids)


DECISION_KINDS = {
    Comment.Status.APPROVED: ReplyNotice.Kind.APPROVED,
    Comment.Status.REJECTED: ReplyNotice.Kind.REJECTED,
}


def held_comments_decided(status, comment_ids, *, wait_seconds=0):
    """Queue "approved" or "not published" notices for these held comments' authors who chose them.

    Call inside the transaction that moves comments out of the pending queue, with only those.
    Spam sends nothing. With `wait_seconds` the mail goes later, and only if the comment still
    has that status then (a moderator's decision may be undone for a while).
    """
    kind = DECISION_KINDS.get(status)
    comment_ids = list(comment_ids)
    if kind is None or not comment_ids:
        return
    opt_in = {f"subscriber__{ReplyNotice.OPT_IN[kind]}": True}
    if ReplySubscription.objects.filter(comment__in=comment_ids, **opt_in).exists():
        task = tasks.send_decision_notices
        if wait_seconds:
            task = task.using(run_after=timezone.now() + timedelta(seconds=wait_seconds))
        _enqueue_after_commit(task, kind, comment_ids)


def comment_event(event, comment_ids):
    """Queue a webhook event for these comments (after commit), if an endpoint wants it."""
    comment_ids = list(comment_ids)
    if comment_ids and event in webhooks.wanted_events():
        _enqueue_after_commit(tasks.dispatch_webhook_event, event, comment_ids)


def comment_status_changed(status, comment_ids):
    comment_event(webhooks.STATUS_EVENTS[status], comment_ids)


def reactions_changed(article_id):
    """Queue a reaction.changed event for the story after commit, if an endpoint wants it."""
    if Event.REACTION_CHANGED in webhooks.wanted_events():
        transaction.on_commit(partial(_enqueue_reaction_event, article_id))


def _enqueue_reaction_event(article_id):
    try:
        first = cache.add(f"notifications:reaction-event:{article_id}", 1, REACTION_EVENT_SECONDS)
    except Exception:  # a dead cache: send every change rather than none
        first = True
    if first:
        run_after = timezone.now() + timedelta(seconds=REACTION_EVENT_SECONDS)
        tasks.dispatch_webhook_event.using(run_after=run_after).enqueue(
            Event.REACTION_CHANGED, [article_id]
        )


# Readers' answers to the mail


def confirm(subscriber):
    if subscriber.confirmed_at is None or subscriber.unsubscribed_at is not None:
        subscriber.confirmed_at = subscriber.confirmed_at or timezone.now()
        subscriber.unsubscribed_at = None
        subscriber.save(update_fields=["confirmed_at", "unsubscribed_at"])
    return subscriber


def unsubscribe(subscriber):
    """Stop every notice to this address; asking twice changes nothing."""
    Subscriber.objects.filter(pk=subscriber.pk, unsubscribed_at__isnull=True).update(
        unsubscribed_at=timezone.now()
    )
