"""
Posting tokens: signed, short-lived, bound to the browser they were issued to, and single-use.

Two kinds share one format. The comment form carries a *form token* (field `ts`) signed for one
story and the moment the form was served: the too-fast and too-old checks read that moment. The
API hands out a *posting token* (GET /api/csrf/) for any story, valid for
`NEWSROOM["POSTING_TOKEN_MAX_AGE_MINUTES"]`.

Bound to the browser: a token names a keyed hash of the browser's CSRF secret (the `csrftoken`
cookie), the one thing every reader who can post at all already has, including a reader without
an identity served a cached page. A token is refused in a request carrying another secret.

Single-use: its random nonce is written to `SpentToken` when a comment is posted with it; the
unique constraint refuses the second use, whichever worker sees it. Rows are purged once their
token has expired anyway (`purge_spent`): at most once every `PURGE_EVERY_SECONDS` per process,
not on every post, and a minute after the expiry, so that a web server whose clock runs a little
behind still finds the row of a token it would take as fresh.

Checking happens in one place: the moderation pipeline's `posting_token` rule.
"""

import secrets
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.core import signing
from django.db import connection
from django.middleware.csrf import get_token
from django.utils.crypto import salted_hmac

from .models import SpentToken

FORM_SALT = "comments.form-timestamp"
API_SALT = "comments.posting-token"
BROWSER_LENGTH = 20

# A DELETE on every post cost each comment a write on a shared table; spent rows only take space.
PURGE_EVERY_SECONDS = 300
PURGE_GRACE = timedelta(minutes=1)
_next_purge = 0.0  # time.monotonic() when this process purges next


def browser_hash(secret):
    if not secret:
        return ""
    return salted_hmac("comments.tokens.browser", secret).hexdigest()[:BROWSER_LENGTH]


def issuing_browser(request):
    """Return the browser a token served in this response is bound to (making its CSRF secret)."""
    get_token(request)  # sets META["CSRF_COOKIE"], and the cookie on the way out, if new
    return browser_hash(request.META.get("CSRF_COOKIE"))


def browser_of(request):
    """Return the browser a request posts from: its CSRF secret's hash, or "" without one."""
    return browser_hash(request.META.get("CSRF_COOKIE"))


def _sign(payload, salt, issued_at):
    payload |= {"t": int(time.time() if issued_at is None else issued_at)}
    return signing.dumps(payload | {"n": secrets.token_urlsafe(12)}, salt=salt)


def make_token(article, *, browser="", issued_at=None):
    """Sign a comment form's token: the story, the moment it was served, the browser."""
    return _sign({"a": article.pk, "b": browser}, FORM_SALT, issued_at)


def make_posting_token(*, browser, issued_at=None):
    """Sign an API posting token for the browser, good for any story."""
    return _sign({"b": browser}, API_SALT, issued_at)


class Rejected(Exception):
    """The token cannot be used; `reason` is one of the codes below."""

    MISSING, BAD, TOO_FAST, TOO_OLD, FOREIGN, REPLAYED = (
        "missing", "bad", "too_fast", "too_old", "foreign", "replayed")  # fmt: skip

    def __init__(self, reason):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Presented:
    """A token as a request presented it: which kind, its text, and the posting browser."""

    kind: str  # "form" or "api"
    value: str
    browser: str

    @classmethod
    def form(cls, request, value):
        return cls("form", value or "", browser_of(request))

    @classmethod
    def api(cls, request, value):
        return cls("api", value or "", browser_of(request))

    def spend(self, article):
        """Check the token for a comment on `article` and use it up, or raise Rejected."""
        if not self.value:
            raise Rejected(Rejected.MISSING)
        form = self.kind == "form"
        try:
            data = signing.loads(self.value, salt=FORM_SALT if form else API_SALT)
            issued_at, nonce, browser = int(data["t"]), str(data["n"]), str(data["b"])
            if form and data["a"] != article.pk:
                raise ValueError
        except (signing.BadSignature, ValueError, KeyError, TypeError):
            raise Rejected(Rejected.BAD) from None
        age = time.time() - issued_at
        if form and age < settings.NEWSROOM["COMMENT_MIN_SECONDS"]:
            raise Rejected(Rejected.TOO_FAST)
        max_age = (
            settings.NEWSROOM["COMMENT_FORM_MAX_AGE_HOURS"] * 3600
            if form
            else settings.NEWSROOM["POSTING_TOKEN_MAX_AGE_MINUTES"] * 60
        )
        if age > max_age:
            raise Rejected(Rejected.TOO_OLD)
        if not browser or browser != self.browser:
            raise Rejected(Rejected.FOREIGN)
        purge_spent()
        if not _spend(nonce, datetime.fromtimestamp(issued_at + max_age, tz=UTC)):
            raise Rejected(Rejected.REPLAYED)


def purge_spent():
    """Delete spent tokens long expired, unless this process did lately; return how many.

    Every token is checked against its expiry before its row is looked at, so a row is only ever
    needed while the token would still be taken: keeping rows longer costs space, never safety.
    """
    global _next_purge
    if time.monotonic() < _next_purge:
        return 0
    _next_purge = time.monotonic() + PURGE_EVERY_SECONDS
    now = datetime.fromtimestamp(time.time(), tz=UTC)  # the clock the expiry check reads
    deleted, _by_model = SpentToken.objects.expired(now, grace=PURGE_GRACE).delete()
    return deleted


def _spend(nonce, expires_at):
    """Record the nonce as spent; return False if it already was.

    One `INSERT ... ON CONFLICT DO NOTHING` (SQLite and PostgreSQL alike) rather than the ORM's
    create() in a savepoint: the unique index decides between racing workers either way, and
    this costs the write path one query instead of three. tests/test_posting_tokens.py breaks if
    it stops telling a replay apart.
    """
    table = connection.ops.quote_name(SpentToken._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (nonce, expires_at) VALUES (%s, %s) "  # noqa: S608 - no input
            "ON CONFLICT (nonce) DO NOTHING",
            [nonce, expires_at],
        )
        return cursor.rowcount == 1
