from datetime import timedelta
from typing import NamedTuple
from urllib.parse import urlsplit

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from newsroom.prepared import prepared, update


def safe_href(url):
    """Return `url` if a browser would open it as a page or site path, else an empty string.

    Links are stored as free text (a site path or a full URL), so a `javascript:` or `data:`
    target typed or imported by mistake must not become a live link.
    """
    try:
        scheme = urlsplit(url.strip()).scheme.lower()
    except ValueError:
        return ""
    return url if scheme in {"", "http", "https"} else ""


class ArticleQuerySet(models.QuerySet):
    def published(self, now=None):
        return self.filter(status=Article.Status.PUBLISHED, published_at__lte=now or timezone.now())

    def mark_changed(self):
        """Tell cached story pages that what readers see on these stories has changed."""
        return self.update(page_version=NEXT_PAGE_VERSION)

    def named_by(self, titles):
        """Stories a teaser could name: by headline, case and spacing aside, or by slug."""
        titles = [title for title in titles if title.strip()]
        if not titles:
            return self.none()
        match = Q(slug__in={slugify(title) for title in titles} - {""})
        for title in {headline_key(title) for title in titles}:
            match |= Q(headline__iexact=title)
        return self.filter(match)

    def with_teasers(self):
        return self.filter(pk__in=ArticleLink.objects.teasers().values("article_id"))


def headline_key(text):
    """A headline as teasers are matched on it: its words, case aside."""
    return " ".join(text.split()).casefold()


def teasers_changed():
    """Tell the cached pages that show teasers that a story a teaser may name has changed.

    Called where a story is published, unpublished, renamed or deleted (the admin, the importer):
    a teaser becomes a link, or stops being one, on every page at once. Publishing is rare, so
    redrawing every page with teasers beats tracking which teaser names which story. A story
    whose publication time arrives by itself is picked up when cached pages expire, like the
    rest of "More stories".
    """
    return Article.objects.with_teasers().mark_changed()


class Teaser(NamedTuple):
    title: str
    href: str


NEXT_PAGE_VERSION = F("page_version") + 1


class Article(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    class ModerationMode(models.TextChoices):
        SITE_DEFAULT = "", _("Site default")
        PRE = "pre", _("Pre-moderate every comment")
        FIRST = "first", _("Pre-moderate first-time commenters")
        POST = "post", _("Post-moderate (publish at once)")

    headline = models.CharField(_("headline"), max_length=300)
    slug = models.SlugField(_("slug"), max_length=200, unique=True)
    standfirst = models.TextField(_("standfirst"), blank=True)
    caption = models.CharField(
        _("caption"), max_length=300, blank=True, help_text=_("Photo caption or summary line.")
    )
    image_url = models.URLField(_("image URL"), blank=True)
    image_alt = models.CharField(_("image alt text"), max_length=300, blank=True)
    video_url = models.URLField(_("video URL"), blank=True)
    video_credit = models.CharField(_("video credit"), max_length=200, blank=True)
    byline = models.CharField(_("byline"), max_length=200, blank=True)
    body = models.TextField(_("body"), help_text=_("Separate paragraphs with a blank line."))
    reaction_prompt = models.CharField(
        _("reader prompt"), max_length=200, default=_("What do you think?")
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)

    comments_enabled = models.BooleanField(
        _("comments open"), default=True, help_text=_("Switch off to close comments now.")
    )
    comments_close_after_days = models.PositiveIntegerField(
        _("close comments after (days)"),
        null=True,
        blank=True,
        help_text=_("Leave empty for the site default; 0 keeps comments open."),
    )
    moderation_mode = models.CharField(
        _("moderation mode"),
        max_length=10,
        choices=ModerationMode.choices,
        default=ModerationMode.SITE_DEFAULT,
        blank=True,
    )
    reactions_enabled = models.BooleanField(_("reactions on"), default=True)

    source_name = models.CharField(
        _("imported from"),
        max_length=255,
        unique=True,
        null=True,
        blank=True,
        editable=False,
        help_text=_("File name of an imported story, so re-importing updates it."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Bumped by every write that changes what readers see below the story (comments, likes,
    # reactions, moderation); with `updated_at` it keys the cached page (articles.page_cache).
    page_version = models.PositiveBigIntegerField(default=0, editable=False)
    tags = models.ManyToManyField(
        "Tag", verbose_name=_("tags"), blank=True, related_name="articles"
    )

    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-id"]
        indexes = [models.Index(fields=["status", "-published_at"])]
        verbose_name = _("story")
        verbose_name_plural = _("stories")

    def __str__(self):
        return self.headline

    def get_absolute_url(self):
        return reverse("articles:detail", kwargs={"slug": self.slug})

    def is_published(self):
        return (
            self.status == self.Status.PUBLISHED
            and self.published_at is not None
            and self.published_at <= timezone.now()
        )

    @property
    def paragraphs(self):
        return [p.strip() for p in self.body.replace("\r\n", "\n").split("\n\n") if p.strip()]

    def body_blocks(self):
        """Return the body as ("paragraph", text) and ("related", links) blocks in reading order.

        A related link's position is the number of paragraphs that come before it.
        """
        paragraphs = self.paragraphs
        related = {}
        for link in self.links.all():
            if link.kind == ArticleLink.Kind.RELATED:
                related.setdefault(min(link.position, len(paragraphs)), []).append(link)
        blocks = []
        for index, text in enumerate(paragraphs):
            if index in related:
                blocks.append(("related", related[index]))
            blocks.append(("paragraph", text))
        if len(paragraphs) in related:
            blocks.append(("related", related[len(paragraphs)]))
        return blocks

    @property
    def video_href(self):
        return safe_href(self.video_url)

    def teasers(self):
        """Return the next-story teasers as Teasers, each linked to its story when we have it.

        An editor's own URL wins; otherwise the published story whose headline (case and spacing
        aside) or slug the teaser names. One query for all of them, none without teasers.
        """
        links = [link for link in self.links.all() if link.kind == ArticleLink.Kind.TEASER]
        unlinked = [link.title for link in links if not link.href]
        stories = Article.objects.published().exclude(pk=self.pk).named_by(unlinked)
        by_name = {}
        for story in stories.only("headline", "slug") if unlinked else ():
            by_name.setdefault(headline_key(story.headline), story)
            by_name.setdefault(story.slug, story)
        teasers = []
        for link in links:
            story = by_name.get(headline_key(link.title)) or by_name.get(slugify(link.title))
            href = link.href or (story.get_absolute_url() if story else "")
            teasers.append(Teaser(link.title, href))
        return teasers

    @property
    def comments_close_at(self):
        days = self.comments_close_after_days
        if days is None:
            days = settings.NEWSROOM["COMMENTS_CLOSE_AFTER_DAYS"]
        if not days or self.published_at is None:
            return None
        return self.published_at + timedelta(days=days)

    @property
    def comments_open(self):
        if not self.comments_enabled or not self.is_published():
            return False
        close_at = self.comments_close_at
        return close_at is None or timezone.now() < close_at

    @property
    def reactions_open(self):
        return self.reactions_enabled and self.is_published()

    @property
    def effective_moderation_mode(self):
        return self.moderation_mode or settings.NEWSROOM["MODERATION_MODE"]


# What every write runs, compiled once per process (see newsroom/prepared.py).


@prepared
def published_story(slug, now):
    """The published story with this slug, as the write path looks it up: `.first(slug, now)`."""
    return Article.objects.published(now=now).filter(slug=slug)


@prepared
def _bump_page_version(pk):
    return update(Article.objects.filter(pk=pk), page_version=NEXT_PAGE_VERSION)


def story_changed(pk):
    """`Article.objects.filter(pk=pk).mark_changed()` for one story, as every reader write does."""
    return _bump_page_version.execute(pk)


class Tag(models.Model):
    """A name a story is about (a person, a place, a topic), shown with the story."""

    name = models.CharField(_("name"), max_length=100)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(Lower("name"), name="tag_name_unique_any_case")]
        verbose_name = _("tag")

    def __str__(self):
        return self.name

    @classmethod
    def named(cls, names):
        """Return the tags with these names, in their order, making the ones we lack."""
        tags = []
        for name in names:
            name = " ".join(name.split())[: cls._meta.get_field("name").max_length]
            tag = cls.objects.filter(name__iexact=name).first()
            tags.append(tag or cls.objects.create(name=name))
        return tags


class ArticleLinkQuerySet(models.QuerySet):
    def teasers(self):
        return self.filter(kind=ArticleLink.Kind.TEASER)


class ArticleLink(models.Model):
    """A related link inside the story, or a teaser for the next story, in editor's order."""

    class Kind(models.TextChoices):
        RELATED = "related", _("Related")
        TEASER = "teaser", _("Next-story teaser")

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="links")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.RELATED)
    title = models.CharField(_("title"), max_length=300)
    url = models.CharField(
        _("URL"), max_length=500, blank=True, help_text=_("Full URL or a site path.")
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    objects = ArticleLinkQuerySet.as_manager()

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("link")

    def __str__(self):
        return self.title

    @property
    def href(self):
        return safe_href(self.url)
