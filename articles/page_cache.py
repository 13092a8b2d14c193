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
from typing import NamedTuple

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.http import Http404
from django.middleware.csrf import get_token
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.crypto import salted_hmac
from django.utils.translation import get_language

from comments.forms import make_token
from comments.readers import COOKIE_NAME as READER_COOKIE

from .models import Article

# Query parameters that only choose which comments the page shows; anything else is rendered.
PAGE_PARAMETERS = {"sort", "after", "thread"}


def _placeholder(name):
    # Derived from the secret so every worker agrees and no reader can type one into a comment.
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


def lookup(slug):
    """Return the published story's Story, or raise Http404."""
    fields = Story._fields
    row = Article.objects.published().filter(slug=slug).values_list(*fields).first()
    if row is None:
        raise Http404("No story found matching the query")
    return Story(*row)


def cache_key(request, article):
    path = hashlib.md5(request.get_full_path().encode(), usedforsecurity=False).hexdigest()
    changed = article.updated_at.timestamp()
    return f"story-page:{article.pk}:{article.page_version}:{changed}:{get_language()}:{path}"


def store(key, html):
    """Cache a page rendered with placeholders; return its entry."""
    etag = f'"{hashlib.md5(html.encode(), usedforsecurity=False).hexdigest()}"'
    entry = {"html": html, "etag": etag}
    cache.set(key, entry, settings.NEWSROOM["STORY_CACHE_SECONDS"])
    return entry


def respond(request, article, entry, response_class):
    """Answer from a cached entry: 304 if the reader has it, else the page with fresh tokens."""
    response = get_conditional_response(request, etag=entry["etag"])
    if response is None:
        html = (
            entry["html"]
            .replace(csrf_placeholder(), get_token(request))
            .replace(timestamp_placeholder(), make_token(article))
        )
        response = response_class(html)
    response["ETag"] = entry["etag"]
    # Browsers may keep the page but must ask again; the ETag makes asking cheap.
    response["Cache-Control"] = "no-cache"
    patch_vary_headers(response, ["Cookie"])
    return response
