"""
The story page as a reader without an identity sees it: rendered once per change, then served
from the cache.

Readers with no session, no guest cookie and no pending messages all see the same page, except
for two per-request values: the CSRF token and the comment form's signed timestamp. The page is
rendered with a placeholder for each and they are filled in for every response, so a cached page
never carries one reader's token to another. Readers with an identity (their name, their held
comments, their likes, their reaction) always get a page rendered for them.

The key holds the story's `page_version`, which every write that changes what readers see bumps
in the same transaction (`Article.objects.filter(...).mark_changed()`), and `updated_at`, which
every save of the story changes; reading them is the one query of a cached page. What depends on
the clock alone (a comment's "3 minutes ago", other stories in "More stories", comments closing
on their date) is refreshed by the timeout, `NEWSROOM["STORY_CACHE_SECONDS"]`.
"""

import hashlib
import time
from functools import cache as once
from typing import NamedTuple

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.db import connection
from django.http import Http404
from django.middleware.csrf import get_token
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.crypto import salted_hmac
from django.utils.translation import get_language

from comments.forms import make_token
from comments.readers import COOKIE_NAME as READER_COOKIE

from .models import Article

# Query parameters that only choose which comments the page shows; anything else is rendered.
PAGE_PARAMETERS = {"sort", "after", "thread"}
# Most requests carry none of these; only those that do need the precondition checks.
CONDITIONAL_HEADERS = (
    "HTTP_IF_NONE_MATCH",
    "HTTP_IF_MATCH",
    "HTTP_IF_MODIFIED_SINCE",
    "HTTP_IF_UNMODIFIED_SINCE",
)


@once
def _placeholder(name):
    # Derived from the secret so every worker agrees and no reader can type one into a comment;
    # computed once per process, since the secret does not change under a running worker.
    return salted_hmac("articles.page_cache", name).hexdigest()


def csrf_placeholder():
    return _placeholder("csrf")


def timestamp_placeholder():
    return _placeholder("timestamp")


def is_cacheable(request):
    """Return whether the request is from a reader the page need not know."""
    identity = (settings.SESSION_COOKIE_NAME, READER_COOKIE, CookieStorage.cookie_name)
    return (
        settings.NEWSROOM["STORY_CACHE_SECONDS"] > 0
        and request.method in ("GET", "HEAD")
        and not any(name in request.COOKIES for name in identity)
        and set(request.GET) <= PAGE_PARAMETERS
    )


class Story(NamedTuple):
    """What the key needs of a published story: read without building a whole Article."""

    pk: int
    page_version: int
    updated_at: object


@once
def _lookup_sql():
    meta = Article._meta
    names = ("page_version", "updated_at", "slug", "status", "published_at")
    column = {"pk": meta.pk.column} | {name: meta.get_field(name).column for name in names}
    quote = connection.ops.quote_name
    return (
        f"SELECT {', '.join(quote(column[name]) for name in Story._fields)}"
        f" FROM {quote(meta.db_table)} WHERE {quote(column['slug'])} = %s"
        f" AND {quote(column['status'])} = %s AND {quote(column['published_at'])} <= %s"
    )


def lookup(slug):
    """Return the published story's Story, or raise Http404.

    The same filter as `Article.objects.published()`, written out once: compiling that ORM query
    cost more than everything else a cached page does.
    """
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    with connection.cursor() as cursor:
        cursor.execute(_lookup_sql(), [slug, Article.Status.PUBLISHED, now])
        row = cursor.fetchone()
    if row is None:
        raise Http404("No story found matching the query")
    return Story(*row)


def cache_key(request, article):
    path = hashlib.md5(request.get_full_path().encode(), usedforsecurity=False).hexdigest()
    # The raw value as the database returns it (a datetime, or text on SQLite): only a change of
    # it matters here. Without spaces, which some cache backends refuse in keys.
    changed = str(article.updated_at).replace(" ", "_")
    return f"story-page:{article.pk}:{article.page_version}:{changed}:{get_language()}:{path}"


def store(key, html):
    """Cache a page rendered with placeholders; return its entry.

    The page is kept as bytes with `%`-format slots where the placeholders were, so answering
    fills every slot in one pass in C, with nothing to encode.
    """
    etag = f'"{hashlib.md5(html.encode(), usedforsecurity=False).hexdigest()}"'
    template = (
        html.replace("%", "%%")
        .replace(csrf_placeholder(), "%(csrf)s")
        .replace(timestamp_placeholder(), "%(ts)s")
        .encode()
    )
    entry = {"template": template, "etag": etag}
    cache.set(key, entry, settings.NEWSROOM["STORY_CACHE_SECONDS"])
    return entry


_last_form_token = (None, None)


def form_token(story_pk):
    """Return the comment form's signed timestamp, signed once per story and second.

    `make_token` is a pure function of the story and the whole second, so every reader served in
    the same second gets the same token whether it is signed again or not.
    """
    global _last_form_token
    now = int(time.time())
    memo_key, token = _last_form_token
    if memo_key != (story_pk, now):
        token = make_token(StoryRef(story_pk), issued_at=now)
        _last_form_token = ((story_pk, now), token)
    return token


class StoryRef(NamedTuple):
    pk: int


def respond(request, article, entry, response_class):
    """Answer from a cached entry: 304 if the reader has it, else the page with fresh tokens."""
    etag = entry["etag"]
    response = None
    if any(header in request.META for header in CONDITIONAL_HEADERS):
        response = get_conditional_response(request, etag=etag)
    if response is None:
        tokens = {
            b"csrf": get_token(request).encode(),
            b"ts": form_token(article.pk).encode(),
        }
        response = response_class(entry["template"] % tokens)
    response["ETag"] = etag
    # Browsers may keep the page but must ask again; the ETag makes asking cheap.
    response["Cache-Control"] = "no-cache"
    patch_vary_headers(response, ["Cookie"])
    return response
