"""The moderation desk's records: the site's moderation settings and the audit log."""

from django.conf import settings
from django.core.cache import cache
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..classifier import MAX_TIMEOUT
from .comment import Comment

SETTINGS_CACHE_KEY = "comments:moderation-settings"
SETTINGS_CACHE_SECONDS = 30


def _default(name):
    return settings.NEWSROOM["MODERATION"][name]


class ModerationSettings(models.Model):
    """The site's moderation rules, edited in the admin. Settings supply the first values."""

    class BanAction(models.TextChoices):
        REFUSE = "refuse", _("Refuse the comment")
        HOLD = "hold", _("Hold the comment for review")

    banned_words = models.TextField(
        _("banned words"),
        blank=True,
        help_text=_(
            "One word or phrase per line. Comments containing one are rejected. Matching ignores "
            "case, accents and simple letter swaps such as 0 for o."
        ),
    )
    suspect_words = models.TextField(
        _("suspect words"),
        blank=True,
        help_text=_("One word or phrase per line. Comments containing one are held for review."),
    )
    guest_max_links = models.PositiveSmallIntegerField(
        _("links allowed from guests"), default=1, help_text=_("More links than this are held.")
    )
    account_max_links = models.PositiveSmallIntegerField(
        _("links allowed from account holders"), default=3
    )
    repeat_window_hours = models.PositiveSmallIntegerField(
        _("repeated text window (hours)"),
        default=24,
        help_text=_("The same text posted again within this time is held as possible spam."),
    )
    repeat_story_count = models.PositiveSmallIntegerField(
        _("repeated text on stories"),
        default=2,
        help_text=_("Hold text already posted on this many other stories in the window."),
    )
    first_timer_approvals = models.PositiveSmallIntegerField(
        _("approved comments before a reader is trusted"),
        default=1,
        help_text=_("Readers with fewer approved comments are held unless post-moderated."),
    )
    report_threshold = models.PositiveSmallIntegerField(
        _("reports that hide a comment"),
        default=3,
        help_text=_(
            "Counted by distinct networks: many reports from one network count once. 0 never "
            "hides a comment; reports still reach the Reported queue."
        ),
    )
    reporter_min_age_hours = models.PositiveSmallIntegerField(
        _("hours before a reporter counts fully"),
        default=24,
        help_text=_(
            "A reporter whose reader cookie or account is younger than this, and who has no "
            "visible comment, is brand-new."
        ),
    )
    new_reporter_weight = models.PositiveSmallIntegerField(
        _("weight of a brand-new reporter (%)"),
        default=0,
        validators=[MaxValueValidator(100)],
        help_text=_(
            "How much a network of only brand-new reporters counts towards hiding, in percent of "
            "an established reporter. 0: not at all."
        ),
    )
    ban_action = models.CharField(
        _("comments from banned readers"),
        max_length=10,
        choices=BanAction.choices,
        default=BanAction.REFUSE,
    )
    classifier_url = models.URLField(
        _("classifier endpoint"),
        blank=True,
        help_text=_("Optional. Each comment is POSTed here as signed JSON; leave empty to skip."),
    )
    classifier_secret = models.CharField(_("classifier signing secret"), max_length=200, blank=True)
    classifier_timeout = models.FloatField(
        _("classifier timeout (seconds)"),
        default=2.0,
        validators=[MinValueValidator(0.1), MaxValueValidator(MAX_TIMEOUT)],
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("moderation settings")
        verbose_name_plural = _("moderation settings")
        # Where every comment is sent: editors decide that, moderators only see it.
        permissions = [("change_classifier", _("Can change the external classifier"))]

    def __str__(self):
        return str(_("Moderation settings"))

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        cache.delete(SETTINGS_CACHE_KEY)

    @classmethod
    def load(cls):
        """Return the settings every comment is judged by, from the cache when it can.

        Saving them clears the cached copy; with a cache per process (no DJANGO_CACHE_URL), other
        processes see a change within SETTINGS_CACHE_SECONDS.
        """
        config = cache.get(SETTINGS_CACHE_KEY)
        if config is None:
            config = cls.load_row()
            cache.set(SETTINGS_CACHE_KEY, config, SETTINGS_CACHE_SECONDS)
        return config

    @classmethod
    def load_row(cls):
        """Return the one settings row, or its first values from `NEWSROOM["MODERATION"]`."""
        defaults = {
            "banned_words": "\n".join(_default("BANNED_WORDS")),
            "suspect_words": "\n".join(_default("SUSPECT_WORDS")),
            "guest_max_links": _default("GUEST_MAX_LINKS"),
            "account_max_links": _default("ACCOUNT_MAX_LINKS"),
            "repeat_window_hours": _default("REPEAT_WINDOW_HOURS"),
            "repeat_story_count": _default("REPEAT_STORY_COUNT"),
            "first_timer_approvals": _default("FIRST_TIMER_APPROVALS"),
            "report_threshold": _default("REPORT_THRESHOLD"),
            "reporter_min_age_hours": _default("REPORTER_MIN_AGE_HOURS"),
            "new_reporter_weight": _default("NEW_REPORTER_WEIGHT"),
            "ban_action": _default("BAN_ACTION"),
            "classifier_url": _default("CLASSIFIER_URL"),
            "classifier_secret": _default("CLASSIFIER_SECRET"),
            "classifier_timeout": _default("CLASSIFIER_TIMEOUT"),
        }
        # Not created here: a GET must never write a row. The admin's first save does.
        return cls.objects.filter(pk=1).first() or cls(pk=1, **defaults)


class ModerationAction(models.Model):
    """One entry in the audit log: a decision by a person or by a rule."""

    class Action(models.TextChoices):
        APPROVE = "approve", _("Approved")
        HOLD = "hold", _("Held")
        REJECT = "reject", _("Rejected")
        SPAM = "spam", _("Marked spam")
        FEATURE = "feature", _("Made editor's pick")
        UNFEATURE = "unfeature", _("Removed editor's pick")
        BAN = "ban", _("Banned")
        LIFT_BAN = "lift_ban", _("Lifted ban")
        NOTE = "note", _("Changed reader notes")
        KEEP = "keep", _("Kept despite reports")
        UNDO = "undo", _("Undid a decision")

    comment = models.ForeignKey(
        Comment, on_delete=models.CASCADE, null=True, blank=True, related_name="actions"
    )
    reader_key = models.CharField(_("reader"), max_length=64, blank=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("moderator"),
    )
    rule = models.CharField(_("rule"), max_length=50, blank=True)
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    from_status = models.CharField(
        _("before"), max_length=10, choices=Comment.Status.choices, blank=True
    )
    to_status = models.CharField(
        _("after"), max_length=10, choices=Comment.Status.choices, blank=True
    )
    reason = models.CharField(_("reason"), max_length=255, blank=True)
    # An undo names the decision it took back; a decision is undone at most once.
    undoes = models.OneToOneField(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="undone_by",
        verbose_name=_("undoes"),
    )
    created_at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("audit log entry")
        verbose_name_plural = _("audit log")

    def __str__(self):
        return f"{self.get_action_display()} {self.comment_id or self.reader_key}"
