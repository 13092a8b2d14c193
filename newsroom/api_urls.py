"""The REST API and its OpenAPI description, mounted under /api/."""

from django.http import JsonResponse
from django.urls import path, re_path
from django.utils.translation import gettext as _
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from articles import api as articles_api


def not_found(request, path=""):
    """Answer unknown API paths in the API's own JSON error shape, not an HTML page."""
    error = {"code": "not_found", "detail": _("No API endpoint at this address."), "attr": None}
    return JsonResponse({"type": "client_error", "errors": [error]}, status=404)


urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
    path("articles/", articles_api.ArticleList.as_view(), name="article-list"),
    path("articles/<str:slug>/", articles_api.ArticleDetail.as_view(), name="article-detail"),
    path("comment-counts/", articles_api.CommentCounts.as_view(), name="comment-counts"),
    re_path(r"^(?P<path>.*)$", not_found),
]
