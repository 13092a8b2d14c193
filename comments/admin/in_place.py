"""A held or rejected comment shown to a moderator where it sits on the story page.

A page of its own under the admin, not a variant of the story page: it needs the moderation
permission (the admin's login wall answers everyone else), is never cached (admin views are
`never_cache`) and never goes near the story page's cache (articles.page_cache), so nothing of
it can reach a reader. It renders the story template with the comment's thread as readers see
it, plus the comment and the replies it hangs from, each hidden one marked with its status and
with Approve/Reject buttons that post to the desk's one-click decision.
"""

from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.translation import gettext_lazy

from articles.views import ArticleDetailView

from ..models import Comment
from ..threads import DEFAULT_SORT, PAGE_FIELDS, ThreadPage, build_threads

Status = Comment.Status
DECISIONS = [(Status.APPROVED, gettext_lazy("Approve")), (Status.REJECTED, gettext_lazy("Reject"))]


def in_place_url(comment):
    return reverse("admin:comments_comment_in_place", args=[comment.pk])


def in_place_page(comment):
    """Return a ThreadPage of the comment's thread: what readers see, plus its path to the root."""
    root = comment.thread_id or comment.pk
    parents = dict(Comment.objects.filter(thread_id=root).values_list("pk", "parent_id").order_by())
    path_ids, at = set(), comment.pk
    while at is not None and at not in path_ids:
        path_ids.add(at)
        at = parents.get(at)
    path_ids.add(root)
    shown = (
        (Comment.objects.visible() | Comment.objects.filter(pk__in=path_ids))
        .select_related("user")
        .only(*PAGE_FIELDS, "moderation_reason")
    )
    roots = list(shown.filter(pk=root))
    replies = shown.filter(thread_id=root).order_by("created_at", "id")
    return ThreadPage(build_threads(roots, replies), DEFAULT_SORT, focused=True)


class InPlaceMixin:
    """The in-place view, mixed into CommentAdmin."""

    def in_place_urls(self):
        return [
            path(
                "<int:object_id>/in-place/",
                self.admin_site.admin_view(self.in_place_view),
                name="comments_comment_in_place",
            )
        ]

    def view_on_site(self, obj):
        # Readers' pages never show a hidden comment: moderators see it on a page of their own.
        if obj.is_visible:
            return obj.get_absolute_url()
        return f"{in_place_url(obj)}#c{obj.pk}"

    def in_place_view(self, request, object_id):
        if not self.has_moderate_permission(request):
            return self._denied(request)
        comment = get_object_or_404(Comment.objects.select_related("article"), pk=object_id)
        view = ArticleDetailView(request=request, args=(), kwargs={})
        view.object = comment.article
        context = view.get_context_data(object=comment.article)
        context.update(
            comment_page=in_place_page(comment),
            comment_paged=False,
            comment_more_url="",
            in_place_back=f"{in_place_url(comment)}#c{comment.pk}",
            in_place_decisions=DECISIONS,
        )
        return view.render_to_response(context)
