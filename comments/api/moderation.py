"""The moderation desk for staff: the queues, decisions on a comment, and banning its author."""

from datetime import timedelta

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import exceptions, generics, permissions, status
from rest_framework.response import Response

from articles.api import StrictCursorPagination, paginated

from .. import moderation
from ..models import Comment
from ..models import CommentReport as Report  # the name CommentReport is the report view's
from ..serializers import (
    BanRequestSerializer,
    BanSerializer,
    ModerationCommentSerializer,
    ModerationDecisionSerializer,
    ModerationQuerySerializer,
)
from .base import AlreadyDecidedResponseSerializer, Conflict, NoChallenge, query_errors

# Every action goes through the moderation module's functions, so it lands in the audit log like
# the admin's.


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
