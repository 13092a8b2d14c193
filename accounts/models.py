from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Account(models.Model):
    """A reader's sign-up: whether its email address is confirmed, and a change waiting for it.

    Accounts made by sign-up start unconfirmed and may not post until the link mailed to them is
    followed. Users made another way (staff in the admin, `createsuperuser`) have no Account row
    and are vouched for by whoever made them.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="account",
        verbose_name=_("user"),
    )
    email_confirmed_at = models.DateTimeField(_("email confirmed at"), null=True, blank=True)
    new_email = models.EmailField(
        _("new email, waiting for confirmation"),
        blank=True,
        help_text=_("Becomes the account's address once the link mailed to it is followed."),
    )
    created_at = models.DateTimeField(_("signed up at"), default=timezone.now)

    class Meta:
        verbose_name = _("reader account")
        verbose_name_plural = _("reader accounts")

    def __str__(self):
        return str(self.user)

    @property
    def needs_confirmation(self):
        return self.email_confirmed_at is None


def needs_confirmation(user):
    """Return whether a signed-in user still has to confirm the email they signed up with.

    Free when the user came from our log-in backend, which loads the account with the user.
    """
    try:
        return user.account.needs_confirmation
    except ObjectDoesNotExist:  # made by staff or createsuperuser: nothing to confirm
        return False


def may_post(user):
    """Return whether this signed-in user may post under their name (confirmed, or no sign-up)."""
    return not Account.objects.filter(user=user, email_confirmed_at__isnull=True).exists()
