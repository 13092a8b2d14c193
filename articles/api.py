import re

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import slug_re
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from drf_standardized_errors.openapi_validation_errors import extend_validation_errors
from rest_framework import exceptions, generics, pagination, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from comments.models import Comment
from comments.reactions import reaction_bar

from .models import Article
from .serializers import ArticleDetailSerializer, ArticleSerializer, CommentCountSerializer

MAX_BATCH = 100
BASE64 = re.compile(r"([A-Za-z0-9+/]+={0,2})?")  # empty: the first page, as DRF reads it


class StrictCursorPagination(pagination.CursorPagination):
    """Cursor pagination that answers a bad page_size with 400 instead of silently ignoring it."""

    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100

    def get_page_size(self, request):
        values = request.query_params.getlist(self.page_size_query_param)
        if not values:
            return self.page_size
        try:
            [value] = values
            size = int(value)
        except ValueError:
            size = 0
        if not 1 <= size <= self.max_page_size:
            message = _("Give one whole number from 1 to %(max)d.") % {"max": self.max_page_size}
            raise serializers.ValidationError({self.page_size_query_param: message}, "invalid")
        return size

    def paginate_queryset(self, queryset, request, view=None):
        self.model = queryset.model
        return super().paginate_queryset(queryset, request, view)

    def decode_cursor(self, request):
        """Answer a cursor this API did not hand out with 400, naming it, like any bad value."""
        message = _("This is not a cursor from this list: take it from `next` or `previous`.")
        invalid = serializers.ValidationError({self.cursor_query_param: message}, "invalid")
        encoded = request.query_params.get(self.cursor_query_param)
        # b64decode skips what is not base64, so "%00" would otherwise read as the first page.
        if encoded is not None and not BASE64.fullmatch(encoded):
            raise invalid
        try:
            cursor = super().decode_cursor(request)
        except exceptions.NotFound as error:
            raise invalid from error
        if cursor is None or cursor.position is None:
            return cursor
        # The position lands in a WHERE clause: it must be a value of the ordering field.
        field = self.model._meta.get_field(self.ordering[0].lstrip("-"))
        try:
            if "\x00" in cursor.position:
                raise DjangoValidationError("NUL")
            field.get_prep_value(field.to_python(cursor.position))
        except (DjangoValidationError, ValueError, OverflowError) as error:
            raise invalid from error
        return cursor

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"].update({"minimum": 1, "maximum": self.max_page_size})
        return parameters


class ArticlePagination(StrictCursorPagination):
    ordering = ("-published_at", "-id")


def paginated(view):
    """Document the 400s a bad page_size or cursor gets, on a list using StrictCursorPagination."""
    for name in ("page_size", "cursor"):
        view = extend_validation_errors(["invalid"], field_name=name, methods=["get"])(view)
    return view


@extend_schema_view(get=extend_schema(operation_id="listArticles"))
@paginated
class ArticleList(generics.ListAPIView):
    """Published stories, newest first."""

    serializer_class = ArticleSerializer
    pagination_class = ArticlePagination

    def get_queryset(self):
        return (
            Article.objects.published()
            .annotate(comment_count=Comment.objects.count_for())
            .prefetch_related("tags")
        )


@extend_schema_view(get=extend_schema(operation_id="getArticle"))
class ArticleDetail(generics.RetrieveAPIView):
    """One published story with its body, links and reaction tally."""

    serializer_class = ArticleDetailSerializer
    lookup_field = "slug"

    def get_queryset(self):
        return (
            Article.objects.published()
            .annotate(comment_count=Comment.objects.count_for())
            .prefetch_related("links", "tags")
        )

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if "slug" in self.kwargs and getattr(self, "_article", None) is not None:
            context["reaction_tally"] = reaction_bar(self._article).items
        return context

    def get_object(self):
        self._article = super().get_object()
        return self._article


@extend_validation_errors(["required", "max_length", "invalid"], field_name="slug", methods=["get"])
class CommentCounts(APIView):
    """Visible comment counts for many stories in one request, for home pages and embeds."""

    @extend_schema(
        operation_id="getCommentCounts",
        parameters=[
            OpenApiParameter(
                "slug",
                {
                    "type": "array",
                    "items": {
                        "type": "string",
                        "pattern": slug_re.pattern.replace(r"\Z", "$"),
                        "maxLength": Article._meta.get_field("slug").max_length,
                    },
                    "minItems": 1,
                    "maxItems": MAX_BATCH,
                },
                style="form",
                explode=True,
                required=True,
                description=f"A story slug; repeat for up to {MAX_BATCH} stories.",
            )
        ],
        responses=CommentCountSerializer(many=True),
    )
    def get(self, request):
        given = request.query_params.getlist("slug")
        slugs = list(dict.fromkeys(given))
        if not slugs:
            raise serializers.ValidationError(
                {"slug": _("Give at least one story slug.")}, "required"
            )
        if len(given) > MAX_BATCH:
            message = _("Ask for at most %(max)d stories at a time.") % {"max": MAX_BATCH}
            raise serializers.ValidationError({"slug": message}, "max_length")
        max_length = Article._meta.get_field("slug").max_length
        if not all(slug_re.fullmatch(slug) and len(slug) <= max_length for slug in slugs):
            message = _("Give story slugs: letters, digits, hyphens and underscores only.")
            raise serializers.ValidationError({"slug": message}, "invalid")
        articles = (
            Article.objects.published()
            .filter(slug__in=slugs)
            .annotate(comment_count=Comment.objects.count_for())
        )
        counts = {a.slug: a.comment_count for a in articles.only("slug")}
        return Response(
            CommentCountSerializer(
                [{"slug": slug, "comment_count": counts[slug]} for slug in slugs if slug in counts],
                many=True,
            ).data
        )
