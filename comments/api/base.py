"""
What every comments endpoint shares: reader authentication, permissions, write limits, the
error shapes services' refusals become, and the story a view hangs on.

Every endpoint goes through the same write path as the story page (`services`), so the two can
never disagree.
"""

from contextlib import contextmanager
from functools import cached_property

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_standardized_errors.openapi_serializers import ClientErrorEnum, ValidationErrorEnum
from drf_standardized_errors.openapi_validation_errors import extend_validation_errors
from rest_framework import exceptions, permissions, serializers, status
from rest_framework.authentication import SessionAuthentication
from rest_framework.throttling import BaseThrottle

from articles.models import Article

from .. import moderation, ratelimits, reactions, services
from ..readers import COOKIE_NAME, get_reader, guest_key_from_cookie, known_reader_key
from ..threads import MAX_LEVEL, Node

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


# The story a view hangs on


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
