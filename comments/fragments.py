"""
Each comment's HTML, drawn once and reused by every later version of the story page that shows
it unchanged.

Why: every write bumps the story's `page_version`, and the next reader of the page draws it again
(articles.page_cache). Drawing 200 comments through `_comment.html` was most of that draw, though
after one new comment or one like only one fragment differs. Since a posting token is good once,
every comment a reader posts needs a freshly drawn page, so the draw bounds the site's writes.

How: the shared page's `{% comment_threads %}` asks `drawn()` for its fragments. Each has a key
made of everything the fragment shows or depends on (see `_material`), fetched from the default
cache with one `get_many` per draw; the missing ones are drawn and stored with one `set_many`.
Correct by key, never by invalidation: no write path has to remember to forget a fragment. A
change to anything the fragment reads makes a new key; old keys are never asked for again and
expire (`NEWSROOM["COMMENT_FRAGMENT_SECONDS"]`, 0 switches reuse off; local memory also culls at
its MAX_ENTRIES).

What it relies on:
- Only the shared render reuses fragments (its context has the `comment_fragments` sink, see
  articles.views.render_for_cache): drawn for a reader without identity, with the CSRF token a
  placeholder. Staff pages, "Load more", the script's redrawn thread and pages only one reader
  can reach draw every comment, as before. A reader's own overlay (articles.story_page) is laid
  over the shared page afterwards and does not come through here.
- The key reads only fields the thread query already loaded (comments.threads.PAGE_FIELDS): no
  query is added, and none is needed to know that nothing changed.
- A cache that is down or failing only means every comment is drawn.
"""

import hashlib
import logging
from bisect import bisect_left
from functools import cache as once
from pathlib import Path

import django
from django.conf import settings
from django.contrib.humanize.templatetags.humanize import naturaltime
from django.core.cache import cache
from django.urls import get_script_prefix
from django.utils.timezone import get_current_timezone_name
from django.utils.translation import get_language

logger = logging.getLogger(__name__)

TEMPLATE = "comments/_comment.html"
KEY_PREFIX = "comment-fragment-1"


@once
def code_version():
    """A digest of the code and text that draw a fragment, computed once per process.

    Every template of comments/, every module of the comments app (the body's markup, mentions,
    the template tags, its URLs), the project's settings and URLs, the compiled translations and
    Django's version: a deploy that changes any of them makes new keys, so no reader is served
    the old markup.
    """
    base = Path(settings.BASE_DIR)
    files = sorted(
        [
            *(base / "templates" / "comments").glob("*.html"),
            *(base / "comments").rglob("*.py"),
            *(base / "newsroom").glob("*.py"),  # the URLs the forms post to, the settings
            *(base / "locale").rglob("*.mo"),
        ]
    )
    digest = hashlib.blake2b(digest_size=16)
    digest.update(django.__version__.encode())
    for path in files:
        digest.update(str(path.relative_to(base)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def _mention_prefixes(mentions):
    """Return (orders, digests): digests[i] stands for the first i people a mention can name.

    A mention links to its author's latest earlier visible comment in the thread
    (comments.mentions), so what a body's mentions resolve to is fixed by the mentionable
    comments before it: their ids, threads and names, in order.
    """
    people = sorted(
        (comment for group in mentions.by_name.values() for comment in group),
        key=lambda comment: (comment.created_at, comment.pk),
    )
    digest = hashlib.blake2b(mentions.story_url.encode(), digest_size=16)
    orders, digests = [], [digest.hexdigest()]
    for comment in people:
        orders.append((comment.created_at, comment.pk))
        digest.update(f"{comment.pk}:{comment.thread_id}:{comment.author_name}\0".encode())
        digests.append(digest.hexdigest())
    return orders, digests


def _material(page, node, prefixes):
    """Everything one fragment shows or depends on, as text for its key.

    From the page (the same for every comment of one draw, see `_page_material`): the code
    version; the active language (translated labels, number and date formats) and time zone (the
    time's title and datetime); the script prefix and the story's URL (links); the request's path
    and query (the like form's `next`); the CSRF token as the context has it (a placeholder in the
    shared render); `comments_open` (Reply); `can_see_deleted` (a deleted comment's text). From
    the comment: id, thread (permalink), status (pending notice, Like, Reply, Report), featured
    (Editor's pick), like count, created_at (time) and how long ago that is, as readers see it
    ("3 minutes ago": the key changes when the words do), whether edited, whether deleted, markup
    and body, author name (and avatar initial), whether its account is staff (badge). From the
    node: level, mine, liked, editable (You, Edit, Delete, the pressed Like), the "Replying to"
    comment's id and name, a body drawn beforehand, and the digest of what its @mentions can
    resolve to (only for a body with an "@").
    """
    comment = node.comment
    mentions = ""
    if node.mentions is not None and "@" in comment.body:
        orders, digests = prefixes(node.mentions)
        mentions = digests[bisect_left(orders, (comment.created_at, comment.pk))]
    replying = node.replying_to
    # repr, not a join: no body or name, whatever it holds, can run into the next field.
    return repr(
        (
            page,
            comment.pk,
            comment.thread_id,
            comment.status,
            comment.is_featured,
            comment.like_count,
            comment.created_at.isoformat(),
            naturaltime(comment.created_at),
            comment.edited_at is not None,
            comment.deleted_at is not None,
            comment.markup,
            comment.body,
            comment.author_name,
            bool(comment.user and comment.user.is_staff),
            node.level,
            node.mine,
            node.liked,
            node.editable,
            (replying.pk, replying.author_name) if replying is not None else None,
            node.rendered_body,
            mentions,
        )
    )


def _page_material(context):
    request = context.get("request")
    article = context.get("article")
    return repr(
        (
            code_version(),
            get_language(),
            get_current_timezone_name(),
            get_script_prefix(),
            article.get_absolute_url() if article is not None else None,
            request.get_full_path() if request is not None else None,
            context.get("csrf_token"),
            bool(context.get("comments_open")),
            bool(context.get("can_see_deleted")),
            bool(context.get("in_place_back")),
        )
    )


def key_of(page, node, prefixes):
    material = _material(page, node, prefixes).encode()
    return f"{KEY_PREFIX}:{hashlib.blake2b(material, digest_size=20).hexdigest()}"


def draw(template, context, node):
    """Draw one comment's fragment in the page's context (tests count the calls)."""
    with context.push(node=node, comment=node.comment):
        return template.render(context)


def drawn(context, nodes, *, reuse):
    """Return {comment pk: HTML} for `nodes`; with `reuse`, take unchanged ones from the cache."""
    template = context.template.engine.get_template(TEMPLATE)
    seconds = settings.NEWSROOM["COMMENT_FRAGMENT_SECONDS"]
    if not reuse or seconds <= 0:
        return {node.comment.pk: draw(template, context, node) for node in nodes}
    page = _page_material(context)
    prefixes = once(_mention_prefixes)  # one per thread's Mentions, for this draw only
    keys = {node.comment.pk: key_of(page, node, prefixes) for node in nodes}
    try:
        kept = cache.get_many(list(keys.values()))
    except Exception:  # a failing cache costs the draw, never the page
        logger.warning("Comment fragments could not be read from the cache", exc_info=True)
        kept = {}
    fragments, new = {}, {}
    for node in nodes:
        key = keys[node.comment.pk]
        html = kept.get(key)
        if not isinstance(html, str):
            html = new[key] = draw(template, context, node)
        fragments[node.comment.pk] = html
    if new:
        try:
            cache.set_many(new, seconds)
        except Exception:  # the page is drawn; only the next draw loses the reuse
            logger.warning("Comment fragments could not be stored in the cache", exc_info=True)
    return fragments
