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
  (`comments.threads.Skeleton`), as `{% comment_threads %}` rendered them (a comment unchanged
  since an earlier version is not drawn again: comments.fragments).
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
from types import SimpleNamespace

from django.contrib.auth.models import AnonymousUser
from django.contrib.messages import get_messages
from django.http import HttpResponse
from django.template import Context, engines
from django.utils.cache import patch_vary_headers
from django.utils.html import escape

from accounts.models import needs_confirmation
from comments.forms import CommentForm
from comments.models import Comment, CommentLike, Reaction
from comments.readers import known_reader_key
from comments.story import last_signed_name
from comments.threads import MAX_LEVEL, PAGE_FIELDS, Node, Replies, Skeleton, thread_pieces
from newsroom.prepared import prepared

from . import page_cache

# In the context of the shared render only: fence each reader_part.
SHARED_RENDER = "story_page_shared_render"
# The like button as _comment.html draws it, not liked and liked: the same markup otherwise.
LIKE_OFF = b'aria-pressed="false" '
LIKE_ON = b'aria-pressed="true" '
ICON_OFF = 'class="comment__icon">\u2661</span>'.encode()
ICON_ON = 'class="comment__icon">\u2665</span>'.encode()
# Fragments of readers' own comments kept with one page version in one worker, at most.
OWN_FRAGMENTS_KEPT = 256
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


def shared_parts(html, context, request):
    """Cut the page rendered for the cache at its fences; return (its HTML, the shared parts)."""
    cut = _fences().split(html)
    texts, names, regions = cut[0::3], cut[1::3], cut[2::3]
    pieces = [page_cache.as_template(texts[0])]
    for name, text in zip(names, texts[1:], strict=True):
        pieces += [name, page_cache.as_template(text)]
    plain = "".join(t + r for t, r in zip(texts, [*regions, ""], strict=True))
    parts = {name: page_cache.as_template(r) for name, r in zip(names, regions, strict=True)}
    article, page = context["article"], context["comment_page"]
    shared = {
        "pieces": pieces,
        "parts": parts,
        "story": Story(article.pk, article.slug, article.get_absolute_url()),
        "comments_open": context.get("comments_open", False),
        "sort": page.sort,
        "more": bool(page.next_cursor),
        "paged": bool(context.get("comment_paged")),
        "focused": page.focused,
        "roots": [_sort_key(node.comment, page.sort) for node in page.threads],
    }
    render = _Renderer(request, shared)
    if "threads" in parts:
        shared.update(_shared_threads(page, context.get("comment_fragments") or {}))
    if (bar := context.get("reaction_bar")) is not None and "reactions" in parts:
        shared["pressed"] = {
            item.key: render("comments/_reactions.html", reaction_bar=_pressed(bar, item.key))
            for item in bar.items
        }
    # The regions that show a name: drawn once with a placeholder where the name goes.
    account = SimpleNamespace(
        is_authenticated=True, is_staff=False, get_username=_name(), get_full_name=_name()
    )
    # An account whose email is not yet confirmed is told so in the form, with a resend link.
    unconfirmed = SimpleNamespace(**vars(account), account=SimpleNamespace(needs_confirmation=True))
    if "form" in parts and context.get("comment_form") is not None:
        shared["form_as"] = {
            "guest": render("comments/_comment_form.html", form=_form(shared, True), parent=None),
            **{
                variant: render(
                    "comments/_comment_form.html", form=_form(shared, False), parent=None, user=who
                )
                for variant, who in [("account", account), ("unconfirmed", unconfirmed)]
            },
        }
    shared["nav_as_account"] = render("_account_nav.html", user=account)
    return plain, shared


def _name():
    return page_cache.placeholder("name")


def _form(shared, guest):
    form = CommentForm(
        article=shared["story"], browser="", reader_is_guest=guest, initial={"author_name": _name()}
    )
    form.fields["ts"].initial = page_cache.timestamp_placeholder()
    return form


def _pressed(bar, key):
    bar = copy.copy(bar)
    bar.items = [replace(item, pressed=item.key == key) for item in bar.items]
    return bar


def _shared_threads(page, sink):
    """Return the threads region as the page drew it, and where in it each comment sits."""
    fragments = {pk: page_cache.as_template(html) for pk, html in sink.get("fragments", {}).items()}
    region, spans, places, root_at = [], {}, {}, []
    size = 0
    for piece in thread_pieces(sink.get("skeletons", [])):
        if isinstance(piece, Replies):
            places[piece.pk] = (size, piece.wrap)
            continue
        if isinstance(piece, int):
            data = fragments[piece]
            spans[piece] = (size, size + len(data))
        else:
            if piece.startswith('<li class="comment-node comment-node--level-0"'):
                root_at.append(size)
            data = piece.encode()
        region.append(data)
        size += len(data)
    root_at.append(size)
    levels, replying, names, bodies = {}, {}, {}, {}
    stack = list(page.threads)
    while stack:
        node = stack.pop()
        levels[node.comment.pk] = node.level
        names[node.comment.pk] = node.comment.author_name
        # Only a body with an "@" can hold a mention: the others need not be drawn again here,
        # now that their fragments may come from earlier versions (comments.fragments).
        if "@" in node.comment.body and 'class="mention"' in node.body_html():
            # Its mentions were resolved from the whole thread, which a reader's region lacks.
            bodies[node.comment.pk] = node.body_html()
        if node.replying_to is not None:
            replying[node.comment.pk] = node.replying_to.pk
        stack.extend(node.children)
    return {
        "threads": b"".join(region),
        "spans": spans,
        "places": places,
        "root_at": root_at,
        "levels": levels,
        "replying": replying,
        "names": names,
        "bodies": bodies,
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
    return (-moment, -comment.pk) if sort in ("newest", "picks") else (moment, comment.pk)


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
    own = own.visible_to(reader_key).by_reader(reader_key)
    return own.only(*OWN_FIELDS).order_by("created_at", "id")


class _Renderer:
    """Renders a reader's regions in the context the shared page had, tokens as placeholders."""

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


def _named(template, name):
    return template.replace(_name().encode(), escape(name).replace("%", "%%").encode())


def respond(request, story, entry):
    """Answer a known reader from the cached entry, their own regions laid over it."""
    shared = entry["reader_parts"]
    user = request.user
    reader_key = known_reader_key(request)
    regions = {}
    if reader_key and "pressed" in shared:
        row = _reaction.first_row(story.pk, reader_key)
        if row is not None and row[0] in shared["pressed"]:
            regions["reactions"] = shared["pressed"][row[0]]
    if reader_key and "threads" in shared:
        threads = _threads(request, shared, reader_key)
        if threads is not None:
            regions["threads"] = threads
    if "form_as" in shared:
        if user.is_authenticated:
            name = user.get_full_name() or user.get_username()  # as _comment_form.html shows it
            variant = "unconfirmed" if needs_confirmation(user) else "account"
            regions["form"] = _named(shared["form_as"][variant], name)
        elif reader_key and (name := last_signed_name(reader_key)):
            regions["form"] = _named(shared["form_as"]["guest"], name)
    if user.is_authenticated:
        regions["nav"] = _named(shared["nav_as_account"], user.get_username())
        if user.is_staff:  # only a reader who became staff since; staff pages are rendered whole
            regions["nav"] = _Renderer(request, shared)("_account_nav.html")
    messages = get_messages(request)
    if messages:
        regions["messages"] = _Renderer(request, shared)("_messages.html", messages=messages)
    body = b"".join(
        piece if isinstance(piece, bytes) else regions.get(piece, shared["parts"][piece])
        for piece in shared["pieces"]
    )
    response = HttpResponse(body % page_cache.response_tokens(request, story.pk))
    response["Cache-Control"] = "no-cache, private"
    patch_vary_headers(response, ["Cookie"])
    return response


def _threads(request, shared, reader_key):
    """Return the threads region for the reader, or None when it is the shared one.

    Edits the shared region at the places it recorded: a liked comment's button, the reader's
    own comments drawn for them, their held comments put in where the page would show them.
    """
    spans = shared["spans"]
    liked = {pk for (pk,) in _likes.rows(reader_key, shared["story"].pk)} & spans.keys()
    own = _own_comments.objects(shared["story"].pk, reader_key)
    if not liked and not own:
        return None
    render = _Renderer(request, shared)  # built only when a fragment must be drawn (below)
    levels, replying, names = dict(shared["levels"]), dict(shared["replying"]), shared["names"]
    names = {**names, **{comment.pk: comment.author_name for comment in own}}
    edits = {}  # offset in the region: [end of what it replaces, pieces put there]
    after = {}  # held comment pk: the list its later held replies join

    def fragment(comment, level):
        parent, editable = replying.get(comment.pk), comment.is_editable()
        # Drawn once per version of the page and kept with it: only its author is ever given it
        # (their own-comments query found it), and an edit, a decision or a like makes a new
        # version. `user` is the author's, for the Staff badge: never a staff member here.
        key = (comment.pk, level, parent, editable, comment.pk in liked)
        if (html := drawn_own.get(key)) is None:
            comment.user = request.user if request.user.is_authenticated else None
            node = Node(
                comment,
                level=level,
                replying_to=Comment(pk=parent, author_name=names[parent]) if parent else None,
                mine=True,
                editable=editable,
                liked=comment.pk in liked,
                rendered_body=shared.get("bodies", {}).get(comment.pk, ""),
            )
            html = render("comments/_comment.html", node=node, comment=comment)
            if len(drawn_own) < OWN_FRAGMENTS_KEPT:
                drawn_own[key] = html
        return html

    drawn_own = shared.setdefault("own", {})

    held = {}
    for comment in own:
        if comment.pk in spans:
            start, end = spans[comment.pk]
            edits[start] = [end, [fragment(comment, levels[comment.pk])]]
        elif comment.status == Comment.Status.PENDING:
            node = _place_held(shared, comment, levels, replying, after, edits)
            if node is not None:
                held[comment.pk] = (comment, node)
    for pk in liked - {comment.pk for comment in own}:
        start, end = spans[pk]
        html = shared["threads"][start:end]
        edits[start] = [end, [html.replace(LIKE_OFF, LIKE_ON, 1).replace(ICON_OFF, ICON_ON, 1)]]
    if not edits:
        return None
    drawn = {pk: fragment(comment, node.level) for pk, (comment, node) in held.items()}
    region, done = shared["threads"], 0
    out = []
    for offset in sorted(edits):
        end, items = edits[offset]
        out.append(region[done:offset])
        for item in items:
            out.append(item if isinstance(item, bytes) else _held_html(item, drawn))
        done = max(done, end)
    out.append(region[done:])
    return b"".join(out)


def _held_html(item, drawn):
    wrap, nodes = item
    pieces = thread_pieces(nodes)
    html = b"".join(
        piece.encode()
        if isinstance(piece, str)
        else drawn[piece]
        if isinstance(piece, int)
        else b""
        for piece in pieces
    )
    return b'<ol class="comment-replies">' + html + b"</ol>" if wrap else html


def _place_held(shared, comment, levels, replying, after, edits):
    """Put a held comment where the page would show it; return its Skeleton, or None if elsewhere.

    A held reply goes after its parent's replies (after the parent itself at the last level); a
    held top-level comment goes where its sort puts it among the page's threads. `after` keeps,
    for each held comment placed, its Skeleton and the list it sits in, for its own held replies.
    """
    parent = comment.parent_id
    if shared["sort"] == "picks" and not shared["focused"]:
        return None  # the picks view shows editor's picks alone, and a held comment is none
    if parent is None:
        if shared["focused"]:
            return None
        position = bisect.bisect_left(shared["roots"], _sort_key(comment, shared["sort"]))
        if (position == 0 and shared["paged"]) or (
            position == len(shared["roots"]) and shared["more"]
        ):
            return None  # it sorts onto another page
        node, home = Skeleton(comment.pk, 0), []
        offset = shared["root_at"][position]
        edits.setdefault(offset, [offset, []])[1].append((False, home))
    elif parent in after:
        parent_node, parent_home = after[parent]
        node = Skeleton(comment.pk, min(parent_node.level + 1, MAX_LEVEL))
        home = parent_node.children if parent_node.level < MAX_LEVEL else parent_home
    elif parent in shared["places"]:
        node = Skeleton(comment.pk, min(levels[parent] + 1, MAX_LEVEL))
        offset, wrap = shared["places"][parent]
        items = edits.setdefault(offset, [offset, []])[1]
        group = next((item for item in items if isinstance(item, tuple)), None)
        if group is None:
            group = (wrap, [])
            items.append(group)
        home = group[1]
    else:
        return None
    if parent is not None and levels[parent] == MAX_LEVEL:
        replying[comment.pk] = parent
    home.append(node)
    levels[comment.pk] = node.level
    after[comment.pk] = (node, home)
    return node
