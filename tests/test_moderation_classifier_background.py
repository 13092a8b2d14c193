"""The classifier asked in the background: a comment waits held, then the worker decides it.

The worker is django-tasks-db's real loop (run in this process); the classifier is a real HTTP
server on a local port (the one in test_moderation_classifier).
"""

import re

import pytest
from django.core.cache import cache
from django.test import Client

from comments import moderation, services, tasks, tokens
from comments.models import Comment, ModerationAction, ModerationSettings
from comments.readers import Reader
from tests.test_moderation_classifier import SECRET, Classifier, server  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True)

Status = Comment.Status
ADA = Reader(key="g:ada", ip="203.0.113.9")
BOB = Reader(key="g:bob", ip="198.51.100.7")


@pytest.fixture(autouse=True)
def site(settings, relaxed_comment_limits):
    cache.clear()
    settings.NEWSROOM = {
        **settings.NEWSROOM,
        "MODERATION_MODE": "post",
        "SITE_URL": "https://news.example.com",
        "CLASSIFIER_ALLOWED_NETWORKS": ["127.0.0.1/32"],
        "CLASSIFIER_MODE": "background",
    }
    yield
    cache.clear()


@pytest.fixture
def classifier_on(server):  # noqa: F811
    config = ModerationSettings.load_row()
    config.classifier_url = f"http://127.0.0.1:{server.server_address[1]}/classify"
    config.classifier_secret = SECRET
    config.classifier_timeout = 0.5
    config.first_timer_approvals = 0
    config.save()


@pytest.fixture
def no_backoff(monkeypatch):
    """Retry at once: the worker loop runs what is ready, and a retry is ready immediately."""
    monkeypatch.setattr(tasks, "RETRY_SECONDS", 0)


def post(article, reader, body="What a fine bridge this is", **fields):
    return services.comment_submit(
        article=article, reader=reader, body=body, author_name=reader.key[2:].title(), **fields
    )


def fresh(comment):
    comment.refresh_from_db()
    return comment


def test_a_comment_waits_held_until_the_worker_asks_the_classifier(
    article, classifier_on, run_worker
):
    Classifier.answer = {"decision": "approve", "score": 0.05, "labels": {"toxicity": 0.05}}
    comment = post(article, ADA)
    assert (comment.status, comment.moderation_rule) == (Status.PENDING, "external_classifier")
    assert comment.moderation_reason == "Waiting for the classifier"
    assert not Comment.objects.visible().filter(pk=comment.pk).exists()
    assert Classifier.received == []  # the reader did not wait on it

    assert run_worker() == 1
    comment = fresh(comment)
    assert comment.status == Status.APPROVED
    assert (comment.classifier_score, comment.classifier_labels) == (0.05, {"toxicity": 0.05})
    assert len(Classifier.received) == 1


def test_a_background_reject_is_decided_and_audited_as_the_classifiers(
    article, classifier_on, run_worker
):
    Classifier.answer = {"decision": "reject", "score": 0.97, "reason": "toxic"}
    comment = post(article, ADA, "You are all idiots")
    run_worker()
    comment = fresh(comment)
    assert (comment.status, comment.moderation_rule) == (Status.REJECTED, "classifier")
    assert "0.97" in comment.moderation_reason and "toxic" in comment.moderation_reason
    log = ModerationAction.objects.filter(comment=comment).order_by("created_at", "id")
    assert [(a.rule, a.to_status, a.actor) for a in log] == [
        ("external_classifier", Status.PENDING, None),
        ("classifier", Status.REJECTED, None),
    ]


def test_a_background_approval_still_leaves_a_pre_moderated_story_held(
    make_article, classifier_on, run_worker
):
    story = make_article(moderation_mode="pre")
    Classifier.answer = {"decision": "approve", "score": 0.1}
    comment = post(story, ADA)
    run_worker()
    comment = fresh(comment)
    assert (comment.status, comment.moderation_rule) == (Status.PENDING, "premoderation")
    assert comment.classifier_score == 0.1


def test_a_moderators_decision_made_while_waiting_is_not_overridden(
    article, classifier_on, run_worker, moderator
):
    Classifier.answer = {"decision": "reject", "score": 0.99}
    comment = post(article, ADA)
    moderation.comment_moderate(
        comments=Comment.objects.filter(pk=comment.pk), status=Status.APPROVED, actor=moderator
    )
    run_worker()
    assert fresh(comment).status == Status.APPROVED
    assert Classifier.received == []


def test_a_failed_call_is_retried_and_then_decided(article, classifier_on, run_worker, no_backoff):
    Classifier.statuses = [500]  # fails once, then answers
    Classifier.answer = {"decision": "hold", "score": 0.8, "reason": "borderline"}
    comment = post(article, ADA)
    run_worker()
    comment = fresh(comment)
    assert (comment.status, comment.moderation_rule) == (Status.PENDING, "classifier")
    assert comment.classifier_score == 0.8
    assert len(Classifier.received) == 2


def test_when_retries_run_out_the_comment_stays_held_as_classifier_unavailable(
    article, classifier_on, run_worker, no_backoff, settings
):
    settings.NEWSROOM = {**settings.NEWSROOM, "CLASSIFIER_CIRCUIT_FAILURES": 100}
    Classifier.status = 500
    comment = post(article, ADA)
    run_worker()
    comment = fresh(comment)
    assert (comment.status, comment.moderation_rule) == (Status.PENDING, "classifier")
    assert "classifier unavailable" in comment.moderation_reason
    assert len(Classifier.received) == tasks.CLASSIFY_ATTEMPTS


def test_with_the_circuit_open_the_comment_stays_held_without_asking(
    article, classifier_on, run_worker, no_backoff, settings
):
    settings.NEWSROOM = {**settings.NEWSROOM, "CLASSIFIER_CIRCUIT_FAILURES": 2}
    Classifier.status = 500
    first = post(article, ADA, "The first comment on the bridge")
    run_worker()  # two failures open the circuit
    asked = len(Classifier.received)
    Classifier.status = 200
    second = post(article, BOB, "The second comment on the bridge")
    run_worker()
    for comment in (fresh(first), fresh(second)):
        assert comment.status == Status.PENDING
        assert "classifier unavailable" in comment.moderation_reason
    assert len(Classifier.received) == asked == 2


def test_an_edit_waits_for_the_classifier_again(article, classifier_on, run_worker):
    comment = post(article, ADA)
    run_worker()
    assert fresh(comment).status == Status.APPROVED
    Classifier.answer = {"decision": "reject", "score": 0.95, "reason": "insult"}
    services.comment_edit(comment=fresh(comment), reader=ADA, body="Actually, you are idiots")
    assert fresh(comment).moderation_rule == "external_classifier"
    run_worker()
    assert fresh(comment).status == Status.REJECTED
    assert Classifier.received[-1][1].decode().count("idiots") == 1


def test_the_inline_mode_asks_while_the_reader_waits(article, classifier_on, settings):
    settings.NEWSROOM = {**settings.NEWSROOM, "CLASSIFIER_MODE": "inline"}
    Classifier.answer = {"decision": "hold", "score": 0.7, "labels": {"insult": 0.7}}
    comment = post(article, ADA)
    assert (comment.status, comment.moderation_rule) == (Status.PENDING, "classifier")
    assert fresh(comment).classifier_labels == {"insult": 0.7}


# Reply notices go out when the classifier publishes a reply


def confirm_link(message):
    text = message.get_body(("plain",)).get_content()
    return re.findall(r"https://news\.example\.com(/notices/confirm/[^\s/]+/)", text)[0]


def test_a_reply_the_classifier_publishes_sends_the_reply_notice(
    article, classifier_on, run_worker, smtp_server
):
    question = post(article, ADA, "Who paid for it?", author_email="ada@example.com",
                    notify_replies=True)  # fmt: skip
    run_worker()
    assert fresh(question).status == Status.APPROVED
    assert Client().post(confirm_link(smtp_server.messages.pop())).status_code == 200

    Classifier.answer = {"decision": "hold", "score": 0.75}
    post(article, BOB, "Not you, anyway.", parent=question)
    run_worker()
    assert smtp_server.messages == []  # a held reply tells nobody

    Classifier.answer = {"decision": "approve", "score": 0.02}
    reply = post(article, BOB, "The city did, with a federal grant.", parent=question)
    assert smtp_server.messages == []
    run_worker()
    assert fresh(reply).status == Status.APPROVED
    [notice] = smtp_server.messages
    assert notice["To"] == "ada@example.com"
    assert "federal grant" in notice.get_body(("plain",)).get_content()


def post_without_token(article, reader, body="What a fine bridge this is"):
    """Post as an API client without a posting token: held softly, the later rules still run."""
    return post(article, reader, body=body, token=tokens.Presented("api", "", "b"))


def test_a_comment_held_anyway_gets_a_score_and_stays_held(article, classifier_on, run_worker):
    Classifier.answer = {"decision": "approve", "score": 0.12, "labels": {"toxicity": 0.12}}
    comment = post_without_token(article, ADA)
    assert (comment.status, comment.moderation_rule) == (Status.PENDING, "posting_token")
    assert Classifier.received == []  # the client did not wait on it

    assert run_worker() == 1
    comment = fresh(comment)
    # The desk can sort it by score; the hold stands for a moderator to decide.
    assert (comment.status, comment.moderation_rule) == (Status.PENDING, "posting_token")
    assert (comment.classifier_score, comment.classifier_labels) == (0.12, {"toxicity": 0.12})
    assert not ModerationAction.objects.filter(comment=comment, rule="classifier").exists()


def test_a_comment_held_anyway_that_the_classifier_rejects_is_rejected(
    article, classifier_on, run_worker
):
    Classifier.answer = {"decision": "reject", "score": 0.97, "reason": "insult"}
    comment = post_without_token(article, ADA, body="You idiots")
    assert run_worker() == 1
    comment = fresh(comment)
    assert (comment.status, comment.moderation_rule) == (Status.REJECTED, "classifier")
    assert comment.classifier_score == 0.97
    assert ModerationAction.objects.filter(comment=comment, rule="classifier").exists()


def test_a_held_comment_a_moderator_decided_first_is_not_asked_about(
    article, classifier_on, run_worker, moderator
):
    Classifier.answer = {"decision": "reject", "score": 0.97, "reason": "insult"}
    comment = post_without_token(article, ADA)
    moderation.comment_moderate(
        comments=Comment.objects.filter(pk=comment.pk), status=Status.APPROVED, actor=moderator
    )
    run_worker()
    assert fresh(comment).status == Status.APPROVED
    assert Classifier.received == []
