"""Account mail, run by the worker (`manage.py db_worker`) with the notices' backoff."""

from django.utils import translation
from django_tasks import task

from notifications.mail import TRANSIENT
from notifications.tasks import MAIL_ATTEMPTS, retry_later

from . import mail

# Each mail is written in `language`, the one the reader was reading in when they asked for it.


@task()
def send_email_confirmation(user_id, email, attempt=1, language=None):
    try:
        with translation.override(language):
            return mail.send_email_confirmation(user_id, email)
    except TRANSIENT:
        return retry_later(
            send_email_confirmation, attempt, MAIL_ATTEMPTS, user_id, email, language=language
        )


@task()
def send_export_link(email, attempt=1, language=None):
    try:
        with translation.override(language):
            return mail.send_export_link(email)
    except TRANSIENT:
        return retry_later(send_export_link, attempt, MAIL_ATTEMPTS, email, language=language)
