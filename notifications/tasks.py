"""
Background work: reader mail and webhook deliveries, run by `manage.py db_worker`.

A task that fails for a reason that may pass (the mail server is down) enqueues itself again,
later each time (exponential backoff), and returns; only when its attempts are used up does it
raise, so the admin's failed task results are exactly the ones that need a person.
"""

from datetime import timedelta

from django.utils import timezone, translation
from django_tasks import task

from . import mail, webhooks

MAIL_ATTEMPTS = 8  # 1, 2, 4 ... 64 minutes apart: a little over two hours in all


class GaveUp(Exception):
    """The last attempt failed too."""


def retry_later(task_, attempt, attempts, *args, **kwargs):
    """Enqueue `task_` again with backoff; raise GaveUp when `attempts` are used up."""
    if attempt >= attempts:
        raise GaveUp(f"attempt {attempt} of {attempts} failed")
    run_after = timezone.now() + timedelta(minutes=2 ** (attempt - 1))
    task_.using(run_after=run_after).enqueue(*args, attempt=attempt + 1, **kwargs)
    return {"retry_at": run_after.isoformat()}


@task()
def send_confirmation(subscriber_id, comment_id, attempt=1, language=None):
    """Mail the confirmation in `language`: the reader who asked for notices just asked."""
    try:
        with translation.override(language):
            return mail.send_confirmation(subscriber_id, comment_id)
    except mail.TRANSIENT:
        return retry_later(
            send_confirmation, attempt, MAIL_ATTEMPTS, subscriber_id, comment_id, language=language
        )


@task()
def send_reply_notices(reply_ids, attempt=1):
    again = mail.send_reply_notices(reply_ids)
    if again:
        return retry_later(send_reply_notices, attempt, MAIL_ATTEMPTS, again)
    return {"sent_for": reply_ids}


@task()
def send_decision_notices(kind, comment_ids, attempt=1):
    again = mail.send_decision_notices(kind, comment_ids)
    if again:
        return retry_later(send_decision_notices, attempt, MAIL_ATTEMPTS, kind, again)
    return {"sent_for": comment_ids}


@task()
def send_digest(subscriber_id, day, attempt=1):
    try:
        return mail.send_digest(subscriber_id, day)
    except mail.TRANSIENT:
        return retry_later(send_digest, attempt, MAIL_ATTEMPTS, subscriber_id, day)


@task()
def dispatch_webhook_event(event, comment_ids):
    delivery_ids = webhooks.dispatch(event, comment_ids)
    for delivery_id in delivery_ids:
        deliver_webhook.enqueue(delivery_id)
    return {"deliveries": delivery_ids}


@task()
def deliver_webhook(delivery_id):
    retry_at = webhooks.deliver(delivery_id)
    if retry_at is not None:
        deliver_webhook.using(run_after=retry_at).enqueue(delivery_id)
        return {"retry_at": retry_at.isoformat()}
    return None
