"""The classifier hand-off: deciding or scoring a comment the worker asked the classifier about."""

from dataclasses import replace

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from notifications import services as notices

from .. import classifier
from ..models import Comment
from ..readers import Reader
from .audit import record
from .pipeline import PIPELINE, Check, _run, ask_classifier, external_classifier, hold

Status = Comment.Status


class EditedMeanwhile(Exception):
    """The author edited the comment while the classifier judged the text before."""


def comment_classify(*, comment_id, final_attempt=True):
    """Ask the classifier about a comment waiting for it, then decide it as the pipeline would.

    The worker calls this (comments.tasks). The classifier's hold or reject decides; its approval
    goes on to the rules after it (pre-moderation still holds). Return the Decision, or None when
    the comment no longer waits (a moderator decided it meanwhile: theirs stands). Unless this is
    the final attempt, a failed call raises ClassifierError so the worker can try again; the
    final one holds the comment as "classifier unavailable".
    """
    comment = (
        Comment.objects.waiting_for_classifier()
        .select_related("article", "user")
        .filter(pk=comment_id)
        .first()
    )
    if comment is None:
        return None
    author = Reader(key=comment.reader_key, user=comment.user)
    check = Check(comment=comment, reader=author, is_edit=comment.edited_at is not None)
    rules = PIPELINE[PIPELINE.index(external_classifier) + 1 :]
    if check.config.classifier_url:
        try:
            decided = ask_classifier(check, may_retry=True)
        except classifier.ClassifierError:
            if not final_attempt:
                raise
            decided = hold("classifier", _("Held: classifier unavailable (it did not answer)."))
        rules = [lambda check: decided, *rules]
    decision = _run(check, rules)
    return _decide_waiting(comment, decision)


def comment_score(*, comment_id, held_rule, final_attempt=True):
    """Ask the classifier about a comment another rule holds; its reject rejects, else only score.

    The worker calls this (comments.tasks) for comments held without waiting for the classifier:
    the hold stands (a moderator decides), but the desk can sort and filter by the score. Return
    the Decision, or None when the comment is no longer held by that rule or there is no answer.
    """
    still_held = Comment.objects.pending().filter(moderation_rule=held_rule)
    comment = still_held.select_related("article", "user").filter(pk=comment_id).first()
    if comment is None:
        return None
    author = Reader(key=comment.reader_key, user=comment.user)
    check = Check(comment=comment, reader=author, is_edit=comment.edited_at is not None)
    if not check.config.classifier_url:
        return None
    try:
        decided = ask_classifier(check, may_retry=True)
    except classifier.ClassifierError:
        if not final_attempt:
            raise
        return None  # its own hold stands; a moderator decides without a score
    if check.verdict is None:
        return None  # circuit open or endpoint refused: the hold stands
    if decided is None or decided.status == Status.PENDING:
        decided = hold(held_rule, comment.moderation_reason)
    decision = replace(decided, score=check.verdict.score, labels=check.verdict.labels)
    return _decide_waiting(comment, decision, still=still_held)


def _decide_waiting(comment, decision, *, still=None):
    """Save the worker's decision if the comment still waits as it did (`still`, a QuerySet)."""
    kept_hold = still is not None and decision.status == Status.PENDING
    still = Comment.objects.waiting_for_classifier() if still is None else still
    with transaction.atomic():
        body = (
            still.select_for_update().filter(pk=comment.pk).values_list("body", flat=True).first()
        )
        if body is None:
            return None  # decided while the classifier thought
        if body != comment.body:
            raise EditedMeanwhile(comment.pk)
        decision.apply_to(comment)
        comment.decided_at = None if decision.status == Status.PENDING else timezone.now()
        comment.save(
            update_fields=[
                "status",
                "moderation_rule",
                "moderation_reason",
                "classifier_score",
                "classifier_labels",
                "decided_at",
            ]
        )
        if not kept_hold:  # a score added to a hold is no decision
            record(comment, decision, previous_status=Status.PENDING)
        if decision.status != Status.PENDING:
            Comment.objects.filter(pk=comment.pk).mark_stories_changed()
            notices.comment_status_changed(decision.status, [comment.pk])
        if comment.is_visible:
            notices.replies_published([comment.pk])
    return decision
