"""
The story page as a reader without an identity sees it: rendered once per change, then served
from the cache.

Readers with no session, no guest cookie and no pending messages all see the same page, except
for two per-request values: the CSRF token and the comment form's signed timestamp. The page is
rendered with a placeholder for each and they are filled in for every response, so a cached page
never carries one reader's token to another. The form's token is signed afresh for each
response, bound to the CSRF secret that response carries (see comments.tokens). Readers with an
identity (their name, their held comments, their likes, their reaction) are served the same page
with their own part laid over it: articles.story_page.

The key holds the story's `page_version`, which every write that changes what readers see bumps
in the same transaction (`Article.objects.filter(...).mark_changed()`), and `updated_at`, which
every save of the story changes; reading them is the one query of a cached page. What depends on
the clock alone (a comment's "3 minutes ago", other stories in "More stories", comments closing
on their date) is refreshed by the timeout, `NEWSROOM["STORY_CACHE_SECONDS"]`.
"""

import hashlib
import re
import secrets
import struct
import threading
import time
import zlib
from functools import cache as once
from typing import NamedTuple

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache, caches
from django.http import Http404
from django.middleware.csrf import CSRF_ALLOWED_CHARS, CSRF_SECRET_LENGTH, CSRF_TOKEN_LENGTH
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.crypto import salted_hmac
from django.utils.translation import get_language

from comments.readers import COOKIE_NAME as READER_COOKIE
from comments.threads import names_a_page
from comments.tokens import BROWSER_LENGTH, browser_of, make_token
from newsroom.cache import is_shared
from newsroom.prepared import prepared

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


def placeholder(name):
    """Return a placeholder no reader can type, for a value filled in after rendering."""
    return _placeholder(name)


def csrf_placeholder():
    return _placeholder("csrf")


def timestamp_placeholder():
    return _placeholder("timestamp")


def serves(request):
    """Return whether the request may be answered from the shared page (with or without a
    reader's part laid over it, see articles.story_page)."""
    return settings.NEWSROOM["STORY_CACHE_SECONDS"] > 0 and request.method in ("GET", "HEAD")


def is_cacheable(request):
    """Return whether the request is from a reader the page need not know."""
    identity = (settings.SESSION_COOKIE_NAME, READER_COOKIE, CookieStorage.cookie_name)
    return serves(request) and not any(name in request.COOKIES for name in identity)


class Story(NamedTuple):
    """What the key needs of a published story: read without building a whole Article."""

    pk: int
    page_version: int
    updated_at: object


@prepared
def _story_key(slug, now):
    published = Article.objects.published(now=now).filter(slug=slug)
    return published.values_list(*Story._fields)


def lookup(slug):
    """Return the published story's Story, or raise Http404.

    Read without building an Article: the row as the database returns it is all the key needs.
    """
    row = _story_key.first_row(slug, timezone.now())
    if row is None:
        raise Http404("No story found matching the query")
    return Story(*row)


def cache_key(request, article):
    """Return the page's key, or None when its query values name no page of the story.

    Only values that name something that exists make a key (a known sort, a real thread, a real
    cursor; see `names_a_page`), so no one can fill the cache by inventing values; a page they
    ask for is rendered for them alone. The key holds the values that choose the page, not the
    query string, so repeating or reordering them does not make another entry.
    """
    sort, cursor, thread = (request.GET.get(name) for name in ("sort", "after", "thread"))
    if request.META.get("QUERY_STRING") and not (
        set(request.GET) <= PAGE_PARAMETERS
        and names_a_page(article.pk, sort=sort, cursor=cursor, thread=thread)
    ):
        return None
    # The raw value as the database returns it (a datetime, or text on SQLite): only a change of
    # it matters here. Without spaces, which some cache backends refuse in keys.
    changed = str(article.updated_at).replace(" ", "_")
    page = f"{request.path}:{sort or ''}:{cursor or ''}:{thread or ''}"
    return f"story-page-2:{article.pk}:{article.page_version}:{changed}:{get_language()}:{page}"


def as_template(html):
    """Return rendered HTML as bytes whose `%`-format slots take each response's tokens."""
    return (
        html.replace("%", "%%")
        .replace(csrf_placeholder(), "%(csrf)s")
        .replace(timestamp_placeholder(), "%(ts)s")
        .encode()
    )


def store(key, html, story_pk, *, reader_parts=None):
    """Cache a page rendered with placeholders; return its entry.

    The page is kept as bytes with `%`-format slots where the placeholders were, so answering
    fills every slot in one pass in C, with nothing to encode; and gzipped once, for the readers
    whose browsers accept it (nearly all), see `_gzip_parts`.
    """
    etag = f'"{hashlib.md5(html.encode(), usedforsecurity=False).hexdigest()}"'
    template = as_template(html)
    slot_lengths = {
        "csrf": CSRF_TOKEN_LENGTH,
        "ts": len(form_token(story_pk, "0" * BROWSER_LENGTH)),
    }
    timeout = settings.NEWSROOM["STORY_CACHE_SECONDS"]
    entry = {
        "template": template,
        "etag": etag,
        "gzip": _gzip_parts(html, slot_lengths),
        "expires": time.time() + timeout,
        # What articles.story_page needs to lay a known reader's part over the same page.
        "reader_parts": reader_parts,
    }
    if is_shared(caches["default"]):
        cache.set(key, entry, timeout)
    _remember(key, entry)
    return entry


# The pages this worker served last, kept as they are: reading one back from the cache means
# unpickling 110 KiB, or fetching it from Redis. A key names one version of one page (the story's
# page_version and updated_at are in it), so a kept entry is never out of date; it is only kept
# until it expires in the cache too, for what the clock alone changes on the page. They take at
# most NEWSROOM["PAGE_CACHE_WORKER_BYTES"]; the oldest go first.
#
# A cache only this process reads (local memory, or Redis's stand-in while Redis is down) would
# keep a second, pickled copy of the same pages with no cap in bytes: pages are not put there.
_recent = {}
_recent_sizes = {}
_recent_lock = threading.Lock()


def fetch(key):
    """Return the cached entry for `key`, or None when the page must be rendered."""
    entry = _recent.get(key)
    if entry is None or entry["expires"] <= time.time():
        entry = cache.get(key) if is_shared(caches["default"]) else None
        if entry is not None:
            _remember(key, entry)
    return entry


def _entry_bytes(entry):
    shared = entry.get("reader_parts") or {}
    return (
        len(entry["template"])
        + sum(len(part[0]) + len(part[-1]) for part in entry["gzip"] or ())
        + sum(map(len, shared.get("fragments", {}).values()))
    )


def _remember(key, entry):
    size, cap = _entry_bytes(entry), settings.NEWSROOM["PAGE_CACHE_WORKER_BYTES"]
    with _recent_lock:
        _recent.pop(key, None)
        _recent_sizes.pop(key, None)
        if size > cap:
            return
        while _recent and sum(_recent_sizes.values()) + size > cap:
            oldest = next(iter(_recent))
            del _recent[oldest], _recent_sizes[oldest]
        _recent[key], _recent_sizes[key] = entry, size


def kept_bytes():
    """Return the bytes of the pages this worker keeps."""
    return sum(_recent_sizes.values())


def forget():
    """Drop this worker's kept pages (tests do, with the cache)."""
    with _recent_lock:
        _recent.clear()
        _recent_sizes.clear()


# Gzip, compressed once per page although every response carries its own tokens.
#
# The page is deflated in one pass, so later comments can point back at the markup of earlier
# ones (a 110 KiB page becomes ~10 KiB), with a run of NUL bytes, as long as the token, where each
# token goes, and a sync flush on either side. The compressed NULs are dropped; each response
# puts its token there as a stored (uncompressed) block. The decompressed page is then the page
# with its real tokens: nothing in the page can refer back into a token, because a reference
# copies earlier bytes that must equal later ones, and no byte of the page is NUL. Tokens are
# never compressed, so the length of a response says nothing about them (BREACH).

GZIP_HEADER = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"  # no name, no time, unknown OS
LAST_BLOCK = b"\x01\x00\x00\xff\xff"  # an empty stored block that ends the deflate stream
ACCEPTS_GZIP = re.compile(r"\bgzip\b")


def _gzip_parts(html, slot_lengths):
    """Return the page as parts to gzip it from, or None if it can't be.

    A part is (text, its compressed block) or (slot, token length, stored block header): the text
    is kept for the CRC, which covers every byte a reader receives, tokens included.
    """
    if "\0" in html:
        return None
    slots = {csrf_placeholder(): "csrf", timestamp_placeholder(): "ts"}
    pieces = re.split(f"({'|'.join(map(re.escape, slots))})", html)
    deflate = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS)
    parts = []
    for piece in filter(None, pieces):
        if slot := slots.get(piece):
            length = slot_lengths[slot]
            deflate.compress(b"\0" * length)
            deflate.flush(zlib.Z_SYNC_FLUSH)  # dropped: the response's token goes here
            header = b"\x00" + struct.pack("<HH", length, length ^ 0xFFFF)
            parts.append((slot.encode(), length, header))
        else:
            text = piece.encode()
            parts.append((text, deflate.compress(text) + deflate.flush(zlib.Z_SYNC_FLUSH)))
    return parts


def _gzipped(parts, tokens):
    """Return the gzip body of the page with these tokens, or None if a token's length changed."""
    body, crc, size = [GZIP_HEADER], 0, 0
    for part in parts:
        if len(part) == 3:
            slot, length, header = part
            token = tokens[slot]
            if len(token) != length:
                return None
            body += (header, token)
            crc, size = zlib.crc32(token, crc), size + length
        else:
            text, compressed = part
            body.append(compressed)
            crc, size = zlib.crc32(text, crc), size + len(text)
    body += (LAST_BLOCK, struct.pack("<II", crc, size & 0xFFFFFFFF))
    return b"".join(body)


def form_token(story_pk, browser):
    """Return a comment form token for this response: its own nonce, bound to its browser.

    Its length is the same for every response to one story, so it fits the gzip slot.
    """
    return make_token(StoryRef(story_pk), browser=browser)


_CSRF_INDEX = {char: index for index, char in enumerate(CSRF_ALLOWED_CHARS)}
# Bytes below this map evenly onto the alphabet; the rest are drawn again.
_CSRF_BYTE_LIMIT = 256 - 256 % len(CSRF_ALLOWED_CHARS)


def _random_csrf_chars(count):
    chars = []
    while len(chars) < count:
        chars += [
            CSRF_ALLOWED_CHARS[byte % len(CSRF_ALLOWED_CHARS)]
            for byte in secrets.token_bytes(count + 8)
            if byte < _CSRF_BYTE_LIMIT
        ]
    return "".join(chars[:count])


def csrf_token(request):
    """Return what Django's `get_token(request)` returns, drawing its randomness in one call.

    `get_token` draws each of the 32 characters of a new reader's CSRF secret, and of the mask
    that hides the secret in the page, with a call of its own to the system's random source: 64
    calls, a fifth of a cached page's time. The same alphabet, drawn as uniformly, from the same
    source, gives the same masked token and sets the same cookie (the CSRF middleware sends it).
    """
    secret = request.META.get("CSRF_COOKIE")
    if secret is None:
        secret = _random_csrf_chars(CSRF_SECRET_LENGTH)
        request.META["CSRF_COOKIE"] = secret
    request.META["CSRF_COOKIE_NEEDS_UPDATE"] = True
    mask = _random_csrf_chars(CSRF_SECRET_LENGTH)
    size = len(CSRF_ALLOWED_CHARS)
    cipher = "".join(
        CSRF_ALLOWED_CHARS[(_CSRF_INDEX[s] + _CSRF_INDEX[m]) % size]
        for s, m in zip(secret, mask, strict=True)
    )
    return mask + cipher


class StoryRef(NamedTuple):
    pk: int


def response_tokens(request, story_pk):
    """Return this response's tokens for the page's slots: its CSRF token and form token."""
    csrf = csrf_token(request)  # first: the form token is bound to its secret
    return {
        b"csrf": csrf.encode(),
        b"ts": form_token(story_pk, browser_of(request)).encode(),
    }


def respond(request, article, entry, response_class):
    """Answer from a cached entry: 304 if the reader has it, else the page with fresh tokens."""
    gzip_ok = entry["gzip"] is not None and ACCEPTS_GZIP.search(
        request.META.get("HTTP_ACCEPT_ENCODING", "")
    )
    # Each encoding is its own representation, with its own validator.
    etag = f'{entry["etag"][:-1]}-gzip"' if gzip_ok else entry["etag"]
    response = None
    if any(header in request.META for header in CONDITIONAL_HEADERS):
        response = get_conditional_response(request, etag=etag)
    if response is None:
        tokens = response_tokens(request, article.pk)
        body = _gzipped(entry["gzip"], tokens) if gzip_ok else None
        if body is None:
            response, etag = response_class(entry["template"] % tokens), entry["etag"]
        else:
            response = response_class(body)
            response["Content-Encoding"] = "gzip"
    response["ETag"] = etag
    # Browsers may keep the page but must ask again; the ETag makes asking cheap.
    response["Cache-Control"] = "no-cache"
    patch_vary_headers(response, ["Cookie", "Accept-Encoding"])
    return response
