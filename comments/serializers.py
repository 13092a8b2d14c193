"""What the API says about comments. Emails, IP hashes, user agents and notes never appear here."""

from django.conf import settings
from django.db import DatabaseError
from django.utils.translation import gettext_lazy
from rest_framework import serializers

from articles.models import Article

from .formatting import render_comment
from .models import Comment, CommentReport, CommentRevision, ReactionKind
from .threads import MAX_LEVEL, SORTS

# Largest id a path or body may name; bigger numbers cannot be a row and would overflow SQLite.
MAX_ID = 2**63 - 1


class CommentSerializer(serializers.Serializer):
    """One comment of a thread page (a `threads.Node`), with its replies."""

    id = serializers.IntegerField(source="comment.pk")
    parent = serializers.IntegerField(source="comment.parent_id", allow_null=True)
    thread = serializers.IntegerField(
        source="comment.thread_id",
        allow_null=True,
        help_text="The top-level comment of the thread; null for top-level comments.",
    )
    level = serializers.IntegerField(
        min_value=0,
        max_value=MAX_LEVEL,
        help_text=f"Indent level; replies deeper than {MAX_LEVEL} stay at level {MAX_LEVEL}.",
    )
    replying_to = serializers.SerializerMethodField(
        help_text="At the last level, the comment this one answers."
    )
    author_name = serializers.SerializerMethodField()
    author_is_staff = serializers.SerializerMethodField()
    body = serializers.SerializerMethodField(help_text="The text as written, for editing.")
    body_html = serializers.SerializerMethodField(help_text="The text rendered and sanitised.")
    status = serializers.ChoiceField(
        source="comment.status",
        choices=Comment.Status.values,
        help_text=(
            "Readers see approved comments, and their own pending ones (awaiting moderation). "
            "Rejected and spam comments are shown to moderators only."
        ),
    )
    is_deleted = serializers.BooleanField(source="comment.is_deleted")
    is_featured = serializers.BooleanField(source="comment.is_featured")
    like_count = serializers.IntegerField(source="comment.like_count", min_value=0)
    liked = serializers.BooleanField(help_text="Whether the reader asking liked it.")
    mine = serializers.BooleanField(help_text="Whether the reader asking wrote it.")
    editable = serializers.BooleanField(help_text="Whether the reader asking may still edit it.")
    created_at = serializers.DateTimeField(source="comment.created_at")
    edited_at = serializers.DateTimeField(source="comment.edited_at", allow_null=True)
    url = serializers.SerializerMethodField(help_text="The comment's permalink on the story.")

    def get_fields(self):
        # Declared here, not above: the class would otherwise have to name itself.
        fields = super().get_fields()
        fields["replies"] = CommentSerializer(source="children", many=True, read_only=True)
        return fields

    def get_replying_to(self, node) -> int | None:
        return node.replying_to.pk if node.replying_to else None

    def get_author_name(self, node) -> str:
        return "" if node.comment.is_deleted else node.comment.author_name

    def get_author_is_staff(self, node) -> bool:
        user = node.comment.user
        return bool(user and user.is_staff and not node.comment.is_deleted)

    def get_body(self, node) -> str:
        return "" if node.comment.is_deleted else node.comment.body

    def get_body_html(self, node) -> str:
        return "" if node.comment.is_deleted else render_comment(node.comment.body)

    def get_url(self, node) -> str:
        # Built from the story in context: a page of comments must not load each one's story.
        comment = node.comment
        story = self.context["article"].get_absolute_url()
        path = f"{story}?thread={comment.thread_id or comment.pk}#c{comment.pk}"
        return self.context["request"].build_absolute_uri(path)


class CommentPageSerializer(serializers.Serializer):
    sort = serializers.ChoiceField(choices=list(SORTS))
    next = serializers.URLField(allow_null=True, help_text="The next page of threads, if any.")
    results = CommentSerializer(many=True)


class CommentQuerySerializer(serializers.Serializer):
    """The query of a comment list: the same sorts and cursor as the story page."""

    sort = serializers.ChoiceField(
        choices=list(SORTS),
        default="oldest",
        help_text="`picks`: editor's picks only (any depth, without their replies), newest first.",
    )
    picks = serializers.BooleanField(
        required=False, help_text="`true`: editor's picks only; the same as `sort=picks`."
    )
    cursor = serializers.RegexField(
        r"^[0-9]{1,20}\.[0-9]{1,20}$",
        required=False,
        help_text="Opaque: take it from `next`.",
    )
    page_size = serializers.IntegerField(
        min_value=1, max_value=100, required=False, help_text="Top-level comments per page."
    )
    thread = serializers.IntegerField(
        min_value=1, max_value=MAX_ID, required=False, help_text="Show only this thread."
    )


def comment_body_field():
    """The text of a comment; its limit is read when a request (or the schema) needs it."""
    limit = settings.NEWSROOM["COMMENT_MAX_LENGTH"]
    return serializers.CharField(
        allow_blank=True,
        trim_whitespace=False,
        max_length=limit,
        help_text=f"At most {limit} characters. Paragraphs, <b>, <i> and links.",
    )


class CommentCreateSerializer(serializers.Serializer):
    """A new comment or reply. The write path checks the text itself, as for the page's form."""

    author_name = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=Comment._meta.get_field("author_name").max_length,
        help_text="Guests only: the name shown with the comment.",
    )
    author_email = serializers.EmailField(
        required=False,
        allow_blank=True,
        default="",
        max_length=Comment._meta.get_field("author_email").max_length,
        help_text="Guests only, optional, never shown to readers: where reply notices go.",
    )
    parent = serializers.IntegerField(
        min_value=1, max_value=MAX_ID, required=False, allow_null=True, default=None
    )
    notify_replies = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Mail the author when someone replies (guests need author_email, accounts an "
        "email on the account). The address is confirmed by mail first.",
    )
    posting_token = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=200,
        help_text="A posting token from GET /api/csrf/, good for one comment (or send it in "
        "the X-Posting-Token header). Without a valid one the comment is held for moderation.",
    )

    def get_fields(self):
        return {"body": comment_body_field(), **super().get_fields()}


class CommentEditSerializer(serializers.Serializer):
    def get_fields(self):
        return {"body": comment_body_field()}


class LikeSerializer(serializers.Serializer):
    liked = serializers.BooleanField()
    like_count = serializers.IntegerField(min_value=0)


class CommentReportSerializer(serializers.ModelSerializer):
    text = serializers.CharField(
        required=False, allow_blank=True, trim_whitespace=False, default="", max_length=500
    )

    class Meta:
        model = CommentReport
        fields = ["reason", "text", "created_at"]
        read_only_fields = ["created_at"]


class CsrfTokenSerializer(serializers.Serializer):
    csrf_token = serializers.CharField()
    posting_token = serializers.CharField(
        help_text="Good for one comment from this browser; see postComment."
    )


class CommentRevisionSerializer(serializers.ModelSerializer):
    """The text of a comment before one of its author's edits."""

    class Meta:
        model = CommentRevision
        fields = ["body", "status", "created_at"]
        read_only_fields = fields
        extra_kwargs = {
            "status": {"help_text": "The comment's status before the edit."},
            "created_at": {"help_text": "When the author replaced this text."},
        }


class ModerationReportSerializer(serializers.ModelSerializer):
    """A reader's report as moderators see it, with the text the reader saw."""

    class Meta:
        model = CommentReport
        fields = ["reason", "text", "body_at_report", "created_at", "resolved_at"]
        read_only_fields = fields
        extra_kwargs = {
            "body_at_report": {
                "help_text": "The comment as it read when reported; empty if not known."
            }
        }


class ModerationCommentSerializer(serializers.ModelSerializer):
    """A comment as moderators see it: status and the rule that decided, never email or IP."""

    story = serializers.SlugRelatedField(source="article", slug_field="slug", read_only=True)
    parent_body = serializers.SerializerMethodField(
        help_text="The comment it answers, for context."
    )
    body_html = serializers.SerializerMethodField()
    revisions = CommentRevisionSerializer(
        many=True, read_only=True, help_text="Earlier texts, newest first; empty if never edited."
    )
    reports = ModerationReportSerializer(many=True, read_only=True, help_text="Oldest first.")

    class Meta:
        model = Comment
        fields = [
            "id",
            "story",
            "parent",
            "parent_body",
            "author_name",
            "body",
            "body_html",
            "status",
            "moderation_rule",
            "moderation_reason",
            "report_count",
            "like_count",
            "is_featured",
            "created_at",
            "edited_at",
            "deleted_at",
            "decided_at",
            "revisions",
            "reports",
        ]
        read_only_fields = fields

    def get_parent_body(self, comment) -> str | None:
        return comment.parent.body if comment.parent_id else None

    def get_body_html(self, comment) -> str:
        return render_comment(comment.body)


class ModerationQuerySerializer(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=[*Comment.Status.values, "reported"],
        default=Comment.Status.PENDING,
        help_text="A queue: a status, or `reported` for comments with open reports.",
    )
    story = serializers.SlugField(
        required=False,
        max_length=Article._meta.get_field("slug").max_length,
        help_text="Only this story's comments.",
    )


class ModerationDecisionSerializer(serializers.Serializer):
    reason = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=255, help_text="For the audit log."
    )
    expected_status = serializers.ChoiceField(
        choices=Comment.Status.choices,
        required=False,
        help_text=(
            "The status the moderator saw. If the comment was decided since, the answer is 409 "
            "`already_decided` and nothing changes."
        ),
    )


class BanRequestSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(
        choices=["reader", "email", "network"], default="reader", help_text="Whom to ban."
    )
    reason = serializers.CharField(max_length=255)
    days = serializers.IntegerField(
        min_value=1,
        max_value=3650,
        required=False,
        allow_null=True,
        default=None,
        help_text="A suspension for this many days; leave out for a permanent ban.",
    )
    reject_past = serializers.BooleanField(
        default=False, help_text="Also reject every earlier comment of the banned identity."
    )


class BanSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    label = serializers.CharField()
    reason = serializers.CharField()
    expires_at = serializers.DateTimeField(allow_null=True)
    rejected = serializers.IntegerField(min_value=0, help_text="Past comments rejected with it.")


class ReactionSerializer(serializers.Serializer):
    key = serializers.CharField()
    emoji = serializers.CharField()
    label = serializers.CharField()
    count = serializers.IntegerField(min_value=0)
    share = serializers.IntegerField(
        min_value=0, max_value=100, help_text="Percentage of all reactions; the shares add to 100."
    )
    pressed = serializers.BooleanField(help_text="Whether this is the asking reader's reaction.")


class ReactionBarSerializer(serializers.Serializer):
    choice = serializers.CharField(
        source="choice.key", allow_null=True, help_text="The asking reader's reaction."
    )
    total = serializers.IntegerField(min_value=0)
    reactions = ReactionSerializer(source="items", many=True)


class ReactionChoiceSerializer(serializers.Serializer):
    def get_fields(self):
        # Read per request (and per schema download): editors switch reactions on and off.
        description = (
            "The key of a reaction on the bar. Editors switch reactions on and off, so this "
            "list is the one in force when the schema was downloaded; a reaction switched off "
            "since is refused with 400."
        )
        try:
            keys = list(ReactionKind.objects.enabled().values_list("key", flat=True))
        except DatabaseError:
            # A schema built without a database (the deploy check) cannot list them.
            max_length = ReactionKind._meta.get_field("key").max_length
            return {"kind": serializers.CharField(max_length=max_length, help_text=description)}
        kind = serializers.ChoiceField(
            choices=keys,
            error_messages={"invalid_choice": gettext_lazy("There is no such reaction.")},
            help_text=description,
        )
        return {"kind": kind}
