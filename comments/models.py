from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.db.models.functions import Coalesce
from django.db.models.lookups import GreaterThan
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

from articles.models import Article

from .classifier import MAX_TIMEOUT
from .text import text_hash

# Rules whose holds a moderator should see before first-timers and pre-moderated comments.
PRIORITY_RULES = ["suspect_words", "links"]
# The rule of a comment held until the classifier, asked in the background, answers.
WAITING_FOR_CLASSIFIER = "external_classifier"


class CommentQuerySet(models.QuerySet):
    def visible(self):
        """Approved comments: what readers may see (a deleted one shows as a placeholder)."""
        return self.filter(status=Comment.Status.APPROVED)

    def pending(self):
        return self.filter(status=Comment.Status.PENDING)

    def waiting_for_classifier(self):
        return self.pending().filter(moderation_rule=WAITING_FOR_CLASSIFIER)

    def in_moderation(self):
        """The Pending queue: held comments still waiting, less those their authors deleted."""
        return self.pending().filter(deleted_at__isnull=True)

    def by_priority(self):
        """Order a queue urgent first; oldest first within each tier.

        Reported comments come first, most distinct reporter networks first; then comments held
        by suspect words or links; then first-timers; then the rest.
        """
        return self.order_by(*self.priority_ordering())

    @staticmethod
    def priority_ordering():
        """The by_priority() order as expressions, for the admin's get_ordering()."""
        networks = Coalesce(
            models.Subquery(
                CommentReport.objects.unresolved()
                .filter(comment=OuterRef("pk"))
                .order_by()
                .values("comment")
                .annotate(n=models.Count("network_hash", distinct=True))
                .values("n")
            ),
            0,
        )
        tier = models.Case(
            models.When(GreaterThan(networks, 0), then=0),
            models.When(moderation_rule__in=PRIORITY_RULES, then=1),
            models.When(moderation_rule="first_timer", then=2),
            default=3,
        )
        return [tier.asc(), networks.desc(), models.F("created_at").asc(), models.F("id").asc()]

    def reported(self):
        """Comments with reports no moderator has looked at yet."""
        return self.filter(
            Exists(CommentReport.objects.filter(comment=OuterRef("pk"), resolved_at__isnull=True))
        )

    def deleted_by_author(self):
        return self.filter(deleted_at__isnull=False)

    def by_reader(self, reader_key):
        return self.filter(reader_key=reader_key)

    def visible_to(self, reader_key):
        """What one reader sees: every visible comment plus their own held ones."""
        if not reader_key:
            return self.visible()
        return self.filter(
            Q(status=Comment.Status.APPROVED)
            | Q(status=Comment.Status.PENDING, reader_key=reader_key)
        )

    def top_level(self):
        return self.filter(parent__isnull=True)

    def live(self):
        """Visible comments their authors have not deleted: what the comment count counts."""
        return self.visible().filter(deleted_at__isnull=True)

    def mark_stories_changed(self):
        """Tell the cached pages of these comments' stories that what readers see has changed."""
        return Article.objects.filter(pk__in=self.values("article_id")).mark_changed()

    def count_for(self, article_ref="pk"):
        """Return a subquery counting each outer story's live comments, for annotate()."""
        counted = (
            self.live()
            .filter(article=models.OuterRef(article_ref))
            .order_by()
            .values("article")
            .annotate(n=models.Count("pk"))
            .values("n")
        )
        return Coalesce(models.Subquery(counted), 0)


class Comment(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        SPAM = "spam", _("Spam")

    # From least to most strict. An author's edit may move a comment along this order, never back.
    STRICTNESS = [Status.APPROVED, Status.PENDING, Status.REJECTED, Status.SPAM]
    # All a reader is told of why their comment was not published: `moderation_reason` (the
    # rule's or the moderator's) is for moderators, and may name a banned word or hold a note.
    NOT_PUBLISHED_MESSAGE = _("Your comment was not published: it breaks this site's rules.")

    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="comments", verbose_name=_("story")
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="replies",
        verbose_name=_("in reply to"),
    )
    # The top-level comment of the thread; null for top-level comments themselves. A page reads
    # its threads with one query for the roots and one for every reply under them.
    thread = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="thread_replies"
    )
    depth = models.PositiveSmallIntegerField(default=0)

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="comments",
        verbose_name=_("account"),
    )
    reader_key = models.CharField(_("reader"), max_length=64, db_index=True)
    author_name = models.CharField(_("name"), max_length=50)
    author_email = models.EmailField(_("email"), blank=True)
    body = models.TextField(_("comment"))
    # The folded body's digest (comments.text.text_hash), kept by save(): the repeat rule finds
    # the same text posted elsewhere with an index instead of reading a day of comments.
    text_hash = models.CharField(max_length=32, blank=True, editable=False)

    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    moderation_rule = models.CharField(_("decided by rule"), max_length=50, blank=True)
    moderation_reason = models.CharField(_("reason"), max_length=255, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    # What the external classifier answered with its decision (comments.classifier.Verdict).
    classifier_score = models.FloatField(_("classifier score"), null=True, blank=True)
    classifier_labels = models.JSONField(_("classifier labels"), default=dict, blank=True)
    is_featured = models.BooleanField(_("editor's pick"), default=False)

    like_count = models.PositiveIntegerField(_("likes"), default=0)
    report_count = models.PositiveIntegerField(_("reports"), default=0)

    ip_hash = models.CharField(_("IP hash"), max_length=64, blank=True, db_index=True)
    network_hash = models.CharField(_("network hash"), max_length=64, blank=True, db_index=True)
    user_agent = models.CharField(_("user agent"), max_length=255, blank=True)

    created_at = models.DateTimeField(_("posted at"), default=timezone.now, db_index=True)
    edited_at = models.DateTimeField(_("edited at"), null=True, blank=True)
    deleted_at = models.DateTimeField(_("deleted by author at"), null=True, blank=True)

    objects = CommentQuerySet.as_manager()

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["article", "status", "parent", "created_at", "id"]),
            models.Index(fields=["article", "status", "parent", "like_count", "id"]),
            models.Index(fields=["status", "created_at"]),
            models.Index(fields=["text_hash", "created_at"]),
            # A reader's own comments on one story, read for every page they are served.
            models.Index(fields=["reader_key", "article"], name="comment_by_reader_on_story"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(depth=0, parent__isnull=True, thread__isnull=True)
                | Q(depth__gt=0, parent__isnull=False, thread__isnull=False),
                name="comment_thread_shape",
            ),
            models.CheckConstraint(
                condition=Q(classifier_score__isnull=True)
                | Q(classifier_score__gte=0, classifier_score__lte=1),
                name="comment_classifier_score_range",
            ),
        ]
        permissions = [("moderate_comment", "Can moderate comments")]

    def __str__(self):
        return f"{self.author_name}: {self.body[:60]}"

    def save(self, *args, **kwargs):
        self.text_hash = text_hash(self.body)
        if (fields := kwargs.get("update_fields")) is not None and "body" in fields:
            kwargs["update_fields"] = {*fields, "text_hash"}
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        # The story page shows the comment's whole thread first, wherever it sorts.
        thread = self.thread_id or self.pk
        return f"{self.article.get_absolute_url()}?thread={thread}#c{self.pk}"

    @property
    def is_visible(self):
        return self.status == self.Status.APPROVED

    @property
    def is_deleted(self):
        return self.deleted_at is not None

    @property
    def is_rejected(self):
        """Rejected or marked spam, by a rule or a person: closed to its author for good."""
        return self.status in {self.Status.REJECTED, self.Status.SPAM}

    @classmethod
    def stricter_status(cls, *statuses):
        """Return the strictest of these statuses (approved < pending < rejected < spam)."""
        return max(statuses, key=cls.STRICTNESS.index)

    @property
    def classifier_top_labels(self):
        """The classifier's labels as (name, score) pairs, highest first."""
        return sorted(self.classifier_labels.items(), key=lambda item: (-item[1], item[0]))

    def is_by(self, reader_key):
        """Return whether the reader with this key wrote the comment (account or guest cookie)."""
        return bool(reader_key) and self.reader_key == reader_key

    @property
    def edit_window_ends_at(self):
        minutes = settings.NEWSROOM["COMMENT_EDIT_WINDOW_MINUTES"]
        return self.created_at + timedelta(minutes=minutes)

    def is_editable(self):
        return (
            not self.is_deleted
            and not self.is_rejected
            and timezone.now() < self.edit_window_ends_at
        )


class CommentRevision(models.Model):
    """The text of a comment before one edit by its author, kept for moderators only."""

    comment = models.ForeignKey(
        Comment, on_delete=models.CASCADE, related_name="revisions", verbose_name=_("comment")
    )
    body = models.TextField(_("text before the edit"))
    status = models.CharField(
        _("status before the edit"), max_length=10, choices=Comment.Status.choices
    )
    reader_key = models.CharField(_("edited by"), max_length=64)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("edited by account"),
    )
    created_at = models.DateTimeField(_("edited at"), default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("earlier text")
        verbose_name_plural = _("earlier texts")

    def __str__(self):
        return f"{self.comment_id} before {self.created_at:%Y-%m-%d %H:%M}"


class CommentLike(models.Model):
    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="likes")
    reader_key = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["comment", "reader_key"], name="one_like_per_reader")
        ]
        # A reader's likes on one story, read for every page they are served (articles.story_page).
        indexes = [models.Index(fields=["reader_key", "comment"], name="like_by_reader")]

    def __str__(self):
        return f"{self.reader_key} likes {self.comment_id}"


class CommentReportQuerySet(models.QuerySet):
    def unresolved(self):
        return self.filter(resolved_at__isnull=True)

    def resolve(self, *, by, resolution, now=None):
        """Close the unresolved ones among these reports; return how many."""
        return self.unresolved().update(
            resolved_at=now or timezone.now(), resolved_by=by, resolution=resolution
        )


class CommentReport(models.Model):
    class Reason(models.TextChoices):
        SPAM = "spam", _("Spam")
        ABUSE = "abuse", _("Abusive or hateful")
        OFF_TOPIC = "off_topic", _("Off topic")
        OTHER = "other", _("Something else")

    class Resolution(models.TextChoices):
        KEPT = "kept", _("Kept: the comment stays up")
        DECIDED = "decided", _("Closed by a moderator's decision")

    comment = models.ForeignKey(
        Comment, on_delete=models.CASCADE, related_name="reports", verbose_name=_("comment")
    )
    reader_key = models.CharField(_("reporter"), max_length=64)
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices)
    text = models.CharField(_("details"), max_length=500, blank=True)
    # The comment as the reporter read it: its author may edit it afterwards.
    body_at_report = models.TextField(_("text when reported"), blank=True)
    # Reports hide a comment by distinct networks, never by raw count (see report_threshold_check).
    network_hash = models.CharField(_("network hash"), max_length=64, blank=True)
    is_established = models.BooleanField(
        _("established reporter"),
        default=False,
        help_text=_("The reporter had an older cookie or account, or a visible comment."),
    )
    created_at = models.DateTimeField(_("reported at"), default=timezone.now)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    resolution = models.CharField(
        _("resolution"), max_length=10, choices=Resolution.choices, blank=True
    )
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("resolved by"),
    )

    objects = CommentReportQuerySet.as_manager()

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        constraints = [
            models.UniqueConstraint(fields=["comment", "reader_key"], name="one_report_per_reader")
        ]

    def __str__(self):
        return f"{self.get_reason_display()} report on {self.comment_id}"


# The bar a new site starts with (also installed by migration 0002, frozen there). The labels are
# stored in English and translated when shown (ReactionKind.display_label).
DEFAULT_REACTION_KINDS = [
    ("like", "👍", gettext_noop("Like")),
    ("love", "❤️", gettext_noop("Love")),
    ("laugh", "😂", gettext_noop("Funny")),
    ("wow", "😮", gettext_noop("Wow")),
    ("sad", "😢", gettext_noop("Sad")),
    ("angry", "😠", gettext_noop("Angry")),
]
STOCK_REACTION_LABELS = frozenset(label for _key, _emoji, label in DEFAULT_REACTION_KINDS)


def reaction_label(label):
    """Return a reaction's label in the reader's language.

    A stock label is translated; a label an editor wrote is theirs and shown as written (only the
    stock texts are in the catalogue, so an editor's "Privacy" is never turned into another word).
    """
    return gettext(label) if label in STOCK_REACTION_LABELS else label


class ReactionKindQuerySet(models.QuerySet):
    def enabled(self):
        return self.filter(enabled=True)

    def install_defaults(self):
        """Create the default reactions when none exist (a flushed or brand-new database)."""
        if not self.exists():
            self.bulk_create(
                self.model(key=key, emoji=emoji, label=label, position=position)
                for position, (key, emoji, label) in enumerate(DEFAULT_REACTION_KINDS)
            )


class ReactionKind(models.Model):
    """One button on the reaction bar. Counts hang on `key`, so editors may relabel or reorder."""

    key = models.SlugField(_("key"), max_length=20, unique=True)
    emoji = models.CharField(_("emoji"), max_length=16)
    label = models.CharField(_("label"), max_length=40)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    enabled = models.BooleanField(_("enabled"), default=True)

    objects = ReactionKindQuerySet.as_manager()

    class Meta:
        ordering = ["position", "key"]
        verbose_name = _("reaction kind")
        verbose_name_plural = _("reaction kinds")

    def __str__(self):
        return f"{self.emoji} {self.display_label}"

    @property
    def display_label(self):
        return reaction_label(self.label)


class ReactionQuerySet(models.QuerySet):
    def by_reader(self, reader_key):
        return self.filter(reader_key=reader_key)

    def counts(self):
        """Return {(article_id, kind): rows}: the truth every tally must equal."""
        rows = self.values_list("article_id", "kind").annotate(n=models.Count("id")).order_by()
        return {(article_id, kind): n for article_id, kind, n in rows}


class Reaction(models.Model):
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="reactions")
    reader_key = models.CharField(max_length=64)
    kind = models.CharField(max_length=20)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = ReactionQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["article", "reader_key"], name="one_reaction_per_reader"
            )
        ]
        indexes = [models.Index(fields=["article", "created_at"])]

    def __str__(self):
        return f"{self.kind} on {self.article_id}"


class ReactionTally(models.Model):
    """The running count of one reaction on one story, changed only with F() beside its rows."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="tallies")
    kind = models.CharField(max_length=20)
    count = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["article", "kind"], name="one_tally_per_kind"),
            models.CheckConstraint(condition=Q(count__gte=0), name="tally_not_negative"),
        ]

    def __str__(self):
        return f"{self.kind}: {self.count}"


# The moderation desk: settings, bans, reader profiles and the audit log.


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
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

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
        verbose_name_plural = _("bans")

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
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["display_name", "reader_key"]
        verbose_name = _("reader")
        verbose_name_plural = _("readers")

    def __str__(self):
        return self.display_name or self.reader_key


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
        Comment,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="actions",
        verbose_name=_("comment"),
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


class SpentToken(models.Model):
    """A posting token that has been used: a second post with it is a replay.

    The unique nonce lets the database decide between two workers racing with one token. A row
    is only needed until its token would be refused as too old anyway; then it is purged.
    """

    nonce = models.CharField(max_length=32, unique=True)
    expires_at = models.DateTimeField(db_index=True)

    def __str__(self):
        return self.nonce
