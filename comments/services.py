"""
The one write path for comments, likes and reports.

The HTML views and the API call these functions, so both validate, moderate and count the same
way. Each raises ValidationError (a dict keyed by field, for forms and JSON alike),
PermissionDenied when the reader may not touch the comment, or moderation.CommentRefused when
the pipeline refuses it (closed story 403, rate limit 429).
"""

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import may_post
from articles.models import story_changed
from notifications import services as notices

from . import moderation, ratelimits, tasks
from .formatting import clean_text
from .models import WAITING_FOR_CLASSIFIER, Comment, CommentLike, CommentReport, CommentRevision
from .text import renders_blank

NAME_MAX_LENGTH = Comment._meta.get_field("author_name").max_length
EMAIL_MAX_LENGTH = Comment._meta.get_field("author_email").max_length
USER_AGENT_MAX_LENGTH = Comment._meta.get_field("user_agent").max_length
REPORT_TEXT_MAX_LENGTH = CommentReport._meta.get_field("text").max_length
# Depth is stored exactly for "replying to" notes, but a chain of replies has no business
# reaching the column's limit.
MAX_STORED_DEPTH = 1000


def _clean(errors, field, value, **kwargs):
    try:
        return clean_text(value, **kwargs)
    except ValidationError as error:
        errors.setdefault(field, []).extend(error.messages)
        return value


def clean_body(body, errors):
    """Return the cleaned body, adding any problems to `errors` under "body"."""
    body = _clean(errors, "body", body)
    limit = settings.NEWSROOM["COMMENT_MAX_LENGTH"]
    if "body" in errors:
        return body
    if not body:
        errors["body"] = [_("Please write a comment before posting.")]
    elif len(body) > limit:
        errors["body"] = [
            _(
                "Your comment is %(length)s characters long; the limit is %(limit)s. "
                "Please shorten it by %(over)s."
            )
            % {"length": len(body), "limit": limit, "over": len(body) - limit}
        ]
    return body


def _author(reader, author_name, author_email, errors):
    if reader.user is not None:
        user = reader.user
        name = clean_text(user.get_full_name() or user.get_username(), multiline=False)
        return name[:NAME_MAX_LENGTH], user.email or ""
    name = _clean(errors, "author_name", author_name, multiline=False)
    if "author_name" not in errors:
        if renders_blank(name):
            errors["author_name"] = [_("Please tell us your name.")]
        elif len(name) > NAME_MAX_LENGTH:
            errors["author_name"] = [
                _("Please shorten your name to %(limit)s characters.") % {"limit": NAME_MAX_LENGTH}
            ]
    email = (author_email or "").strip()
    if email:
        try:
            if len(email) > EMAIL_MAX_LENGTH:
                raise ValidationError("too long")
            validate_email(email)
        except ValidationError:
            errors["author_email"] = [_("Please enter a valid email address, or leave it empty.")]
    return name, email


def _check_parent(parent, article, reader, errors):
    if parent is None:
        return
    if (
        parent.article_id != article.pk
        or not Comment.objects.visible_to(reader.key).filter(pk=parent.pk).exists()
    ):
        errors["parent"] = [_("The comment you are replying to is no longer available.")]
    elif parent.is_deleted:
        errors["parent"] = [_("The comment you are replying to has been deleted.")]


def comment_submit(
    *,
    article,
    reader,
    body,
    author_name="",
    author_email="",
    parent=None,
    user_agent="",
    token=None,
    notify_replies=False,
):
    """Validate, moderate and save a new comment or reply; return it.

    `token` is the posting token the request presented (`tokens.Presented`): the pipeline checks
    and spends it. Only a comment no reader's request sent (demo data) goes without.
    `notify_replies` asks for a mail when someone replies (to a confirmed address).
    """
    if reader.user is not None and not may_post(reader.user):
        raise moderation.CommentRefused(
            _(
                "Please confirm your email address before posting: follow the link we mailed "
                "you, or ask for a new one from your account page."
            ),
            status=403,
            code="email_unconfirmed",
        )
    errors = {}
    body = clean_body(body, errors)
    name, email = _author(reader, author_name, author_email, errors)
    _check_parent(parent, article, reader, errors)
    if notify_replies and not email and "author_email" not in errors:
        errors["author_email" if reader.user is None else "notify_replies"] = [
            _("Reply notices need an email address.")
            if reader.user is None
            else _("Reply notices need an email address on your account.")
        ]
    if errors:
        raise ValidationError(errors)

    comment = Comment(
        article=article,
        parent=parent,
        thread_id=(parent.thread_id or parent.pk) if parent else None,
        depth=min(parent.depth + 1, MAX_STORED_DEPTH) if parent else 0,
        user=reader.user,
        reader_key=reader.key,
        author_name=name,
        author_email=email,
        body=body,
        ip_hash=reader.ip_hash,
        network_hash=reader.network_hash,
        user_agent=(user_agent or "")[:USER_AGENT_MAX_LENGTH],
    )
    decision = moderation.moderate(comment=comment, reader=reader, token=token)
    _apply(comment, decision)
    with transaction.atomic():
        comment.save()
        moderation.record(comment, decision)
        _ask_classifier_later(comment, decision)
        _story_changed(comment)
        if notify_replies:
            notices.reply_subscribe(comment=comment, email=email)
        if comment.is_visible:  # a reply, or a mention, may be news to someone
            notices.replies_published([comment.pk])
        notices.comment_event(notices.Event.COMMENT_CREATED, [comment.pk])
    return comment


def _story_changed(comment):
    story_changed(comment.article_id)


def _ask_classifier_later(comment, decision):
    """Have the worker ask the classifier: to decide a waiting comment, or to score a held one."""
    if comment.moderation_rule == WAITING_FOR_CLASSIFIER:
        tasks.classify_later(comment)
    elif decision.score_later:
        tasks.score_later(comment)


def _apply(comment, decision):
    decision.apply_to(comment)
    comment.decided_at = None if decision.status == Comment.Status.PENDING else timezone.now()


def _own(comment, reader):
    if not comment.is_by(reader.key):
        raise PermissionDenied(_("You can only change your own comments."))


def _check_editable(comment):
    if comment.is_deleted:
        raise ValidationError({"body": [_("A deleted comment cannot be edited.")]})
    if comment.is_rejected:
        raise ValidationError({"body": [_("This comment was not published and cannot be edited.")]})
    if not comment.is_editable():
        raise ValidationError(
            {
                "body": [
                    _("Comments can only be edited for %(minutes)s minutes after posting.")
                    % {"minutes": settings.NEWSROOM["COMMENT_EDIT_WINDOW_MINUTES"]}
                ]
            }
        )


def comment_edit(*, comment, reader, body):
    """Change the text of the reader's own comment within the edit window; return it.

    The new text goes through moderation again, but an edit only ever makes the status stricter
    (`Comment.STRICTNESS`): what a moderator, a rule or the reports held stays held, and a
    rejected comment cannot be edited. The replaced text is kept as a CommentRevision.
    """
    _own(comment, reader)
    _check_editable(comment)
    errors = {}
    body = clean_body(body, errors)
    if errors:
        raise ValidationError(errors)
    if body == comment.body:
        return comment
    comment.body = body
    decision = moderation.moderate(comment=comment, reader=reader, is_edit=True)
    with transaction.atomic():
        # Judge against what moderators and reports decided while the author typed, not against
        # the copy the request loaded; the lock makes a decision made now wait for this edit.
        comment.refresh_from_db(
            from_queryset=Comment.objects.select_for_update(),
            fields=["body", "status", "deleted_at", "moderation_rule"],
        )
        _check_editable(comment)
        if body == comment.body:
            return comment
        previous_status = comment.status
        revision = CommentRevision(
            comment=comment,
            body=comment.body,
            status=previous_status,
            reader_key=reader.key,
            user=reader.user,
        )
        comment.body = body
        comment.edited_at = revision.created_at
        fields = ["body", "edited_at"]
        stricter = Comment.stricter_status(previous_status, decision.status) != previous_status
        # Hidden by reports, and the new text is held too: the hold becomes the text's, so a Keep
        # (which answers only the reports) cannot publish text that no rule has passed.
        held_text_of_a_hidden_comment = (
            previous_status == Comment.Status.PENDING
            and comment.moderation_rule == "reports"
            and decision.status == Comment.Status.PENDING
        )
        if stricter or held_text_of_a_hidden_comment:
            _apply(comment, decision)
            comment.decided_by = None
            fields += ["status", "moderation_rule", "moderation_reason", "decided_at", "decided_by"]
            fields += ["classifier_score", "classifier_labels"]
            _ask_classifier_later(comment, decision)
        comment.save(update_fields=fields)
        revision.save()
        if comment.status != previous_status:
            moderation.record(comment, decision, previous_status=previous_status)
        _story_changed(comment)
        notices.comment_event(notices.Event.COMMENT_EDITED, [comment.pk])
    return comment


def comment_delete(*, comment, reader):
    """Withdraw the reader's own comment; replies stay, editors keep the original text."""
    _own(comment, reader)
    if comment.deleted_at is None:
        comment.deleted_at = timezone.now()
        with transaction.atomic():
            comment.save(update_fields=["deleted_at"])
            _story_changed(comment)
            notices.comment_event(notices.Event.COMMENT_DELETED, [comment.pk])
    return comment


def _check_target(comment):
    if not comment.is_visible or comment.is_deleted:
        raise ValidationError(_("This comment is no longer available."), code="unavailable")


def _refuse_banned(reader):
    """Refuse with 403, changing nothing, a reader a ban covers (by key, network or email)."""
    message = moderation.banned_message(reader)
    if message:
        raise moderation.CommentRefused(message, status=403, rule="ban", code="banned")


def _limit_rate(group, reader, message, *, per_network="REACTION_NETWORK_RATE"):
    """Refuse with 429 a reader who likes or reports faster than the reaction rate allows."""
    try:
        ratelimits.enforce(
            group=group,
            reader=reader,
            per_reader=settings.NEWSROOM["REACTION_RATE"],
            per_network=settings.NEWSROOM[per_network],
        )
    except ratelimits.RateLimited as limited:
        raise moderation.CommentRefused(
            message, status=429, rule="rate_limit", retry_after=limited.retry_after
        ) from limited


def comment_like_toggle(*, comment, reader, liked=None):
    """Like or unlike a comment; `liked=None` toggles. Return (liked, like_count)."""
    _check_target(comment)
    _refuse_banned(reader)
    _limit_rate("like", reader, _("You are liking too fast. Please wait a moment and try again."))
    counter = Comment.objects.filter(pk=comment.pk)
    with transaction.atomic():
        existing = CommentLike.objects.filter(comment=comment, reader_key=reader.key)
        if liked is not True and existing.delete()[0]:
            counter.update(like_count=F("like_count") - 1)
            liked = False
        elif liked is not False:
            try:
                # The unique constraint decides between two simultaneous likes by one reader.
                with transaction.atomic():
                    CommentLike.objects.create(comment=comment, reader_key=reader.key)
            except IntegrityError:
                pass
            else:
                counter.update(like_count=F("like_count") + 1)
            liked = True
        comment.like_count = counter.values_list("like_count", flat=True).get()
        _story_changed(comment)
    return liked, comment.like_count


class AlreadyReported(ValidationError):
    """The reader has reported this comment before (the API answers 409)."""


def comment_report(*, comment, reader, reason, text=""):
    """Report a comment to the editors, once per reader; return the CommentReport."""
    _check_target(comment)
    errors = {}
    if comment.is_by(reader.key):
        raise ValidationError(_("You cannot report your own comment."), code="own")
    if reason not in CommentReport.Reason.values:
        errors["reason"] = [_("Please choose why you are reporting this comment.")]
    text = _clean(errors, "text", text)
    if "text" not in errors and len(text) > REPORT_TEXT_MAX_LENGTH:
        errors["text"] = [
            _("Please keep the details under %(limit)s characters.")
            % {"limit": REPORT_TEXT_MAX_LENGTH}
        ]
    if errors:
        raise ValidationError(errors)
    _refuse_banned(reader)
    # One report per comment is the constraint's job; this stops one client, or one network of
    # throwaway clients, reporting everything.
    _limit_rate(
        "report",
        reader,
        _("You are reporting too fast. Please wait a moment and try again."),
        per_network="REPORT_NETWORK_RATE",
    )
    try:
        with transaction.atomic():
            report = CommentReport.objects.create(
                comment=comment,
                reader_key=reader.key,
                reason=reason,
                text=text,
                body_at_report=comment.body,
                network_hash=reader.network_hash,
                is_established=moderation.reporter_is_established(reader),
            )
            Comment.objects.filter(pk=comment.pk).update(report_count=F("report_count") + 1)
            moderation.report_threshold_check(comment)  # enough reports hide it pending review
            notices.comment_event(notices.Event.REPORT_FILED, [comment.pk])
    except IntegrityError:
        raise AlreadyReported(
            _("You have already reported this comment. Thank you."), code="duplicate"
        ) from None
    return report
