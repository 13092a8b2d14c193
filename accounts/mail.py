"""
The account mail, sent by the worker: confirm an address, or take away one's data as a guest.

Each link is signed and expires; the page it opens asks for a button press before it acts, so a
mail scanner that follows links confirms nothing.
"""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _

from notifications.mail import BadLink, absolute_url

CONFIRM_SALT = "accounts.confirm_email"
EXPORT_SALT = "accounts.privacy_export"
EXPORT_LINK_HOURS = 24


def confirm_days():
    return settings.NEWSROOM["ACCOUNT_CONFIRM_DAYS"]


def confirm_token(user, email):
    return signing.dumps({"user": user.pk, "email": email}, salt=CONFIRM_SALT)


def confirmation_for(token):
    """Return (user, email) a confirmation link names; raise BadLink if forged or expired."""
    try:
        data = signing.loads(token, salt=CONFIRM_SALT, max_age=timedelta(days=confirm_days()))
        return get_user_model().objects.get(pk=data["user"]), str(data["email"])
    except (signing.BadSignature, LookupError, TypeError, ValueError) as error:
        raise BadLink from error
    except get_user_model().DoesNotExist as error:
        raise BadLink from error


def export_token(email):
    return signing.dumps(email.strip().lower(), salt=EXPORT_SALT)


def export_email_for(token):
    """Return the address a data-export link was mailed to; raise BadLink if forged or expired."""
    try:
        email = signing.loads(token, salt=EXPORT_SALT, max_age=timedelta(hours=EXPORT_LINK_HOURS))
    except (signing.BadSignature, TypeError, ValueError) as error:
        raise BadLink from error
    if not isinstance(email, str) or not email:
        raise BadLink
    return email


def _send(*, to, subject, template, context):
    send_mail(
        subject=subject,
        message=render_to_string(f"accounts/email/{template}.txt", context),
        from_email=None,
        recipient_list=[to],
    )
    return True


def send_email_confirmation(user_id, email):
    """Mail the link confirming `email` for the account; return False if there is none to send."""
    user = get_user_model().objects.filter(pk=user_id).first()
    if user is None or not email:
        return False
    url = absolute_url(reverse("accounts:confirm_email", args=[confirm_token(user, email)]))
    return _send(
        to=email,
        subject=_("Confirm your email address"),
        template="confirm",
        context={"user": user, "confirm_url": url, "days": confirm_days()},
    )


def send_export_link(email):
    url = absolute_url(reverse("accounts:guest_export", args=[export_token(email)]))
    return _send(
        to=email,
        subject=_("Your comments and data"),
        template="export",
        context={"export_url": url, "hours": EXPORT_LINK_HOURS},
    )
