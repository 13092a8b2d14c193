"""The comment section of a story page: its context, and the form a reader starts with."""

from urllib.parse import urlencode

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext_lazy

from newsroom.prepared import prepared

from . import tokens
from .forms import CommentForm
from .models import Comment
from .readers import known_reader_key
from .threads import parse_sort, thread_page


def request_reader_key(request):
    """Return the reader key the request was given, or the one its session or cookie names."""
    reader = getattr(request, "_reader", None)
    return reader.key if reader is not None else known_reader_key(request)


def _as_int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def story_context(request, article, *, form=None):
    """Return the template context of a story's comment section."""
    reader_key = request_reader_key(request)
    sort = parse_sort(request.GET.get("sort"))
    cursor = request.GET.get("after", "")
    thread = _as_int(request.GET.get("thread"))
    page = thread_page(article, reader_key=reader_key, sort=sort, cursor=cursor, thread=thread)
    if thread is not None and not page.threads:
        page = thread_page(article, reader_key=reader_key, sort=sort)
    if form is None and article.comments_open:
        form = new_comment_form(request, article, reader_key)
    story_url = article.get_absolute_url()
    return {
        "comment_page": page,
        "comment_count": article.comments.live().count(),
        "comment_form": form,
        "comments_open": article.comments_open,
        "comment_paged": bool(cursor),
        "comment_sorts": [
            (key, label, f"{story_url}?{urlencode({'sort': key})}#comments")
            for key, label in SORT_LABELS
        ],
        "comment_more_url": (
            f"{story_url}?{urlencode({'sort': page.sort, 'after': page.next_cursor})}#comments"
            if page.next_cursor
            else ""
        ),
        "comment_list_url": reverse("comment_list", kwargs={"slug": article.slug}),
        "can_see_deleted": request.user.is_staff,
        "comment_max_length": settings.NEWSROOM["COMMENT_MAX_LENGTH"],
    }


def new_comment_form(request, article, reader_key, **kwargs):
    """An empty comment form; a returning guest finds the name they signed their last one with."""
    kwargs["browser"] = tokens.issuing_browser(request)
    if request.user.is_authenticated:
        return CommentForm(article=article, reader_is_guest=False, **kwargs)
    initial = {}
    if reader_key:
        initial["author_name"] = last_signed_name(reader_key)
    return CommentForm(article=article, initial=initial, **kwargs)


@prepared
def _last_names(reader_key):
    return (
        Comment.objects.by_reader(reader_key).order_by("-created_at").values_list("author_name")[:1]
    )


def last_signed_name(reader_key):
    """Return the name a reader signed their last comment with, or ""."""
    row = _last_names.first_row(reader_key)
    return row[0] if row else ""


SORT_LABELS = [
    ("oldest", gettext_lazy("Oldest")),
    ("newest", gettext_lazy("Newest")),
    ("liked", gettext_lazy("Most liked")),
    ("picks", gettext_lazy("Editor’s picks")),
]
