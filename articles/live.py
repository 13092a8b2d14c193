"""
The live layer of an open story page: what arrived since the page was drawn, asked for by polling.

An open page asks `GET /stories/<slug>/live/?since=<µs>` every ~15 s (static/js/site.js), with
`If-None-Match` set to the version it holds. The story's `page_version` is the shared source: every
write path bumps it in its own transaction (articles.page_cache), on whichever worker or machine
it ran. An unchanged story costs one prepared point lookup, the one a cached story page runs, and
answers 304 with no body. A changed one answers what the page needs, the same for every reader:

- the newest visible comments, each as the `<li>` the thread would draw for it: the comment's
  fragment from `comments/_comment.html` nested by `comments.threads.threads_html`, the code
  that draws every page of threads, so there is no second copy of the markup;
- the comment count and the reaction tallies, which the page updates in place.

That answer is built once per version (and language) and kept like the cached page: in the shared
cache when it is Redis, and in this worker's memory. Each request only picks the comments decided
since its `since`, less OVERLAP (a comment is decided before its transaction commits; the script
drops what the page already holds). More than LIMIT new comments is a flood: the answer says
`more` and the page offers to reload its threads rather than receive them one by one.

Only approved comments that their authors have not withdrawn are ever sent: a reader's held
comment is theirs alone, shown to them by the page they posted it from, and nobody else learns of
it here. Nothing about the reader is read or written: no session, no cookie, no CSRF token (the
fragments' token fields are left empty; the script fills them from the page).
"""

import json
import threading
from collections import OrderedDict
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.core.cache import cache, caches
from django.http import HttpResponse, JsonResponse
from django.template import Context, engines
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from comments.models import Comment
from comments.reactions import reaction_bar
from comments.threads import MAX_LEVEL, PAGE_FIELDS, Node, Skeleton, threads_html
from newsroom.cache import is_shared

from . import page_cache
from .models import Article

# Most new comments one answer carries; past it the page reloads its threads instead.
LIMIT = 20
# How far before `since` an answer looks: longer than any write transaction takes to commit.
OVERLAP = timedelta(seconds=60)
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# Answers this worker keeps, one per story and language (the newest version), at most.
KEPT = 512
ALLOWED_PARAMETERS = {"since"}


def micros(moment):
    return (moment - EPOCH) // timedelta(microseconds=1)


def page_state(article):
    """Return what the story page tells its script: where to ask, and what the page holds."""
    return {
        "url": reverse("articles:live", kwargs={"slug": article.slug}),
        "etag": etag(article.pk, article.page_version),
        "since": micros(timezone.now()),
        "interval": settings.NEWSROOM["LIVE_POLL_SECONDS"],
    }


def etag(story_pk, version):
    return f'"live-{story_pk}-{version}-{get_language()}"'


def parse_since(request):
    """Return the `since` of the request in microseconds, or an error message for the reader."""
    unknown = set(request.GET) - ALLOWED_PARAMETERS
    if unknown:
        return None, _("Unknown parameter: %(names)s.") % {"names": ", ".join(sorted(unknown))}
    values = request.GET.getlist("since")
    if len(values) != 1:
        return None, _("Give one “since”: microseconds since 1970, as the page was given.")
    value = values[0]
    if not (value.isascii() and value.isdigit()) or len(value) > 17:
        return None, _("“since” must be microseconds since 1970, as the page was given.")
    return int(value), None


def respond(request, slug):
    """Answer a poll: 304 if the story has not changed since the page's version, else the news."""
    since, error = parse_since(request)
    if error:
        return JsonResponse({"error": error}, status=400)
    story = page_cache.lookup(slug)
    tag = etag(story.pk, story.page_version)
    if tag in _tags(request.headers.get("If-None-Match", "")):
        response = HttpResponse(status=304)
    else:
        news = _news(story)
        response = HttpResponse(_answer(news, since), content_type="application/json")
    response["ETag"] = tag
    # The same for every reader; always asked again (the script sends its version itself).
    response["Cache-Control"] = "no-cache"
    return response


def _tags(header):
    return {tag.strip().removeprefix("W/") for tag in header.split(",") if tag.strip()}


def _answer(news, since):
    floor = since - OVERLAP // timedelta(microseconds=1)
    fresh = [item for item in news["comments"] if item["decided"] >= floor]
    more = len(fresh) > LIMIT
    fresh = fresh[:LIMIT]
    fresh.reverse()  # oldest first: a reply comes after the comment it answers
    body = {key: value for key, value in news.items() if key != "comments"}
    body.update(comments=fresh, more=more)
    return json.dumps(body, separators=(",", ":"))


# Built once per version of a story, kept in the shared cache and in this worker's memory.
_kept = OrderedDict()
_kept_lock = threading.Lock()


def _news(story):
    key = f"story-live-1:{story.pk}:{story.page_version}:{get_language()}"
    local = (story.pk, get_language())
    with _kept_lock:
        found = _kept.get(local)
    if found is not None and found[0] == key:
        return found[1]
    shared = is_shared(caches["default"])
    news = cache.get(key) if shared else None
    if news is None:
        news = build(story)
        if shared:
            cache.set(key, news, settings.NEWSROOM["STORY_CACHE_SECONDS"] or 60)
    with _kept_lock:
        _kept[local] = (key, news)
        _kept.move_to_end(local)
        while len(_kept) > KEPT:
            _kept.popitem(last=False)
    return news


def forget():
    """Drop this worker's kept answers (tests do, with the cache)."""
    with _kept_lock:
        _kept.clear()


def build(story):
    """Return the news of one version of the story: new comments, the count, the tallies."""
    article = Article.objects.get(pk=story.pk)
    comments = list(
        Comment.objects.filter(article_id=story.pk, decided_at__isnull=False)
        .live()
        .select_related("user", "parent")
        .only(*PAGE_FIELDS, "decided_at", "parent__author_name")
        .order_by("-decided_at", "-id")[: LIMIT + 1]
    )
    bar = reaction_bar(story.pk)
    count = Comment.objects.filter(article_id=story.pk).live().count()
    return {
        "version": story.page_version,
        "since": micros(timezone.now()),
        "count": count,
        "reactions": [
            {"key": item.key, "count": item.count, "share": item.share, "name": item.name}
            for item in bar.items
        ],
        "total_text": bar.total_text,
        "comments": [_item(comment, article) for comment in comments],
        # The button's text and what is announced, for each number of new comments a page may
        # hold back (ngettext: languages differ in their plural forms); past LIMIT, more_label.
        "labels": [
            [
                ngettext("%(count)d new comment", "%(count)d new comments", n) % {"count": n},
                ngettext("%(count)d new comment shown.", "%(count)d new comments shown.", n)
                % {"count": n},
            ]
            for n in range(LIMIT + 1)
        ],
        "more_label": _("More new comments: show the latest"),
    }


def _item(comment, article):
    """Return one new comment as the script places it: its <li> and where it goes."""
    level = min(comment.depth, MAX_LEVEL)
    # Deeper than the last level, a reply stays there and names whom it answers (as
    # comments.threads.build_threads draws it).
    replying_to = comment.parent if comment.depth > MAX_LEVEL else None
    node = Node(comment, level=level, replying_to=replying_to)
    html = threads_html([Skeleton(comment.pk, level)], lambda pk: _fragment(node, article))
    return {
        "id": comment.pk,
        "parent": comment.parent_id,
        "thread": comment.thread_id or comment.pk,
        "level": level,
        "replying": bool(replying_to),
        "decided": micros(comment.decided_at),
        "html": html,
    }


class _Page:
    """What `_comment.html` asks of the request: the page a form without JavaScript returns to."""

    def __init__(self, url):
        self.url = url

    def get_full_path(self):
        return self.url


def _fragment(node, article):
    context = Context(
        {
            "request": _Page(article.get_absolute_url()),
            "csrf_token": page_cache.csrf_placeholder(),
            "article": article,
            "comments_open": article.comments_open,
            "can_see_deleted": False,
            "node": node,
            "comment": node.comment,
        }
    )
    html = engines["django"].engine.get_template("comments/_comment.html").render(context)
    # The placeholder is the page's secret slot: it never leaves the server.
    return html.replace(page_cache.csrf_placeholder(), "")
