"""
The story page for a reader the site knows: the page everyone shares, with the reader's own part
laid over it. This is the one place where the two come together.

A story page is mostly the same for every reader of one version of it: the story, the reaction
tallies, the approved comments. A few regions belong to one reader: their reaction pressed,
their likes marked, You, Edit and Delete on their own comments (Edit while the edit window is
open), their held comments with the "awaiting moderation" notice, their name in the comment form
(or "Posting as" for an account), their account in the header, their flash messages. Rendering
the whole page for every such reader cost ~67 ms; the shared page is cached once per version
(articles.page_cache) and this module adds the reader's part in a few constant queries.

How the two fit:
- The templates fence each reader's region with `{% reader_part NAME %}` (`nav`, `messages`,
  `reactions`, `form`, `threads`). Rendered for the cache, the shared page is drawn for a reader
  with no identity (`without_reader`: a copy of the request with no cookies, no account, no
  messages) and each region is fenced with markers; `shared_parts` cuts the page at them and
  keeps, with the cached entry, each comment's own HTML fragment and the shape of the threads
  (`comments.threads.Skeleton`), as `{% comment_threads %}` rendered them.
- For a known reader, `respond` runs at most four queries beside the page's key: their reaction,
  their likes among the story's comments, their own comments on the story (approved or held) and,
  for a guest, the name they last signed with. It renders only the regions that differ: the
  reaction bar (from the cached tallies) if they reacted; the form if there is a name to put in
  it; the header for an account; their messages; and the threads only if they liked, wrote or
  hold a comment on the page. The threads are then nested again from the cached fragments: a
  liked comment gets its pressed button (a fixed swap, `LIKE_OFF` for `LIKE_ON`), the reader's
  own comments are rendered for them, one fragment each, and held ones are put under their
  parent (or among the threads where their sort puts them). Never the whole thread.
- Every region, shared or the reader's, is rendered with the CSRF and form-token placeholders;
  each response fills in its own tokens, as for readers without identity.

Nothing of a reader is ever stored: the shared page is drawn from `without_reader(request)` even
when a known reader's request fills the cache, and the reader's regions are rendered per request.
Staff (who see the text of deleted comments) and pages only one reader can reach (a held
thread's permalink, made-up query values) are rendered whole, as before.

tests/test_story_page_reader.py proves each piece for guests and accounts, two readers served
from one shared page, and the query budget at 20 and 300 comments.
"""

import bisect
import copy
import re
from dataclasses import replace

from django.contrib.auth.models import AnonymousUser
from django.contrib.messages import get_messages
from django.http import HttpResponse
from django.template import Context, engines
from django.utils.cache import patch_vary_headers

from comments.forms import CommentForm
from comments.models import Comment, CommentLike, Reaction
from comments.readers import known_reader_key
from comments.threads import MAX_LEVEL, PAGE_FIELDS, Node, Skeleton, threads_html
from comments.views import last_signed_name
from newsroom.prepared import prepared

from . import page_cache

# In the context of the shared render only: fence each reader_part.
SHARED_RENDER = "story_page_shared_render"
# The like button as _comment.html draws it, not liked and liked: the same markup otherwise.
LIKE_OFF = b'aria-pressed="false" '
LIKE_ON = b'aria-pressed="true" '
ICON_OFF = 'class="comment__icon">\u2661</span>'.encode()
ICON_ON = 'class="comment__icon">\u2665</span>'.encode()
OWN_FIELDS = tuple(name for name in PAGE_FIELDS if "__" not in name)


def _mark():
    return page_cache.csrf_placeholder()[:16] + "part"


def fence(name, html):
    return f"{_mark()}<{name}>{html}{_mark()}</>"


def _fences():
    mark = re.escape(_mark())
    return re.compile(f"{mark}<(\\w+)>(.*?){mark}</>", re.DOTALL)


def without_reader(request):
    """Return a copy of the request as a reader with no identity makes it, to draw shared pages."""
    anonymous = copy.copy(request)
    anonymous.COOKIES = {}
    anonymous.META = {k: v for k, v in request.META.items() if k != "HTTP_COOKIE"}
    anonymous.user = AnonymousUser()
    anonymous._messages = []
    anonymous.__dict__.pop("_reader", None)
    return anonymous


def shared_parts(html, context):
    """Cut the page rendered for the cache at its fences; return (its HTML, the shared parts)."""
    cut = _fences().split(html)
    texts, names, regions = cut[0::3], cut[1::3], cut[2::3]
    pieces = [page_cache.as_template(texts[0])]
    for name, text in zip(names, texts[1:], strict=True):
        pieces += [name, page_cache.as_template(text)]
    plain = "".join(t + r for t, r in zip(texts, [*regions, ""], strict=True))
    page = context["comment_page"]
    sink = context.get("comment_fragments") or {}
    levels, replying, names_of, roots = {}, {}, {}, []
    stack = list(page.threads)
    while stack:
        node = stack.pop()
        levels[node.comment.pk] = node.level
        names_of[node.comment.pk] = node.comment.author_name
        if node.replying_to is not None:
            replying[node.comment.pk] = node.replying_to.pk
        stack.extend(node.children)
    roots = [_sort_key(node.comment, page.sort) for node in page.threads]
    article = context["article"]
    return plain, {
        "pieces": pieces,
        "parts": {name: page_cache.as_template(r) for name, r in zip(names, regions, strict=True)},
        "fragments": {
            pk: page_cache.as_template(f) for pk, f in sink.get("fragments", {}).items()
        },
        "skeletons": sink.get("skeletons", []),
        "levels": levels,
        "replying": replying,
        "names": names_of,
        "roots": roots,
        "sort": page.sort,
        "more": bool(page.next_cursor),
        "paged": bool(context.get("comment_paged")),
        "focused": page.focused,
        "bar": context.get("reaction_bar"),
        "story": Story(article.pk, article.slug, article.get_absolute_url()),
        "comments_open": context.get("comments_open", False),
    }


class Story:
    """What the reader's regions need of the story, without the Article."""

    def __init__(self, pk, slug, url):
        self.pk, self.slug, self.url = pk, slug, url

    def get_absolute_url(self):
        return self.url


def _sort_key(comment, sort):
    if sort == "liked":
        return (-comment.like_count, -comment.pk)
    moment = comment.created_at.timestamp()
    return (-moment, -comment.pk) if sort == "newest" else (moment, comment.pk)


@prepared
def _reaction(article_id, reader_key):
    return Reaction.objects.filter(article_id=article_id, reader_key=reader_key).values_list("kind")


@prepared
def _likes(reader_key, article_id):
    likes = CommentLike.objects.filter(reader_key=reader_key, comment__article_id=article_id)
    return likes.values_list("comment_id")


@prepared
def _own_comments(article_id, reader_key):
    """The reader's comments on the story that they see as theirs: approved or held, not deleted."""
    own = Comment.objects.filter(article_id=article_id, deleted_at__isnull=True)
    return own.visible_to(reader_key).by_reader(reader_key).only(*OWN_FIELDS).order_by("created_at", "id")


class _Renderer:
    """Renders the reader's regions with the context the shared page had, tokens as placeholders."""

    def __init__(self, request, shared):
        self.engine = engines["django"].engine
        self.context = Context(
            {
                "request": request,
                "user": request.user,
                "csrf_token": page_cache.csrf_placeholder(),
                "article": shared["story"],
                "comments_open": shared["comments_open"],
                "can_see_deleted": False,
            }
        )

    def __call__(self, template_name, **values):
        with self.context.push(**values):
            html = self.engine.get_template(template_name).render(self.context)
        return page_cache.as_template(html)


def respond(request, story, entry):
    """Answer a known reader from the cached entry, their own regions laid over it."""
    shared = entry["reader_parts"]
    render = _Renderer(request, shared)
    user = request.user
    reader_key = known_reader_key(request)
    regions = {}
    if reader_key and shared["bar"] is not None:
        row = _reaction.first_row(story.pk, reader_key)
        if row is not None:
            bar = copy.copy(shared["bar"])
            bar.items = [replace(item, pressed=item.key == row[0]) for item in bar.items]
            regions["reactions"] = render("comments/_reactions.html", reaction_bar=bar)
    if reader_key:
        threads = _threads(shared, reader_key, render, user)
        if threads is not None:
            regions["threads"] = threads
    if "form" in shared["parts"]:
        name = "" if user.is_authenticated or not reader_key else last_signed_name(reader_key)
        if user.is_authenticated or name:
            form = CommentForm(
                article=shared["story"],
                browser="",
                reader_is_guest=not user.is_authenticated,
                initial={"author_name": name},
            )
            form.fields["ts"].initial = page_cache.timestamp_placeholder()
            regions["form"] = render("comments/_comment_form.html", form=form, parent=None)
    if user.is_authenticated:
        regions["nav"] = render("_account_nav.html")
    messages = get_messages(request)
    if messages:
        regions["messages"] = render("_messages.html", messages=messages)
    body = b"".join(
        piece if isinstance(piece, bytes) else regions.get(piece, shared["parts"][piece])
        for piece in shared["pieces"]
    )
    response = HttpResponse(body % page_cache.response_tokens(request, story.pk))
    response["Cache-Control"] = "no-cache, private"
    patch_vary_headers(response, ["Cookie"])
    return response


def _threads(shared, reader_key, render, user):
    """Return the threads region for the reader, or None when it is the shared one."""
    fragments = shared["fragments"]
    liked = {pk for (pk,) in _likes.rows(reader_key, shared["story"].pk)} & fragments.keys()
    own = _own_comments.objects(shared["story"].pk, reader_key)
    if not liked and not own:
        return None
    levels, extra, added_roots, held = dict(shared["levels"]), {}, [], {}
    names = dict(shared["names"])
    replying = dict(shared["replying"])
    for comment in own:
        comment.user = user if user.is_authenticated else None
        names[comment.pk] = comment.author_name
        if comment.status != Comment.Status.PENDING:
            continue
        node = _place_held(shared, comment, levels, replying, extra, added_roots)
        if node is not None:
            held[comment.pk] = comment
    mine = {comment.pk: comment for comment in own if comment.pk in levels}
    if not liked and not mine:
        return None

    def fragment(pk):
        comment = mine.get(pk)
        if comment is None:
            html = fragments[pk]
            if pk in liked:
                html = html.replace(LIKE_OFF, LIKE_ON, 1).replace(ICON_OFF, ICON_ON, 1)
            return html.decode()
        parent = replying.get(pk)
        node = Node(
            comment,
            level=levels[pk],
            replying_to=Comment(pk=parent, author_name=names[parent]) if parent else None,
            mine=True,
            editable=comment.is_editable(),
            liked=pk in liked,
        )
        return render("comments/_comment.html", node=node, comment=comment).decode()

    skeletons = list(shared["skeletons"])
    for offset, (position, _key, node) in enumerate(sorted(added_roots, key=lambda a: a[:2])):
        skeletons.insert(position + offset, node)
    return threads_html(skeletons, fragment, extra=extra).encode()


def _place_held(shared, comment, levels, replying, extra, added_roots):
    """Find the held comment's place on the page, as the page would show it; None if elsewhere."""
    if comment.parent_id is None:
        if shared["focused"]:
            return None
        key = _sort_key(comment, shared["sort"])
        position = bisect.bisect_left(shared["roots"], key)
        if (position == 0 and shared["paged"]) or (
            position == len(shared["roots"]) and shared["more"]
        ):
            return None  # it sorts onto another page
        node = Skeleton(comment.pk, 0)
        added_roots.append((position, key, node))
    else:
        parent_level = levels.get(comment.parent_id)
        if parent_level is None:
            return None
        node = Skeleton(comment.pk, min(parent_level + 1, MAX_LEVEL))
        if parent_level == MAX_LEVEL:
            replying[comment.pk] = comment.parent_id
        extra.setdefault(comment.parent_id, []).append(node)
    levels[comment.pk] = node.level
    return node
