"""
Read a page of comment threads in a fixed number of queries, however long the conversation.

One query reads the page of top-level comments (cursor pagination on the sort key), one reads
every reply under them by `thread_id`; Python builds the tree. Replies deeper than MAX_LEVEL stay
in their thread at the last level with a "replying to" note.
"""

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db.models import Q

from .mentions import Mentions
from .models import Comment, CommentLike

MAX_LEVEL = 3
SORTS = {
    "oldest": ("created_at", "id"),
    "newest": ("-created_at", "-id"),
    "liked": ("-like_count", "-id"),
    # Editor's picks only, newest first, each on its own without its replies (Coral's
    # "Featured" tab): a picked reply is worth reading even when its thread is not.
    "picks": ("-created_at", "-id"),
}
DEFAULT_SORT = "oldest"
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# What a page needs; emails, IP hashes and user agents never leave the database for readers.
PAGE_FIELDS = (
    "id",
    "article_id",
    "parent_id",
    "thread_id",
    "depth",
    "reader_key",
    "user_id",
    "user__is_staff",
    "author_name",
    "body",
    "markup",
    "status",
    "is_featured",
    "like_count",
    "created_at",
    "edited_at",
    "deleted_at",
)


@dataclass
class Node:
    comment: Comment
    level: int = 0
    replying_to: Comment | None = None
    children: list = field(default_factory=list)
    mine: bool = False
    editable: bool = False
    liked: bool = False
    mentions: Mentions | None = None
    # The body as the shared page drew it (articles.story_page keeps those with mentions).
    rendered_body: str = ""

    def body_html(self):
        if not self.rendered_body:
            self.rendered_body = self.comment.body_html(self.mentions)
        return self.rendered_body


@dataclass
class ThreadPage:
    threads: list
    sort: str
    next_cursor: str = ""
    focused: bool = False


def parse_sort(value):
    return value if value in SORTS else DEFAULT_SORT


def make_cursor(comment, sort):
    if sort == "liked":
        return f"{comment.like_count}.{comment.pk}"
    micros = (comment.created_at - EPOCH) // timedelta(microseconds=1)
    return f"{micros}.{comment.pk}"


def names_a_page(article_id, *, sort=None, cursor=None, thread=None):
    """Return whether query values, as given, name a page of the story readers can reach.

    That is a known sort; a cursor exactly as "Load more" writes it for one of the story's
    visible threads; or the id, as written in a permalink, of one of those threads. The story
    page caches only these (articles.page_cache), so made-up values cannot fill the cache.
    """
    if sort is not None and sort not in SORTS:
        return False
    if cursor is not None and thread is not None:
        return False
    wanted = cursor if cursor is not None else thread
    if wanted is None:
        return True
    pk = wanted.rpartition(".")[2] if cursor is not None else wanted
    if not (pk.isascii() and pk.isdigit()) or len(pk) > 19:
        return False
    roots = Comment.objects.filter(article_id=article_id)
    roots = roots.picks() if sort == "picks" and thread is None else roots.top_level().visible()
    root = roots.filter(pk=int(pk)).only("created_at", "like_count").first()
    if root is None:
        return False
    return str(root.pk) == pk and (cursor is None or make_cursor(root, parse_sort(sort)) == cursor)


def _after(queryset, sort, cursor):
    """Filter to the comments after `cursor` in `sort` order; ignore a malformed cursor."""
    try:
        key, pk = (int(part) for part in cursor.split("."))
    except (AttributeError, ValueError):
        return queryset
    if sort == "liked":
        return queryset.filter(Q(like_count__lt=key) | Q(like_count=key, id__lt=pk))
    try:
        moment = EPOCH + timedelta(microseconds=key)
    except OverflowError:
        return queryset
    if sort in ("newest", "picks"):
        return queryset.filter(Q(created_at__lt=moment) | Q(created_at=moment, id__lt=pk))
    return queryset.filter(Q(created_at__gt=moment) | Q(created_at=moment, id__gt=pk))


def _shown(comments, reader_key):
    return comments.visible_to(reader_key).select_related("user").only(*PAGE_FIELDS)


def thread_page(article, *, reader_key=None, sort=DEFAULT_SORT, cursor="", thread=None, size=None):
    """Return a ThreadPage of `article`'s threads as `reader_key` may see them.

    With `thread` (a top-level comment id), the page holds that one thread: a permalink.
    """
    sort = parse_sort(sort)
    size = size or settings.NEWSROOM["COMMENTS_PER_PAGE"]
    picks = sort == "picks" and thread is None
    roots = _shown(article.comments.picks() if picks else article.comments.top_level(), reader_key)
    if thread is not None:
        roots = list(roots.filter(pk=thread)[:1])
        next_cursor = ""
    else:
        roots = list(_after(roots, sort, cursor).order_by(*SORTS[sort])[: size + 1])
        next_cursor = make_cursor(roots[size - 1], sort) if len(roots) > size else ""
        roots = roots[:size]
    replies = (
        _shown(Comment.objects.filter(thread_id__in=[root.pk for root in roots]), reader_key)
        .order_by("created_at", "id")
        .iterator()
        if roots and not picks
        else []
    )
    threads = build_threads(roots, replies)
    _mark_for_reader(threads, reader_key)
    _know_mentions(threads, article.get_absolute_url())
    return ThreadPage(threads, sort, next_cursor, focused=thread is not None)


def _walk(nodes):
    stack = list(nodes)
    while stack:
        node = stack.pop()
        yield node
        stack.extend(node.children)


def _mark_for_reader(threads, reader_key):
    """Flag the reader's own comments and the ones they liked (one query, whatever the page)."""
    if not reader_key or not threads:
        return
    nodes = list(_walk(threads))
    liked = set(
        CommentLike.objects.filter(
            reader_key=reader_key, comment_id__in=[node.comment.pk for node in nodes]
        ).values_list("comment_id", flat=True)
    )
    for node in nodes:
        node.liked = node.comment.pk in liked
        node.mine = node.comment.is_by(reader_key)
        node.editable = node.mine and node.comment.is_editable()


def _know_mentions(threads, story_url):
    """Give every node its thread's Mentions, from the comments already loaded."""
    for root in threads:
        nodes = list(_walk([root]))
        mentions = Mentions([node.comment for node in nodes], story_url)
        for node in nodes:
            node.mentions = mentions


def build_threads(roots, replies):
    """Return Nodes for `roots` with `replies` arranged under them, deleted leaves dropped.

    Iterative on purpose: a chain of replies may be deeper than Python's recursion limit.
    """
    replies = list(replies)
    children = {}
    for reply in replies:
        children.setdefault(reply.parent_id, []).append(reply)

    # A withdrawn comment stays as a placeholder only while it holds replies in place; deepest
    # first, so every reply is settled before its parent.
    kept = set()
    for comment in [*sorted(replies, key=lambda c: -c.depth), *roots]:
        if not comment.is_deleted or any(kid.pk in kept for kid in children.get(comment.pk, ())):
            kept.add(comment.pk)

    def kids_of(comment):
        return [kid for kid in children.get(comment.pk, ()) if kid.pk in kept]

    threads = []
    for root in roots:
        if root.pk not in kept:
            continue
        stack = [Node(root)]
        threads.append(stack[0])
        while stack:
            node = stack.pop()
            if node.level < MAX_LEVEL - 1:
                node.children = [Node(kid, level=node.level + 1) for kid in kids_of(node.comment)]
                stack.extend(node.children)
                continue
            # The last level holds every deeper reply, in reading order, each naming its parent.
            walk = [(kid, None) for kid in reversed(kids_of(node.comment))]
            while walk:
                comment, parent = walk.pop()
                node.children.append(Node(comment, level=MAX_LEVEL, replying_to=parent))
                walk.extend((kid, comment) for kid in reversed(kids_of(comment)))
    return threads


# A page of threads as HTML: each comment's own fragment, nested in the lists _comments.html
# shows. Written once here, for every page of threads (the story, "Load more", the script's
# redrawn thread), and for the cached story page's reader overlay (articles/story_page.py),
# which nests the same fragments with a reader's held comments added. The shared page's fragments
# outlive its versions while nothing they show changes (comments/fragments.py).


@dataclass
class Skeleton:
    """Where one comment sits on a page, without the comment: what a cached page keeps."""

    pk: int
    level: int
    children: list = field(default_factory=list)


def skeleton_of(node):
    return Skeleton(node.comment.pk, node.level, [skeleton_of(kid) for kid in node.children])


def thread_pieces(skeletons):
    """Return the <li>s of `skeletons` as a list of pieces: markup (str), a comment (its pk) and
    the places a reader's held replies go: `Replies(pk, wrap)`.

    A comment at the last level has no list of its own, so its place follows it.
    """
    out = []

    def emit(node):
        thread = f' id="t{node.pk}" data-thread="{node.pk}"' if node.level == 0 else ""
        out.append(f'<li class="comment-node comment-node--level-{node.level}"{thread}>')
        out.append(node.pk)
        if node.children:
            out.append('<ol class="comment-replies">')
            for kid in node.children:
                emit(kid)
            if node.level < MAX_LEVEL:
                out.append(Replies(node.pk, wrap=False))
            out.append("</ol>")
        elif node.level < MAX_LEVEL:
            out.append(Replies(node.pk, wrap=True))
        out.append("</li>")
        if node.level == MAX_LEVEL:
            out.append(Replies(node.pk, wrap=False))

    for node in skeletons:
        emit(node)
    return out


@dataclass(frozen=True)
class Replies:
    pk: int
    wrap: bool


def threads_html(skeletons, fragment):
    """Return the <li>s of `skeletons`, each holding `fragment(pk)` and its replies."""
    return "".join(
        piece if isinstance(piece, str) else fragment(piece) if isinstance(piece, int) else ""
        for piece in thread_pieces(skeletons)
    )
