"""Comments and what readers attach to them: revisions, likes and reports."""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.db.models.functions import Coalesce
from django.db.models.lookups import GreaterThan
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from articles.models import Article

from ..text import text_hash

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

    def picks(self):
        """Editor's picks readers see: live comments an editor featured, at any depth."""
        return self.live().filter(is_featured=True)

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

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="comments")
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="replies"
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
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["article", "status", "parent", "created_at", "id"]),
            models.Index(fields=["article", "status", "parent", "like_count", "id"]),
            models.Index(fields=["status", "created_at"]),
            models.Index(fields=["text_hash", "created_at"]),
            # A reader's own comments on one story, read for every page they are served.
            models.Index(fields=["reader_key", "article"], name="comment_by_reader_on_story"),
            # The newest decisions on one story: what an open page's poll is sent (articles.live).
            models.Index(
                fields=["article", "status", "decided_at"], name="comment_decided_on_story"
            ),
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

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="revisions")
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

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="reports")
    reader_key = models.CharField(max_length=64)
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
    created_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)
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
        constraints = [
            models.UniqueConstraint(fields=["comment", "reader_key"], name="one_report_per_reader")
        ]

    def __str__(self):
        return f"{self.get_reason_display()} report on {self.comment_id}"
