from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from articles.models import Article


class CommentQuerySet(models.QuerySet):
    def visible(self):
        """Comments every reader may see: approved, or deleted by their author (as placeholder)."""
        return self.filter(status=Comment.Status.APPROVED)

    def pending(self):
        return self.filter(status=Comment.Status.PENDING)

    def in_moderation(self):
        return self.pending()

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
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(depth=0, parent__isnull=True, thread__isnull=True)
                | Q(depth__gt=0, parent__isnull=False, thread__isnull=False),
                name="comment_thread_shape",
            ),
        ]

    def __str__(self):
        return f"{self.author_name}: {self.body[:60]}"

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

    def is_by(self, reader_key):
        """Return whether the reader with this key wrote the comment (account or guest cookie)."""
        return bool(reader_key) and self.reader_key == reader_key

    @property
    def edit_window_ends_at(self):
        minutes = settings.NEWSROOM["COMMENT_EDIT_WINDOW_MINUTES"]
        return self.created_at + timedelta(minutes=minutes)

    def is_editable(self):
        return not self.is_deleted and timezone.now() < self.edit_window_ends_at


class CommentLike(models.Model):
    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="likes")
    reader_key = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["comment", "reader_key"], name="one_like_per_reader")
        ]

    def __str__(self):
        return f"{self.reader_key} likes {self.comment_id}"


class CommentReport(models.Model):
    class Reason(models.TextChoices):
        SPAM = "spam", _("Spam")
        ABUSE = "abuse", _("Abusive or hateful")
        OFF_TOPIC = "off_topic", _("Off topic")
        OTHER = "other", _("Something else")

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="reports")
    reader_key = models.CharField(max_length=64)
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices)
    text = models.CharField(_("details"), max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["comment", "reader_key"], name="one_report_per_reader")
        ]

    def __str__(self):
        return f"{self.get_reason_display()} report on {self.comment_id}"


class ReactionKind(models.Model):
    """One button on the reaction bar. Counts hang on `key`, so editors may relabel or reorder."""

    key = models.SlugField(_("key"), max_length=20, unique=True)
    emoji = models.CharField(_("emoji"), max_length=16)
    label = models.CharField(_("label"), max_length=40)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    enabled = models.BooleanField(_("enabled"), default=True)

    class Meta:
        ordering = ["position", "key"]
        verbose_name = _("reaction kind")

    def __str__(self):
        return f"{self.emoji} {self.label}"


class Reaction(models.Model):
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="reactions")
    reader_key = models.CharField(max_length=64)
    kind = models.CharField(max_length=20)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(default=timezone.now)

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
