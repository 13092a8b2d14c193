"""
Background work for comments: asking the classifier about a comment that waits for it.

The write path saves such a comment held ("Waiting for the classifier") and calls
`classify_later()`; `manage.py db_worker` then asks the classifier and decides
(`moderation.comment_classify`). A failed call is tried again later each time; when the attempts
are used up the comment stays held as "classifier unavailable" for a moderator.
"""

from datetime import timedelta
from functools import partial

from django.db import transaction
from django.utils import timezone
from django_tasks import task

from . import classifier, moderation

CLASSIFY_ATTEMPTS = 4
RETRY_SECONDS = 10  # then 20, 40: a comment waits at most about a minute and a quarter


def classify_later(comment):
    """Ask the classifier about this comment once the transaction that saved it commits."""
    transaction.on_commit(partial(classify_comment.enqueue, comment.pk))


def score_later(comment):
    """Ask the classifier for a score on a comment another rule holds, after the commit."""
    transaction.on_commit(
        partial(score_comment.enqueue, comment.pk, held_rule=comment.moderation_rule)
    )


@task()
def score_comment(comment_id, held_rule, attempt=1):
    try:
        decision = moderation.comment_score(
            comment_id=comment_id,
            held_rule=held_rule,
            final_attempt=attempt >= CLASSIFY_ATTEMPTS,
        )
    except moderation.EditedMeanwhile:
        # Edited while the classifier judged the earlier text, and still held by the same rule
        # (an edit that changed the hold asked for its own score): score the text as it is now.
        score_comment.enqueue(comment_id, held_rule=held_rule, attempt=attempt)
        return {"edited": True}
    except classifier.ClassifierError:
        run_after = timezone.now() + timedelta(seconds=RETRY_SECONDS * 2 ** (attempt - 1))
        score_comment.using(run_after=run_after).enqueue(
            comment_id, held_rule=held_rule, attempt=attempt + 1
        )
        return {"retry_at": run_after.isoformat()}
    if decision is None:
        return {"scored": False}
    return {"decided": decision.status, "rule": decision.rule, "score": decision.score}


@task()
def classify_comment(comment_id, attempt=1):
    try:
        decision = moderation.comment_classify(
            comment_id=comment_id, final_attempt=attempt >= CLASSIFY_ATTEMPTS
        )
    except moderation.EditedMeanwhile:
        classify_comment.enqueue(comment_id, attempt=attempt)  # judge the new text
        return {"edited": True}
    except classifier.ClassifierError:
        run_after = timezone.now() + timedelta(seconds=RETRY_SECONDS * 2 ** (attempt - 1))
        classify_comment.using(run_after=run_after).enqueue(comment_id, attempt=attempt + 1)
        return {"retry_at": run_after.isoformat()}
    if decision is None:
        return {"decided": "already"}
    return {"decided": decision.status, "rule": decision.rule, "score": decision.score}
