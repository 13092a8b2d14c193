"""
The comments API: threads, posting, editing, likes and reports, through the same write path as
the story page (`services`), so the two can never disagree.
"""

from contextlib import contextmanager
from datetime import timedelta
from functools import cached_property
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch
from django.middleware.csrf import get_token
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from drf_standardized_errors.openapi_serializers import ClientErrorEnum, ValidationErrorEnum
from drf_standardized_errors.openapi_validation_errors import extend_validation_errors
from rest_framework import exceptions, generics, permissions, serializers, status
from rest_framework.authentication import SessionAuthentication
from rest_framework.response import Response
from rest_framework.throttling import BaseThrottle
from rest_framework.views import APIView

from articles.api import StrictCursorPagination, paginated
from articles.models import Article

from . import moderation, ratelimits, reactions, services, tokens
from .models import Comment
from .models import CommentReport as Report  # the name CommentReport is the report view's
from .readers import COOKIE_NAME, get_reader, guest_key_from_cookie, known_reader_key
from .serializers import (
    BanRequestSerializer,
    BanSerializer,
    CommentCreateSerializer,
    CommentEditSerializer,
    CommentPageSerializer,
    CommentQuerySerializer,
    CommentReportSerializer,
    CommentSerializer,
    CsrfTokenSerializer,
    LikeSerializer,
    ModerationCommentSerializer,
    ModerationDecisionSerializer,
    ModerationQuerySerializer,
    ReactionBarSerializer,
    ReactionChoiceSerializer,
)
from .threads import MAX_LEVEL, Node, thread_page

# Authentication, permissions and limits


class ReaderAuthentication(SessionAuthentication):
    """Signed-in readers by their session, guests by the signed reader cookie.

    Both identities ride on cookies a browser sends by itself, so a guest's unsafe request must
    pass the CSRF check exactly like a signed-in reader's. A client without cookies is a fresh
    guest: it has nothing to forge.
    """

    def authenticate(self, request):
        signed_in = super().authenticate(request)
        if signed_in is not None:
            return signed_in
        if guest_key_from_cookie(request._request) is None:
            return None
        self.enforce_csrf(request)
        return AnonymousUser(), None


class ReaderAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = ReaderAuthentication
    name = ["sessionCookie", "readerCookie"]

    def get_security_requirement(self, auto_schema):
        # Or neither: a client without cookies posts as a new guest.
        return [*({name: []} for name in self.name), {}]

    def get_security_definition(self, auto_schema):
        return [
            {"type": "apiKey", "in": "cookie", "name": settings.SESSION_COOKIE_NAME},
            {"type": "apiKey", "in": "cookie", "name": COOKIE_NAME},
        ]


class NoChallenge:
    """Refuse with 403, never a 401: cookies carry identity here, there is no auth challenge."""

    def permission_denied(self, request, message=None, code=None):
        raise exceptions.PermissionDenied(message)


class AnyReader(permissions.AllowAny):
    """Anyone, signed in or guest, may read and write as a reader.

    Refusals still happen, with 403: a failed CSRF check, a closed story, a banned reader.
    """


class IsAuthor(permissions.BasePermission):
    message = gettext_lazy("You can only change your own comments.")

    def has_object_permission(self, request, view, obj):
        if request.method in permissions.SAFE_METHODS:
            return True
        return obj.is_by(known_reader_key(request._request))


class ReaderWriteThrottle(BaseThrottle):
    """Cap each reader's and each network's writes through the API, whatever the action.

    Actions keep their own, tighter limits (comments, likes, reactions) in the write path.
    """

    def allow_request(self, request, view):
        if request.method in permissions.SAFE_METHODS:
            return True
        try:
            ratelimits.enforce(
                group="api-write",
                reader=reader_of(request),
                per_reader=settings.NEWSROOM["API_WRITE_RATE"],
                per_network=settings.NEWSROOM["API_WRITE_NETWORK_RATE"],
            )
        except ratelimits.RateLimited as limited:
            self.retry_after = limited.retry_after
            return False
        return True

    def wait(self):
        return self.retry_after


def reader_of(request):
    """The request's Reader; a fresh guest gets the reader cookie on the way out."""
    # The middleware that sets the cookie looks at Django's request, not DRF's wrapper.
    return get_reader(request._request)


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = gettext_lazy("This conflicts with the comment's current state.")
    default_code = "conflict"


class ConflictErrorSerializer(serializers.Serializer):
    code = serializers.ChoiceField(choices=["already_reported", "unavailable"])
    detail = serializers.CharField()
    attr = serializers.CharField(allow_null=True)


class ConflictResponseSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=["client_error"])
    errors = ConflictErrorSerializer(many=True)


CONFLICT = {409: ConflictResponseSerializer}


class NoOpenReportsErrorSerializer(ConflictErrorSerializer):
    code = serializers.ChoiceField(choices=["no_open_reports"])


class NoOpenReportsResponseSerializer(ConflictResponseSerializer):
    # The standard errors' own enum, so the schema does not name a second "type" enum.
    type = serializers.ChoiceField(choices=ClientErrorEnum.choices)
    errors = NoOpenReportsErrorSerializer(many=True)


class AlreadyDecidedErrorSerializer(ConflictErrorSerializer):
    code = serializers.ChoiceField(choices=["already_decided", "no_open_reports"])


class AlreadyDecidedResponseSerializer(NoOpenReportsResponseSerializer):
    errors = AlreadyDecidedErrorSerializer(many=True)


class CommentRejected(exceptions.ValidationError):
    """A rule rejected the comment: it is kept for moderators, but never shown."""

    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_code = "comment_rejected"


def error_response(name, error_type, codes):
    """A component for an error answer whose `code` is one of `codes`."""
    error = type(
        f"{name}Error",
        (serializers.Serializer,),
        {
            "code": serializers.ChoiceField(choices=codes),
            "detail": serializers.CharField(),
            "attr": serializers.CharField(allow_null=True),
        },
    )
    fields = {"type": serializers.ChoiceField(choices=error_type), "errors": error(many=True)}
    return type(f"{name}Response", (serializers.Serializer,), fields)


# What a rule's refusal answers: a reader-facing `detail` and a code a client can act on.
REFUSED = {
    403: error_response(
        "CommentRefused",
        ClientErrorEnum.choices,
        ["permission_denied", "comments_closed", "banned"],
    ),
    422: error_response("CommentRejected", ValidationErrorEnum.choices, ["comment_rejected"]),
}


@contextmanager
def service_errors():
    """Turn the write path's exceptions into the API's errors, keeping their messages."""
    try:
        yield
    except services.AlreadyReported as error:
        raise Conflict(error.messages[0], code="already_reported") from error
    except DjangoValidationError as error:
        if hasattr(error, "error_dict"):
            raise exceptions.ValidationError(error.message_dict) from error
        if error.code == "unavailable":
            raise Conflict(error.messages[0], code="unavailable") from error
        raise exceptions.PermissionDenied(error.messages[0]) from error
    except DjangoPermissionDenied as error:
        raise exceptions.PermissionDenied(str(error) or None) from error
    except moderation.CommentRefused as refused:
        if refused.status == 429:
            raise exceptions.Throttled(refused.retry_after, refused.message) from refused
        if refused.status == 403:
            raise exceptions.PermissionDenied(refused.message, refused.code) from refused
        field = "posting_token" if refused.rule == "posting_token" else "body"
        raise exceptions.ValidationError({field: [refused.message]}, refused.code) from refused
    except reactions.ReactionRefused as refused:
        if refused.status == 429:
            raise exceptions.Throttled(refused.retry_after, refused.message) from refused
        if refused.status == 403:
            raise exceptions.PermissionDenied(refused.message, refused.code or None) from refused
        raise exceptions.ValidationError({"kind": [refused.message]}) from refused


def query_errors(serializer_class):
    """Document the 400s a GET's query serializer can give, field by field."""

    def decorate(view):
        for name, field in serializer_class().fields.items():
            codes = sorted(field.error_messages)
            view = extend_validation_errors(codes, field_name=name, methods=["get"])(view)
        return view

    return decorate


class ReaderAPIView(NoChallenge):
    """What every reader-facing comment endpoint shares."""

    authentication_classes = [ReaderAuthentication]
    permission_classes = [AnyReader]
    throttle_classes = [ReaderWriteThrottle]


def as_node(comment, reader_key):
    """Wrap one comment like a thread page would show it to this reader."""
    mine = comment.is_by(reader_key)
    return Node(
        comment,
        level=min(comment.depth, MAX_LEVEL),
        mine=mine,
        editable=mine and comment.is_editable(),
        liked=bool(reader_key) and comment.likes.filter(reader_key=reader_key).exists(),
    )


# Threads of a story


class StoryMixin:
    """Views under /articles/<slug>/: the published story is the object they hang on."""

    lookup_field = "slug"

    def get_queryset(self):
        # Per request: a story published after the worker started must be found.
        return Article.objects.published()

    @cached_property
    def article(self):
        return self.get_object()

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "article": self.article}


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


# The reaction bar of a story


@extend_schema_view(
    get=extend_schema(operation_id="getReactions", summary="A story's reaction tally with shares"),
    put=extend_schema(
        operation_id="setReaction",
        summary="Set your reaction",
        description="Replaces your other reaction, if any; setting the same one again keeps it.",
        request=ReactionChoiceSerializer,
    ),
    delete=extend_schema(
        operation_id="clearReaction",
        summary="Clear your reaction (if you have one)",
        description="Answers the tally as it is afterwards, like setting one.",
        responses={200: ReactionBarSerializer},
    ),
)
class StoryReactions(ReaderAPIView, StoryMixin, generics.GenericAPIView):
    serializer_class = ReactionBarSerializer

    def get(self, request, slug):
        return self.respond(known_reader_key(request._request))

    def put(self, request, slug):
        article = self.article
        incoming = ReactionChoiceSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        kind = incoming.validated_data["kind"]
        reader = reader_of(request)
        with service_errors():
            reactions.reaction_set(article=article, reader=reader, kind=kind, toggle=False)
        return self.respond(reader.key)

    def delete(self, request, slug):
        article = self.article
        reader = reader_of(request)
        with service_errors():
            reactions.reaction_set(article=article, reader=reader, kind=None, toggle=False)
        return self.respond(reader.key)

    def respond(self, reader_key):
        return Response(self.get_serializer(reactions.reaction_bar(self.article, reader_key)).data)


# The moderation desk, for staff with the moderation permission. Every action goes through the
# moderation module's functions, so it lands in the audit log like the admin's.


class IsModerator(permissions.BasePermission):
    message = gettext_lazy("Only moderators may do this.")
    permission = "comments.moderate_comment"

    def has_permission(self, request, view):
        user = request.user
        return bool(user and user.is_staff and user.has_perm(self.permission))


class CanBan(IsModerator):
    permission = "comments.add_ban"


class ModerationPagination(StrictCursorPagination):
    ordering = ("created_at", "id")


class ModeratorAPIView(NoChallenge):
    permission_classes = [IsModerator]


# What ModerationCommentSerializer lists under each comment: one query each per page.
MODERATION_PREFETCH = [
    "revisions",
    Prefetch("reports", queryset=Report.objects.order_by("created_at", "pk")),
]


def queue(name):
    """The comments of one moderation queue: a status, or open reports."""
    if name == "reported":
        return Comment.objects.reported()
    if name == Comment.Status.PENDING:
        return Comment.objects.in_moderation()
    return Comment.objects.filter(status=name)


@extend_schema_view(
    get=extend_schema(
        operation_id="listModerationQueue",
        summary="A moderation queue, oldest first",
        parameters=[ModerationQuerySerializer],
    )
)
@query_errors(ModerationQuerySerializer)
@paginated
class ModerationQueue(ModeratorAPIView, generics.ListAPIView):
    serializer_class = ModerationCommentSerializer
    pagination_class = ModerationPagination

    def get_queryset(self):
        # A plain dict: DRF reads "?story=" from a QueryDict as if it were absent.
        query = ModerationQuerySerializer(data=self.request.query_params.dict())
        query.is_valid(raise_exception=True)
        comments = queue(query.validated_data["status"])
        if "story" in query.validated_data:
            comments = comments.filter(article__slug=query.validated_data["story"])
        return comments.select_related("article", "parent").prefetch_related(*MODERATION_PREFETCH)


class ModerationDecision(ModeratorAPIView, generics.GenericAPIView):
    """Move one comment to `new_status` and resolve its reports."""

    new_status = None
    serializer_class = ModerationDecisionSerializer
    queryset = Comment.objects.select_related("article", "parent")

    def post(self, request, pk):
        comment = self.get_object()
        incoming = self.get_serializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        expected = incoming.validated_data.get("expected_status")
        try:
            self.decide(comment, request.user, incoming.validated_data["reason"], expected)
        except moderation.AlreadyDecided as decided:
            raise Conflict(str(decided), code="already_decided") from decided
        comment = self.get_queryset().prefetch_related(*MODERATION_PREFETCH).get(pk=comment.pk)
        return Response(ModerationCommentSerializer(comment).data)

    def decide(self, comment, actor, reason, expected_status=None):
        moderation.comment_moderate(
            comments=Comment.objects.filter(pk=comment.pk),
            status=self.new_status,
            actor=actor,
            reason=reason,
            expected_status=expected_status,
        )


def decided(operation_id, summary):
    return extend_schema_view(
        post=extend_schema(
            operation_id=operation_id,
            summary=summary,
            responses={200: ModerationCommentSerializer, 409: AlreadyDecidedResponseSerializer},
        )
    )


@decided("approveComment", "Approve a comment (also dismisses its reports)")
class ApproveComment(ModerationDecision):
    new_status = Comment.Status.APPROVED


@decided("rejectComment", "Reject a comment")
class RejectComment(ModerationDecision):
    new_status = Comment.Status.REJECTED


@decided("markCommentSpam", "Mark a comment as spam")
class MarkCommentSpam(ModerationDecision):
    new_status = Comment.Status.SPAM


@extend_schema_view(
    post=extend_schema(
        operation_id="keepComment",
        summary="Keep a reported comment up and resolve its open reports",
        description=(
            "A comment that reports hid is visible again. The resolved reports, and the networks "
            "they came from, no longer count towards hiding it; new reporters still can. "
            "A comment without open reports is 409 and nothing changes."
        ),
        responses={200: ModerationCommentSerializer, 409: AlreadyDecidedResponseSerializer},
    )
)
class KeepComment(ModerationDecision):
    def decide(self, comment, actor, reason, expected_status=None):
        one = Comment.objects.filter(pk=comment.pk)
        kept = moderation.comment_keep(
            comments=one, actor=actor, reason=reason, expected_status=expected_status
        )
        if not kept:
            raise Conflict(
                _("This comment has no open reports; nothing changed."), code="no_open_reports"
            )


@extend_schema_view(
    post=extend_schema(
        operation_id="banCommentAuthor",
        summary="Ban or suspend a comment's author",
        description="By reader, email or network; optionally reject their past comments.",
        responses={201: BanSerializer},
    )
)
class BanCommentAuthor(ModeratorAPIView, generics.GenericAPIView):
    permission_classes = [CanBan]
    serializer_class = BanRequestSerializer
    queryset = Comment.objects.all()

    def post(self, request, pk):
        comment = self.get_object()
        incoming = self.get_serializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        try:
            value, label = moderation.ban_identity(comment, data["kind"])
        except ValueError as error:
            raise exceptions.ValidationError({"kind": [str(error)]}) from error
        days = data["days"]
        ban, rejected = moderation.ban_create(
            kind=data["kind"],
            value=value,
            label=label,
            reason=data["reason"],
            actor=request.user,
            expires_at=timezone.now() + timedelta(days=days) if days else None,
            reject_past=data["reject_past"],
        )
        result = {
            "id": ban.pk,
            "kind": ban.kind,
            "label": ban.label,
            "reason": ban.reason,
            "expires_at": ban.expires_at,
            "rejected": rejected,
        }
        return Response(BanSerializer(result).data, status=status.HTTP_201_CREATED)
