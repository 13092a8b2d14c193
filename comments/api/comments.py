"""Comments: a story's threads, posting, editing, deleting, likes and reports, and post tokens."""

from urllib.parse import urlencode

from django.conf import settings
from django.middleware.csrf import get_token
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import exceptions, generics, status
from rest_framework.response import Response
from rest_framework.views import APIView

from articles.models import Article

from .. import services, tokens
from ..models import Comment
from ..readers import known_reader_key
from ..serializers import (
    CommentCreateSerializer,
    CommentEditSerializer,
    CommentPageSerializer,
    CommentQuerySerializer,
    CommentReportSerializer,
    CommentSerializer,
    CsrfTokenSerializer,
    LikeSerializer,
)
from ..threads import thread_page
from .base import (
    CONFLICT,
    REFUSED,
    AnyReader,
    CommentRejected,
    IsAuthor,
    ReaderAPIView,
    StoryMixin,
    as_node,
    query_errors,
    reader_of,
    service_errors,
)


@extend_schema_view(
    get=extend_schema(
        operation_id="listComments",
        summary="A page of a story's comment threads",
        parameters=[CommentQuerySerializer],
        responses=CommentPageSerializer,
    ),
    post=extend_schema(
        operation_id="postComment",
        summary="Post a comment or a reply",
        description=(
            "Guests give `author_name` (and optionally `author_email`, never shown); signed-in "
            "readers post as themselves. 201: published. 202: held for moderation, visible to "
            "its author only. 422 `comment_rejected`: a rule (such as a banned word) rejected it; "
            "it is kept for moderators but never shown. 403 `comments_closed` or `banned`: refused "
            "and not kept. 429: too fast. A client without cookies becomes a new guest and gets "
            "the reader cookie; with the cookie, send the CSRF token (GET /api/csrf/) in "
            "`X-CSRFToken`.\n\n"
            "Posting token: GET /api/csrf/ answers a `posting_token` too; send it as "
            "`posting_token` in the body or in the `X-Posting-Token` header, from the same "
            "browser (the `csrftoken` cookie it was issued with). Each token posts one comment. "
            "A comment without a valid token (missing, unsigned, expired) is accepted but held "
            "for moderation (202, rule `posting_token`); a token already used, or issued to "
            "another browser, is refused (400)."
        ),
        parameters=[
            OpenApiParameter(
                "X-Posting-Token",
                location=OpenApiParameter.HEADER,
                required=False,
                description="The posting token, if not sent as `posting_token` in the body.",
            )
        ],
        request=CommentCreateSerializer,
        responses={201: CommentSerializer, 202: CommentSerializer, **REFUSED},
    ),
)
@query_errors(CommentQuerySerializer)
class CommentList(ReaderAPIView, StoryMixin, generics.GenericAPIView):
    serializer_class = CommentSerializer

    def get(self, request, slug):
        # A plain dict: DRF reads "?page_size=" from a QueryDict as if it were absent.
        query = CommentQuerySerializer(data=request.query_params.dict())
        query.is_valid(raise_exception=True)
        options = query.validated_data
        page = thread_page(
            self.article,
            reader_key=known_reader_key(request._request),
            sort="picks" if options.get("picks") else options["sort"],
            cursor=options.get("cursor", ""),
            thread=options.get("thread"),
            size=options.get("page_size"),
        )
        next_url = None
        if page.next_cursor:
            params = {**request.query_params.dict(), "cursor": page.next_cursor}
            next_url = request.build_absolute_uri(f"{request.path}?{urlencode(params)}")
        data = {"sort": page.sort, "next": next_url, "results": page.threads}
        return Response(CommentPageSerializer(data, context=self.get_serializer_context()).data)

    def post(self, request, slug):
        article = self.article
        incoming = CommentCreateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        parent = None
        if data["parent"] is not None:
            parent = Comment.objects.filter(pk=data["parent"]).first()
            if parent is None:
                message = _("The comment you are replying to is no longer available.")
                raise exceptions.ValidationError({"parent": [message]})
        reader = reader_of(request)
        with service_errors():
            comment = services.comment_submit(
                article=article,
                reader=reader,
                body=data["body"],
                author_name=data["author_name"],
                author_email=data["author_email"],
                parent=parent,
                user_agent=request.headers.get("User-Agent", ""),
                token=tokens.Presented.api(
                    request._request,
                    data["posting_token"] or request.headers.get("X-Posting-Token", ""),
                ),
                notify_replies=data["notify_replies"],
            )
        if comment.status in (Comment.Status.REJECTED, Comment.Status.SPAM):
            raise CommentRejected({"body": [Comment.NOT_PUBLISHED_MESSAGE]})
        held = comment.status == Comment.Status.PENDING
        return Response(
            self.get_serializer(as_node(comment, reader.key)).data,
            status=status.HTTP_202_ACCEPTED if held else status.HTTP_201_CREATED,
        )


# One comment


class CommentMixin(ReaderAPIView):
    serializer_class = CommentSerializer
    permission_classes = [AnyReader, IsAuthor]

    def get_queryset(self):
        return (
            Comment.objects.visible_to(known_reader_key(self.request._request))
            .filter(article__in=Article.objects.published())
            .select_related("article", "user")
        )

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if hasattr(self, "object"):
            context["article"] = self.object.article
        return context

    def get_object(self):
        self.object = super().get_object()
        return self.object

    def respond(self, comment, reader_key):
        return Response(self.get_serializer(as_node(comment, reader_key)).data)


@extend_schema_view(
    get=extend_schema(
        operation_id="getComment", summary="One comment (its replies are in the thread list)"
    ),
    patch=extend_schema(
        operation_id="editComment",
        summary="Edit your own comment",
        description="Within the edit window; the edit goes through moderation again.",
        request=CommentEditSerializer,
        responses={200: CommentSerializer, 403: REFUSED[403]},
    ),
    delete=extend_schema(
        operation_id="deleteComment",
        summary="Delete your own comment",
        description="Readers then see a placeholder; its replies stay.",
    ),
)
class CommentDetail(CommentMixin, generics.RetrieveDestroyAPIView):
    http_method_names = ["get", "patch", "delete", "head", "options"]

    def retrieve(self, request, pk):
        return self.respond(self.get_object(), known_reader_key(request._request))

    def patch(self, request, pk):
        comment = self.get_object()
        incoming = CommentEditSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        reader = reader_of(request)
        with service_errors():
            services.comment_edit(comment=comment, reader=reader, body=incoming.data["body"])
        return self.respond(comment, reader.key)

    def perform_destroy(self, comment):
        with service_errors():
            services.comment_delete(comment=comment, reader=reader_of(self.request))


@extend_schema_view(
    put=extend_schema(
        operation_id="likeComment",
        summary="Like a comment",
        request=None,
        responses={200: LikeSerializer, **CONFLICT},
    ),
    delete=extend_schema(
        operation_id="unlikeComment",
        summary="Take back your like",
        request=None,
        responses={200: LikeSerializer, **CONFLICT},
    ),
)
class CommentLike(CommentMixin, generics.GenericAPIView):
    """Likes are idempotent: liking twice leaves one like."""

    permission_classes = [AnyReader]

    def put(self, request, pk):
        return self.like(request, liked=True)

    def delete(self, request, pk):
        return self.like(request, liked=False)

    def like(self, request, *, liked):
        comment = self.get_object()
        with service_errors():
            liked, count = services.comment_like_toggle(
                comment=comment, reader=reader_of(request), liked=liked
            )
        return Response(LikeSerializer({"liked": liked, "like_count": count}).data)


@extend_schema_view(
    post=extend_schema(
        operation_id="reportComment",
        summary="Report a comment to the editors",
        description="Once per reader and comment: a repeat is 409.",
        responses={201: CommentReportSerializer, **CONFLICT},
    )
)
class CommentReport(CommentMixin, generics.CreateAPIView):
    serializer_class = CommentReportSerializer
    permission_classes = [AnyReader]

    def perform_create(self, serializer):
        with service_errors():
            serializer.instance = services.comment_report(
                comment=self.get_object(),
                reader=reader_of(self.request),
                **serializer.validated_data,
            )


class CsrfToken(APIView):
    """A CSRF token for unsafe requests, and a posting token for the next comment."""

    authentication_classes = []

    @extend_schema(
        operation_id="getCsrfToken",
        description=(
            "Sets the `csrftoken` cookie. `posting_token` is good for one comment, from this "
            "browser (the same `csrftoken` cookie), for "
            f"{settings.NEWSROOM['POSTING_TOKEN_MAX_AGE_MINUTES']} minutes: fetch one for "
            "each comment you post."
        ),
        responses=CsrfTokenSerializer,
    )
    def get(self, request):
        csrf = get_token(request._request)
        posting = tokens.make_posting_token(browser=tokens.issuing_browser(request._request))
        return Response(CsrfTokenSerializer({"csrf_token": csrf, "posting_token": posting}).data)
