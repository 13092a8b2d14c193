"""What the desk knows of readers: bans, reader profiles, and posting tokens already spent."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class BanQuerySet(models.QuerySet):
    def active(self, now=None):
        now = now or timezone.now()
        return self.filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))

    def matching(self, *, reader_key="", email_hash="", network_hash=""):
        """Bans that cover any of these identities."""
        match = Q(kind=Ban.Kind.READER, value=reader_key)
        if email_hash:
            match |= Q(kind=Ban.Kind.EMAIL, value=email_hash)
        if network_hash:
            match |= Q(kind=Ban.Kind.NETWORK, value=network_hash)
        return self.filter(match)


class Ban(models.Model):
    """A ban (no end) or suspension (until `expires_at`) of a reader, an email or a network."""

    class Kind(models.TextChoices):
        READER = "reader", _("Reader")
        EMAIL = "email", _("Email address")
        NETWORK = "network", _("Network")

    kind = models.CharField(_("banned"), max_length=10, choices=Kind.choices)
    # A reader key as is; an email or a network only as a keyed hash, never in clear.
    value = models.CharField(_("identity"), max_length=64, db_index=True)
    label = models.CharField(
        _("who"), max_length=200, blank=True, help_text=_("A note for moderators.")
    )
    reason = models.CharField(_("reason"), max_length=255)
    expires_at = models.DateTimeField(
        _("until"), null=True, blank=True, help_text=_("Leave empty for a permanent ban.")
    )
    reject_past = models.BooleanField(_("past comments rejected"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("banned by"),
    )
    created_at = models.DateTimeField(_("banned at"), default=timezone.now)

    objects = BanQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("ban")

    def __str__(self):
        return f"{self.get_kind_display()}: {self.label or self.value[:12]}"

    def is_active(self, now=None):
        return self.expires_at is None or self.expires_at > (now or timezone.now())

    @property
    def is_suspension(self):
        return self.expires_at is not None


class ReaderProfile(models.Model):
    """What moderators know about one reader: trust and notes. Created when first needed."""

    reader_key = models.CharField(_("reader"), max_length=64, unique=True)
    display_name = models.CharField(_("last name used"), max_length=50, blank=True)
    is_trusted = models.BooleanField(
        _("trusted"), default=False, help_text=_("Trusted readers skip pre-moderation.")
    )
    notes = models.TextField(_("moderator notes"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["display_name", "reader_key"]
        verbose_name = _("reader")

    def __str__(self):
        return self.display_name or self.reader_key


class SpentToken(models.Model):
    """A posting token that has been used: a second post with it is a replay.

    The unique nonce lets the database decide between two workers racing with one token. A row
    is only needed until its token would be refused as too old anyway; then it is purged.
    """

    nonce = models.CharField(max_length=32, unique=True)
    expires_at = models.DateTimeField(db_index=True)

    def __str__(self):
        return self.nonce
