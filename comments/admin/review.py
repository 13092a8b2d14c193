"""The review desk: one comment at a time, from the keyboard, deciding in the background.

The page works without JavaScript (its buttons are forms that come back to the next comment);
`comments/review-desk.js` makes each decision instant and saves it with fetch().
"""

from django.db.models import Q
from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from .. import dashboard, moderation
from ..models import Comment, ModerationAction
from .readers import reader_panel_context

Status = Comment.Status
MAX_IDS = 500  # a night's queue; the page reloads the next batch when it runs out
THREAD_AROUND = 8

DECISIONS = {
    "approve": Status.APPROVED,
    "reject": Status.REJECTED,
    "spam": Status.SPAM,
    "pick": Status.APPROVED,
}


def review_queue(queue, article_id=None):
    """The comments a review session walks through, urgent first."""
    if queue == "reported":
        comments = Comment.objects.reported()
    else:
        comments = Comment.objects.in_moderation()
    if article_id:
        comments = comments.filter(article_id=article_id)
    return comments.by_priority()


def queue_params(request):
    queue = request.GET.get("queue", "pending")
    if queue not in {"pending", "reported"}:
        queue = "pending"
    article = request.GET.get("article", "")
    return queue, int(article) if article.isdigit() else None


def queue_query(queue, article_id):
    return urlencode({"queue": queue, **({"article": article_id} if article_id else {})})


def card_context(comment):
    """Everything the desk shows beside one comment; a fixed number of queries."""
    root = comment.thread_id or comment.pk
    around = list(
        Comment.objects.filter(Q(pk=root) | Q(thread_id=root))
        .exclude(pk=comment.pk)
        .filter(
            Q(pk=root)
            | Q(created_at__lte=comment.created_at, parent_id=comment.parent_id)
            | Q(parent_id=comment.pk)
        )
        .order_by("-created_at", "-id")[:THREAD_AROUND]
    )
    around.reverse()
    panel = reader_panel_context(comment.reader_key, latest=comment)
    return {
        "comment": comment,
        "thread": around,
        "reports": list(comment.reports.order_by("created_at", "pk")),
        "revisions": list(comment.revisions.all()),
        "has_open_reports": any(r.resolved_at is None for r in comment.reports.all()),
        **panel,
        "last_five": panel["history"][:5],
    }


def load_comment(pk):
    return get_object_or_404(
        Comment.objects.select_related("article", "parent", "decided_by").prefetch_related(
            "reports"
        ),
        pk=pk,
    )


class ReviewMixin:
    """The review desk's views, mixed into CommentAdmin."""

    def review_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("review/", wrap(self.review_view), name="comments_comment_review"),
            path("review/counts/", wrap(self.review_counts), name="comments_comment_review_counts"),
            path(
                "review/<int:object_id>/card/",
                wrap(self.review_card),
                name="comments_comment_review_card",
            ),
            path(
                "review/<int:object_id>/decide/",
                wrap(require_POST(self.review_decide)),
                name="comments_comment_review_decide",
            ),
            path(
                "review/<int:object_id>/undo/",
                wrap(require_POST(self.review_undo)),
                name="comments_comment_review_undo",
            ),
        ]

    def review_view(self, request):
        if not self.has_moderate_permission(request):
            return self._denied(request)
        queue, article_id = queue_params(request)
        ids = list(review_queue(queue, article_id).values_list("pk", flat=True)[:MAX_IDS])
        at = request.GET.get("at", "")
        current = int(at) if at.isdigit() and int(at) in ids else (ids[0] if ids else None)
        story = None
        if article_id:
            story = Comment.objects.filter(article_id=article_id).select_related("article").first()
        labels = {"pending": _("Pending"), "reported": _("Reported")}
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Review: %(queue)s") % {"queue": labels[queue]}
            + (f" · {story.article.headline}" if story else ""),
            "queue": queue,
            "query": queue_query(queue, article_id),
            "ids": ids,
            "position": ids.index(current) + 1 if current else 0,
            "counts": dashboard.queue_sizes(),
            "review_keys": REVIEW_KEYS,
        }
        if current:
            context.update(card_context(load_comment(current)))
            context.update(self._neighbours(ids, current))
        return TemplateResponse(request, "admin/comments/comment/review.html", context)

    def _neighbours(self, ids, current):
        index = ids.index(current)
        return {
            "previous_id": ids[index - 1] if index > 0 else None,
            "next_id": ids[index + 1] if index + 1 < len(ids) else None,
        }

    def review_card(self, request, object_id):
        if not self.has_moderate_permission(request):
            return self._denied(request)
        queue, article_id = queue_params(request)
        context = {
            "queue": queue,
            "query": queue_query(queue, article_id),
            **card_context(load_comment(object_id)),
        }
        return TemplateResponse(request, "admin/comments/comment/_review_card.html", context)

    def review_counts(self, request):
        if not self.has_moderate_permission(request):
            return self._denied(request)
        queue, article_id = queue_params(request)
        wanted = [int(i) for i in request.GET.get("ids", "").split(",")[:MAX_IDS] if i.isdigit()]
        waiting = review_queue(queue, article_id).filter(pk__in=wanted)
        still = set(waiting.values_list("pk", flat=True))
        counts = dashboard.queue_sizes()
        return JsonResponse(
            {
                "counts": {"pending": counts["pending"], "reported": counts["reported"]},
                "gone": [pk for pk in wanted if pk not in still],
            }
        )

    def review_decide(self, request, object_id):
        if not self.has_moderate_permission(request):
            return self._denied(request)
        comment = get_object_or_404(Comment, pk=object_id)
        decision = request.POST.get("decision", "")
        expected = request.POST.get("expected_status") or None
        if (decision not in DECISIONS and decision != "keep") or (
            expected is not None and expected not in Status.values
        ):
            return self._review_answer(
                request, 400, "invalid", _("Unknown decision; nothing changed."), comment
            )
        one = Comment.objects.filter(pk=comment.pk)
        try:
            if decision == "keep":
                if not moderation.comment_keep(
                    comments=one, actor=request.user, expected_status=expected
                ):
                    return self._review_answer(
                        request,
                        409,
                        "no_open_reports",
                        _("This comment has no open reports; nothing changed."),
                        comment,
                    )
            else:
                moderation.comment_moderate(
                    comments=one,
                    status=DECISIONS[decision],
                    actor=request.user,
                    expected_status=expected,
                )
                if decision == "pick":
                    moderation.comment_feature(comments=one, actor=request.user)
        except moderation.AlreadyDecided as decided:
            return self._review_answer(request, 409, "already_decided", str(decided), comment)
        done = DONE[decision] % {"name": comment.author_name}
        return self._review_answer(request, 200, "ok", done, comment)

    def review_undo(self, request, object_id):
        if not self.has_moderate_permission(request):
            return self._denied(request)
        comment = get_object_or_404(Comment, pk=object_id)
        mine = ModerationAction.objects.filter(comment=comment)
        try:
            undone = moderation.comment_undo(actions=mine, actor=request.user)
        except moderation.AlreadyDecided as decided:
            return self._review_answer(request, 409, "already_decided", str(decided), comment)
        if not undone:
            return self._review_answer(
                request,
                409,
                "too_late",
                _("Nothing of yours to undo on this comment (undo lasts %(seconds)d seconds).")
                % {"seconds": moderation.UNDO_SECONDS},
                comment,
            )
        text = _("Undid your decision on the comment by %(name)s.") % {"name": comment.author_name}
        return self._review_answer(request, 200, "ok", text, comment)

    def _review_answer(self, request, status, code, text, comment):
        """JSON for the desk's script; a message and a redirect for a plain form post."""
        if request.headers.get("Accept") == "application/json":
            return JsonResponse({"code": code, "detail": text}, status=status)
        level = 25 if status == 200 else 30  # messages.SUCCESS, messages.WARNING
        self.message_user(request, text, level)
        queue, article_id = queue_params(request)
        return HttpResponseRedirect(
            reverse("admin:comments_comment_review") + "?" + queue_query(queue, article_id)
        )


DONE = {
    "approve": gettext_lazy("Approved the comment by %(name)s."),
    "reject": gettext_lazy("Rejected the comment by %(name)s."),
    "spam": gettext_lazy("Marked the comment by %(name)s as spam."),
    "pick": gettext_lazy("Approved the comment by %(name)s and made it an editor's pick."),
    "keep": gettext_lazy("Kept the comment by %(name)s; its reports are resolved."),
}

# (key, what it does, label): each is a button too; the script reads data-key.
REVIEW_KEYS = [
    ("j", "next", gettext_lazy("Next")),
    ("k", "previous", gettext_lazy("Previous")),
    ("a", "approve", gettext_lazy("Approve")),
    ("r", "reject", gettext_lazy("Reject")),
    ("s", "spam", gettext_lazy("Spam")),
    ("p", "pick", gettext_lazy("Approve and pick")),
    ("e", "keep", gettext_lazy("Keep (reported)")),
    ("b", "ban", gettext_lazy("Ban form")),
    ("u", "undo", gettext_lazy("Undo last")),
    ("?", "help", gettext_lazy("Show keys")),
]
