from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from comments.models import Comment


def normalise_email(email):
    return (email or "").strip().lower()


class SubscriberQuerySet(models.QuerySet):
    def reachable(self):
        """Addresses that confirmed and have not unsubscribed or bounced since."""
        return self.filter(
            confirmed_at__isnull=False, unsubscribed_at__isnull=True, bounced_at__isnull=True
        )


class Subscriber(models.Model):
    """An address that asked for notices: confirmed once, and free to leave with one click."""

    class Frequency(models.TextChoices):
        AS_THEY_HAPPEN = "now", _("As they happen")
        DAILY = "daily", _("A daily digest")

    email = models.EmailField(_("email"), unique=True)
    frequency = models.CharField(
        _("how often"), max_length=10, choices=Frequency.choices, default=Frequency.AS_THEY_HAPPEN
    )
    notify_approved = models.BooleanField(
        _("Also tell me when a moderator approves my held comment"), default=False
    )
    notify_rejected = models.BooleanField(
        _("Also tell me when my held comment is not published, and why"), default=False
    )
    created_at = models.DateTimeField(_("first asked at"), default=timezone.now)
    confirmation_sent_at = models.DateTimeField(_("confirmation sent at"), null=True, blank=True)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    unsubscribed_at = models.DateTimeField(_("unsubscribed at"), null=True, blank=True)
    bounced_at = models.DateTimeField(_("bounced at"), null=True, blank=True)

    objects = SubscriberQuerySet.as_manager()

    class Meta:
        verbose_name = _("notice subscriber")
        verbose_name_plural = _("notice subscribers")

    def __str__(self):
        return self.email

    @property
    def is_reachable(self):
        return self.confirmed_at is not None and not (self.unsubscribed_at or self.bounced_at)

    @staticmethod
    def may_confirm_again(now=None):
        """Q for subscribers who may be sent a confirmation: none yet, or the last one expired."""
        now = now or timezone.now()
        expired = now - timedelta(days=settings.NEWSROOM["NOTICE_CONFIRM_DAYS"])
        return Q(confirmation_sent_at__isnull=True) | Q(confirmation_sent_at__lt=expired)


class ReplySubscription(models.Model):
    """The author of this comment wants to hear when someone replies to it."""

    comment = models.OneToOneField(
        Comment,
        on_delete=models.CASCADE,
        related_name="reply_subscription",
        verbose_name=_("comment"),
    )
    subscriber = models.ForeignKey(
        Subscriber,
        on_delete=models.CASCADE,
        related_name="subscriptions",
        verbose_name=_("notice subscriber"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("reply subscription")
        verbose_name_plural = _("reply subscriptions")

    def __str__(self):
        return f"{self.subscriber} → {self.comment_id}"


class Digest(models.Model):
    """One day's mail to an address, listing the notices that waited for it: once a day at most."""

    subscriber = models.ForeignKey(
        Subscriber,
        on_delete=models.CASCADE,
        related_name="digests",
        verbose_name=_("notice subscriber"),
    )
    day = models.DateField(_("day"))
    created_at = models.DateTimeField(_("sent at"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("notice digest")
        verbose_name_plural = _("notice digests")
        constraints = [
            models.UniqueConstraint(fields=["subscriber", "day"], name="one_digest_per_day"),
        ]

    def __str__(self):
        return f"{self.subscriber} {self.day}"


class ReplyNoticeQuerySet(models.QuerySet):
    def waiting(self):
        """Notices for the next digest that still tell the truth (the reply is still up...)."""
        return self.filter(status__in=ReplyNotice.WAITING).filter(ReplyNotice.still_true())


class ReplyNotice(models.Model):
    """The stored mark that a notice was dealt with for an address, so it is never sent twice.

    Most are about a reply or a mention (`reply`, the comment that answers or names the reader);
    the moderation notices name the reader's own comment there.
    """

    class Kind(models.TextChoices):
        REPLY = "reply", _("A reply")
        MENTION = "mention", _("A mention")
        APPROVED = "approved", _("Their comment approved")
        REJECTED = "rejected", _("Their comment not published")

    class Status(models.TextChoices):
        SENT = "sent", _("Sent")
        QUEUED = "queued", _("Waiting for the daily digest")
        CAPPED = "capped", _("Daily limit reached: waiting for the next digest")

    WAITING = [Status.QUEUED, Status.CAPPED]
    # The Subscriber field by which a reader chose each kind of moderation notice.
    OPT_IN = {Kind.APPROVED: "notify_approved", Kind.REJECTED: "notify_rejected"}

    reply = models.ForeignKey(
        Comment, on_delete=models.CASCADE, related_name="+", verbose_name=_("reply")
    )
    subscriber = models.ForeignKey(
        Subscriber,
        on_delete=models.CASCADE,
        related_name="notices",
        verbose_name=_("notice subscriber"),
    )
    kind = models.CharField(_("about"), max_length=10, choices=Kind.choices, default=Kind.REPLY)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    created_at = models.DateTimeField(_("at"), default=timezone.now, db_index=True)
    digest = models.ForeignKey(
        Digest,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="notices",
        verbose_name=_("notice digest"),
    )

    objects = ReplyNoticeQuerySet.as_manager()

    class Meta:
        verbose_name = _("reply notice")
        verbose_name_plural = _("reply notices")
        constraints = [
            models.UniqueConstraint(
                fields=["reply", "subscriber", "kind"], name="one_notice_per_comment_and_kind"
            ),
        ]
        indexes = [models.Index(fields=["subscriber", "created_at"])]

    def __str__(self):
        return f"{self.subscriber} ← {self.reply_id}"

    @classmethod
    def comments_for(cls, kind):
        """The comments a notice of this kind may still tell of: up, or still not published."""
        if kind == cls.Kind.REJECTED:
            return Comment.objects.filter(status=Comment.Status.REJECTED)
        return Comment.objects.live()

    @classmethod
    def still_true(cls):
        """Q for notices whose news still holds when they are finally sent."""
        kinds = [cls.Kind.REPLY, cls.Kind.MENTION, cls.Kind.APPROVED]
        return Q(kind__in=kinds, reply__in=cls.comments_for(cls.Kind.REPLY)) | Q(
            kind=cls.Kind.REJECTED, reply__in=cls.comments_for(cls.Kind.REJECTED)
        )


def new_webhook_secret():
    import base64
    import secrets

    return "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode()


class WebhookEndpoint(models.Model):
    """A system of the newsroom's that wants to hear about comments, signed (Standard Webhooks)."""

    class Event(models.TextChoices):
        COMMENT_CREATED = "comment.created", _("Comment created")
        COMMENT_HELD = "comment.held", _("Comment held")
        COMMENT_APPROVED = "comment.approved", _("Comment approved")
        COMMENT_REJECTED = "comment.rejected", _("Comment rejected")
        COMMENT_DELETED = "comment.deleted", _("Comment deleted by its author")
        COMMENT_EDITED = "comment.edited", _("Comment edited")
        REACTION_CHANGED = "reaction.changed", _("Reactions on a story changed")
        REPORT_FILED = "report.filed", _("Report filed")

    name = models.CharField(_("name"), max_length=100)
    url = models.URLField(_("URL"), max_length=500)
    events = models.JSONField(_("events"), default=list)
    secret = models.CharField(
        _("signing secret"),
        max_length=100,
        default=new_webhook_secret,
        help_text=_("Give it to the receiving system; it checks each delivery's signature."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    consecutive_failures = models.PositiveIntegerField(_("failures in a row"), default=0)
    disabled_at = models.DateTimeField(_("disabled after failures at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")

    def __str__(self):
        return self.name


class WebhookDelivery(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting to be sent")
        RETRYING = "retrying", _("Failed, will retry")
        SUCCEEDED = "succeeded", _("Delivered")
        FAILED = "failed", _("Gave up")

    endpoint = models.ForeignKey(
        WebhookEndpoint,
        on_delete=models.CASCADE,
        related_name="deliveries",
        verbose_name=_("webhook endpoint"),
    )
    event = models.CharField(_("event"), max_length=40, choices=WebhookEndpoint.Event.choices)
    message_id = models.CharField(_("webhook-id"), max_length=40, unique=True)
    payload = models.JSONField(_("payload"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    response_code = models.PositiveSmallIntegerField(_("response code"), null=True, blank=True)
    duration_ms = models.PositiveIntegerField(_("time (ms)"), null=True, blank=True)
    error = models.CharField(_("error"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)
    last_attempt_at = models.DateTimeField(_("last attempt at"), null=True, blank=True)
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.event} → {self.endpoint_id}"
