"""Account mail, run by the worker (`manage.py db_worker`) with the notices' backoff."""

from django_tasks import task

from notifications.mail import TRANSIENT
from notifications.tasks import MAIL_ATTEMPTS, retry_later

from . import mail


@task()
def send_email_confirmation(user_id, email, attempt=1):
    try:
        return mail.send_email_confirmation(user_id, email)
    except TRANSIENT:
        return retry_later(send_email_confirmation, attempt, MAIL_ATTEMPTS, user_id, email)


@task()
def send_export_link(email, attempt=1):
    try:
        return mail.send_export_link(email)
    except TRANSIENT:
        return retry_later(send_export_link, attempt, MAIL_ATTEMPTS, email)
