"""
What embedding does beyond showing a story: stories made for pages, signed page URLs, counts for
listing pages, and moving one story's conversation into another.
"""

import hashlib
import hmac
import logging
import re
import unicodedata
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from articles.models import Article, ArticleLink
from comments import ratelimits
from comments.models import Comment, Reaction
from comments.reactions import reaction_recount
from comments.readers import Reader

from .models import MAX_URL_LENGTH, EmbeddedPage, EmbedSite, allowed_origins, parse_origin

logger = logging.getLogger(__name__)

# Query parameters that only say how a reader arrived, never which page they are on.
TRACKING = re.compile(
    r"^(utm_\w*|fbclid|gclid|dclid|gbraid|wbraid|msclkid|yclid|mc_cid|mc_eid|igshid|_ga|_gl"
    r"|ref_src|ref_url|cmpid|ocid)$",
    re.IGNORECASE,
)
DEFAULT_PORTS = {"http": 80, "https": 443}
MAX_TITLE = 300
MAX_KEYS = 100  # stories one count request may ask about


class EmbedRefused(Exception):
    """The page may not have a conversation here; `message` says why, `status` how to answer."""

    def __init__(self, message, *, status=400, retry_after=None):
        super().__init__(message)
        self.message = message
        self.status = status
        self.retry_after = retry_after


def _has_control(text):
    return any(unicodedata.category(char) in {"Cc", "Cf", "Cs", "Co"} for char in text)


def normalise_url(url):
    """Return the page's canonical URL as stories are keyed by it, or raise ValueError.

    Scheme and host lowercase, the default port and the fragment dropped, an empty path "/",
    tracking parameters dropped and the others kept in their order.
    """
    if not isinstance(url, str) or not url or len(url) > MAX_URL_LENGTH or _has_control(url):
        raise ValueError(url)
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    origin = parse_origin(f"{scheme}://{parts.netloc}")  # raises ValueError on a bad host
    host = origin.split("://", 1)[1]
    if (port := DEFAULT_PORTS.get(scheme)) and host.endswith(f":{port}"):
        host = host.removesuffix(f":{port}")
    query = [
        (k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not TRACKING.match(k)
    ]
    return urlunsplit((scheme, host, parts.path or "/", urlencode(query), ""))


def origin_of(url):
    parts = urlsplit(url)
    return parse_origin(f"{parts.scheme}://{parts.netloc}")


def _origin_or_none(url):
    try:
        return origin_of(url)
    except ValueError:
        return None


def clean_title(title, url):
    """Return a headline from the page's title: no control characters, one line, 300 at most."""
    title = title if isinstance(title, str) else ""
    text = "".join(" " if _has_control(char) else char for char in title[: MAX_TITLE * 4])
    text = " ".join(text.split())[:MAX_TITLE].strip()
    if not text:
        parts = urlsplit(url)
        text = f"{parts.hostname}{parts.path}"[:MAX_TITLE]
    return text


def url_signature(secret, url, expires):
    """Return the signature a CMS puts beside a page URL: HMAC-SHA256 of "url\\nexpires"."""
    message = f"{url}\n{expires}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def signature_valid(site, url, expires, signature, *, now=None):
    """Return whether `signature` signs `url` until `expires` (a Unix time still ahead)."""
    if not site.secret or not isinstance(signature, str) or not str(expires).isdigit():
        return False
    if len(str(expires)) > 12 or int(expires) <= (now or timezone.now()).timestamp():
        return False
    expected = url_signature(site.secret, url, int(expires))
    return hmac.compare_digest(expected, signature.strip().lower())


def frame_ancestors():
    """Return the `frame-ancestors` source list: the origins of the active sites, or 'none'."""
    origins = sorted(allowed_origins())
    return " ".join(origins) if origins else "'none'"


def frame_policy():
    """Return the Content-Security-Policy of a page shown in an embedding site's frame."""
    ancestors = f"frame-ancestors {frame_ancestors()}"
    return re.sub(r"frame-ancestors [^;]*", ancestors, settings.CONTENT_SECURITY_POLICY)


def page_story(*, url, title="", expires="", signature="", ip="", referer="", now=None):
    """Return the published story for a page URL, making it the first time an allowed page asks.

    Raise EmbedRefused when the URL is not a page of an active site, when the site makes no
    stories for its pages, when a signed site's URL is not signed (or its signature expired), or
    when one network makes stories too fast, or when the page that asks (its Referer, which
    browsers send as the origin of the embedding page) is not one of the site's. Two first
    requests for one page make one story: the page's URL is unique, and the loser of that race
    reads the winner's.
    """
    try:
        url = normalise_url(url)
        origin = origin_of(url)
    except ValueError:
        raise EmbedRefused(_("This is not a web page address.")) from None
    page = EmbeddedPage.objects.select_related("article").filter(url=url).first()
    if page is not None:
        if not page.article.is_published():
            raise EmbedRefused(_("There is no conversation for this page."), status=404)
        return page.article
    site = EmbedSite.objects.active().for_origin(origin)
    if site is None:
        raise EmbedRefused(_("This site may not embed conversations."), status=403)
    if referer and _origin_or_none(referer) not in site.origin_list:
        raise EmbedRefused(
            _("Only the site's own pages may ask for their conversation."), status=403
        )
    if not site.auto_create_stories:
        raise EmbedRefused(_("There is no conversation for this page."), status=404)
    if site.is_signed and not signature_valid(site, url, expires, signature, now=now):
        raise EmbedRefused(
            _("This page's address is not signed, or its signature expired."), status=403
        )
    try:
        network = Reader(key="", ip=ip).network_hash
        rate = settings.NEWSROOM["EMBED_PAGE_RATE"]
        ratelimits.enforce_each("embed:page-story", [("network", network, rate)])
    except ratelimits.RateLimited as limited:
        raise EmbedRefused(
            _("Too many new pages from your network. Try again later."),
            status=429,
            retry_after=limited.retry_after,
        ) from None
    return _create_page_story(site, url, clean_title(title, url), now or timezone.now())


def _create_page_story(site, url, headline, now):
    digest = hashlib.sha256(url.encode()).hexdigest()[:12]
    slug = f"{slugify(headline)[:80].strip('-') or 'page'}-{digest}"
    try:
        with transaction.atomic():
            article = Article.objects.create(
                headline=headline,
                slug=slug,
                body="",
                status=Article.Status.PUBLISHED,
                published_at=now,
            )
            ArticleLink.objects.create(
                article=article,
                title=_("Read the story on %(host)s") % {"host": urlsplit(url).hostname},
                url=url,
            )
            EmbeddedPage.objects.create(site=site, url=url, article=article)
    except IntegrityError:  # another request made it first: theirs is the page's story
        page = EmbeddedPage.objects.select_related("article").filter(url=url).first()
        if page is None:
            raise
        return page.article
    logger.info("Made story %s for embedded page %s", article.pk, url)
    return article


def comment_counts(keys):
    """Return {key: live comment count} for slugs and page URLs of published stories.

    A key that names no published story is left out. Two queries whatever the number of keys.
    """
    keys = [
        key
        for key in dict.fromkeys(keys)
        if isinstance(key, str) and 0 < len(key) <= MAX_URL_LENGTH
    ][:MAX_KEYS]
    by_url = {}
    for key in keys:
        if "://" in key:
            try:
                by_url[normalise_url(key)] = key
            except ValueError:
                continue
    slugs = [key for key in keys if "://" not in key]
    published = Article.objects.published().annotate(n=Comment.objects.count_for())
    pages = EmbeddedPage.objects.filter(url__in=by_url, article__in=Article.objects.published())
    pages = pages.annotate(n=Comment.objects.count_for("article_id")).values_list("url", "n")
    counts = {by_url[url]: n for url, n in pages}
    if slugs:
        counts.update(published.filter(slug__in=slugs).values_list("slug", "n"))
    return counts


def story_merge(*, source, target):
    """Move the conversation of `source` into `target`, and its pages; close `source`.

    Comments (with their replies, likes and reports) move as they are. A reader who reacted to
    both keeps their reaction on `target`; the others' reactions move, and the tallies of both
    stories are recounted from the rows, so they stay exact. Both stories' cached pages change.
    Return (comments moved, reactions moved).
    """
    if source.pk == target.pk:
        raise ValueError(_("A story cannot be merged into itself."))
    with transaction.atomic():
        # Lock both stories in key order, so two merges the other way round cannot deadlock.
        list(
            Article.objects.select_for_update().filter(pk__in=[source.pk, target.pk]).order_by("pk")
        )
        moved = Comment.objects.filter(article_id=source.pk).update(article_id=target.pk)
        both = Reaction.objects.filter(article_id=target.pk).values("reader_key")
        Reaction.objects.filter(article_id=source.pk, reader_key__in=both).delete()
        reacted = Reaction.objects.filter(article_id=source.pk).update(article_id=target.pk)
        reaction_recount(article_ids=[source.pk, target.pk])
        EmbeddedPage.objects.filter(article_id=source.pk).update(article_id=target.pk)
        Article.objects.filter(pk=source.pk).update(comments_enabled=False, reactions_enabled=False)
        Article.objects.filter(pk__in=[source.pk, target.pk]).mark_changed()
    return moved, reacted
