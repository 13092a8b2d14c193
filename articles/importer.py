"""Turn a plain-text story, shaped like the wire copy newsrooms paste, into an Article."""

import re
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from .models import Article, ArticleLink, Tag, teasers_changed

PROMPT = "What do you think?"
CAPTION_MAX = 200
VIDEO_LINE = re.compile(r"^Videos? by\b", re.IGNORECASE)
RELATED_LINE = re.compile(r"^RELATED:\s*(?P<title>.+)$")
# A tag line is names only: capitalised words, nothing a sentence or a headline would need.
NAME_WORD = re.compile(r"^[^\W\d_][\w'’.-]*$")
HEADLINE_WORDS = frozenset(
    "a an and as at by for from in into is are of on or over says the to was were with".split()
)
LONGEST_TAG_WORDS = 4


class StoryImportError(Exception):
    """A story file that cannot be imported; the message names the file and the reason."""


@dataclass
class ParsedStory:
    headline: str
    caption: str = ""
    video_credit: str = ""
    reaction_prompt: str = PROMPT
    paragraphs: list = field(default_factory=list)
    related: list = field(default_factory=list)  # (title, paragraphs before it)
    teasers: list = field(default_factory=list)
    tags: list = field(default_factory=list)


def read_text(path):
    try:
        data = Path(path).read_bytes()
    except OSError as error:
        raise StoryImportError(f"{path}: cannot read file ({error.strerror or error}).") from error
    if not data.strip():
        raise StoryImportError(f"{path}: file is empty.")
    if b"\x00" in data:
        raise StoryImportError(f"{path}: looks like a binary file, not a plain-text story.")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise StoryImportError(f"{path}: is not UTF-8 text ({error.reason}).") from error


def blocks_of(text):
    """Split text into its non-empty lines; the wire format puts one block on each line."""
    return [" ".join(line.split()) for line in text.splitlines() if line.strip()]


def looks_like_caption(block):
    return len(block) <= CAPTION_MAX and not block.endswith((".", "!", "?", ":", "”", '"'))


def tag_names(block, *, known=frozenset()):
    """Return the names on a line of bare name tags, or None if the line is not one.

    Wire copy puts the story's tags after the teasers as one run of names with nothing between
    them ("Kate Middleton Meghan Markle Prince Harry Prince William"), so where one name ends is
    a guess. The rule: every word is capitalised, and none is a word a headline needs ("the",
    "says", "of"...); the line then splits, left to right, into tags we already know (`known`,
    compared in lower case, longest first) and two-word names (a first name and a surname).
    A line that leaves a word over is a headline, not tags: "Prince Harry Meets Meghan Markle"
    stays a teaser. A three-word name ("Donald Trump Jr") is read right once it is a known tag.
    """
    words = block.split()
    if len(words) < 2 or any(
        not NAME_WORD.match(word) or not word[0].isupper() or word.casefold() in HEADLINE_WORDS
        for word in words
    ):
        return None
    names, at = [], 0
    while at < len(words):
        for size in range(min(LONGEST_TAG_WORDS, len(words) - at), 0, -1):
            if " ".join(words[at : at + size]).casefold() in known:
                break
        else:
            size = 2
        if at + size > len(words):
            return None
        names.append(" ".join(words[at : at + size]))
        at += size
    return names


def parse_story(text, *, name="story", known_tags=frozenset()):
    blocks = blocks_of(text)
    if not blocks:
        raise StoryImportError(f"{name}: file is empty.")
    headline, rest = blocks[0], blocks[1:]
    if len(headline) > 300:
        raise StoryImportError(f"{name}: the first line is too long to be a headline.")
    story = ParsedStory(headline=headline)
    if rest and looks_like_caption(rest[0]):
        story.caption, rest = rest[0], rest[1:]
    after_prompt = False
    for block in rest:
        if after_prompt and (names := tag_names(block, known=known_tags)):
            story.tags += [name for name in names if name not in story.tags]
        elif after_prompt:
            story.teasers.append(block)
        elif block.rstrip() == PROMPT:
            story.reaction_prompt = block
            after_prompt = True
        elif VIDEO_LINE.match(block) and len(block) <= 100:
            story.video_credit = block
        elif match := RELATED_LINE.match(block):
            story.related.append((match["title"].strip(), len(story.paragraphs)))
        else:
            story.paragraphs.append(block)
    if not story.paragraphs:
        raise StoryImportError(f"{name}: has a headline but no body paragraphs.")
    return story


def unique_slug(headline, *, exclude_pk=None):
    base = slugify(headline)[:190] or "story"
    slug, n = base, 1
    taken = Article.objects.exclude(pk=exclude_pk)
    while taken.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


@transaction.atomic
def article_import(*, path, publish=True):
    """Create or update the Article for one story file; return (article, created)."""
    path = Path(path)
    text = read_text(path)
    known = {name.casefold() for name in Tag.objects.values_list("name", flat=True)}
    story = parse_story(text, name=str(path), known_tags=known)
    article = Article.objects.filter(source_name=path.name).first()
    created = article is None
    if created:
        article = Article(source_name=path.name)
    article.headline = story.headline
    article.slug = article.slug or unique_slug(story.headline)
    article.caption = story.caption
    article.video_credit = story.video_credit
    article.reaction_prompt = story.reaction_prompt
    article.body = "\n\n".join(story.paragraphs)
    if publish and article.status != Article.Status.PUBLISHED:
        article.status = Article.Status.PUBLISHED
        article.published_at = article.published_at or timezone.now()
    article.save()
    article.tags.set(Tag.named(story.tags))
    article.links.all().delete()
    ArticleLink.objects.bulk_create(
        [
            ArticleLink(article=article, kind=ArticleLink.Kind.RELATED, title=title, position=at)
            for title, at in story.related
        ]
        + [
            # No URL: the story page links a teaser to its story while that story is published
            # here (Article.teasers), including one published after this import.
            ArticleLink(article=article, kind=ArticleLink.Kind.TEASER, title=title, position=index)
            for index, title in enumerate(story.teasers)
        ]
    )
    teasers_changed()
    return article, created
