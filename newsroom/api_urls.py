"""The REST API and its OpenAPI description, mounted under /api/."""

from django.http import JsonResponse
from django.urls import path, re_path
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from articles import api as articles_api
from comments import api as comments_api


# Exempt: it changes nothing, and a CSRF refusal here would be an HTML page, not the API's JSON.
@csrf_exempt
def not_found(request, path=""):
    """Answer unknown API paths in the API's own JSON error shape, not an HTML page."""
    error = {"code": "not_found", "detail": _("No API endpoint at this address."), "attr": None}
    return JsonResponse({"type": "client_error", "errors": [error]}, status=404)


urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
    path("articles/", articles_api.ArticleList.as_view(), name="article-list"),
    path("articles/<slug:slug>/", articles_api.ArticleDetail.as_view(), name="article-detail"),
    path("comment-counts/", articles_api.CommentCounts.as_view(), name="comment-counts"),
    path("csrf/", comments_api.CsrfToken.as_view(), name="csrf"),
    path(
        "articles/<slug:slug>/comments/",
        comments_api.CommentList.as_view(),
        name="article-comments",
    ),
    path(
        "articles/<slug:slug>/reactions/",
        comments_api.StoryReactions.as_view(),
        name="article-reactions",
    ),
    path("comments/<int:pk>/", comments_api.CommentDetail.as_view(), name="comment-detail"),
    path("comments/<int:pk>/like/", comments_api.CommentLike.as_view(), name="comment-like"),
    path("comments/<int:pk>/report/", comments_api.CommentReport.as_view(), name="comment-report"),
    path(
        "moderation/comments/",
        comments_api.ModerationQueue.as_view(),
        name="moderation-queue",
    ),
    path(
        "moderation/comments/<int:pk>/approve/",
        comments_api.ApproveComment.as_view(),
        name="moderation-approve",
    ),
    path(
        "moderation/comments/<int:pk>/reject/",
        comments_api.RejectComment.as_view(),
        name="moderation-reject",
    ),
    path(
        "moderation/comments/<int:pk>/spam/",
        comments_api.MarkCommentSpam.as_view(),
        name="moderation-spam",
    ),
    path(
        "moderation/comments/<int:pk>/keep/",
        comments_api.KeepComment.as_view(),
        name="moderation-keep",
    ),
    path(
        "moderation/comments/<int:pk>/ban/",
        comments_api.BanCommentAuthor.as_view(),
        name="moderation-ban",
    ),
    # (?s): an encoded newline in the path must not slip past to the HTML 404 page.
    re_path(r"^(?P<path>(?s:.*))$", not_found),
]
