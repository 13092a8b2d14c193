"""Reactions: the kinds on the bar, each reader's reaction and the tallies per story."""

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from articles.models import Article

# The bar a new site starts with (also installed by migration 0002, frozen there).
DEFAULT_REACTION_KINDS = [
    ("like", "👍", "Like"),
    ("love", "❤️", "Love"),
    ("laugh", "😂", "Funny"),
    ("wow", "😮", "Wow"),
    ("sad", "😢", "Sad"),
    ("angry", "😠", "Angry"),
]


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

    def __str__(self):
        return f"{self.emoji} {self.label}"


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
