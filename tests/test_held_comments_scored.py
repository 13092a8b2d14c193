"""Every comment a rule holds gets the classifier's score in the background, for the desk.

A rule before the classifier (first comment, suspect word, links, repeated text, a ban that
holds) decides the hold; the worker only adds the score afterwards, or rejects when the
classifier says reject. The classifier being down or slow changes nothing: the hold, its rule
and its reason stand, the reader never waited. The classifier is a real HTTP server on a local
port (test_moderation_classifier's); the worker is django-tasks-db's real loop.
"""

import pytest

from comments import services
from comments.models import Ban, Comment, ModerationAction, ModerationSettings
from comments.moderation import email_hash
from comments.readers import Reader
from tests.test_moderation_classifier import SECRET, Classifier, server  # noqa: F401
from tests.test_moderation_classifier_background import fresh, no_backoff, site  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True)

Status = Comment.Status
ADA = Reader(key="g:ada", ip="203.0.113.9")
FIRST_TIMER_REASON = "Held: first comments are reviewed before they appear."


@pytest.fixture
def classifier_on(server, settings):  # noqa: F811
    """A classifier, and a site that holds first comments (rule 10) and "scam" (rule 7)."""
    settings.NEWSROOM = {**settings.NEWSROOM, "MODERATION_MODE": "first"}
    config = ModerationSettings.load_row()
    config.classifier_url = f"http://127.0.0.1:{server.server_address[1]}/classify"
    config.classifier_secret = SECRET
    config.classifier_timeout = 0.3
    config.first_timer_approvals = 1
    config.suspect_words = "scam"
    config.save()


def post(article, body="What a fine bridge this is", reader=ADA, **fields):
    return services.comment_submit(
        article=article, reader=reader, body=body, author_name="Ada", **fields
    )


def audit(comment):
    actions = ModerationAction.objects.filter(comment=comment).order_by("created_at", "id")
    return [(action.rule, action.to_status) for action in actions]


def assert_held_as_posted(comment):
    comment = fresh(comment)
    assert (comment.status, comment.moderation_rule) == (Status.PENDING, "first_timer")
    assert comment.moderation_reason == FIRST_TIMER_REASON
    assert (comment.classifier_score, comment.decided_at) == (None, None)
    assert audit(comment) == [("first_timer", Status.PENDING)]


@pytest.mark.usefixtures("no_backoff")
@pytest.mark.parametrize("failure", ["500", "hangs"])
def test_a_classifier_down_or_slow_changes_nothing_on_a_held_comment(
    article,
    classifier_on,
    run_worker,
    settings,
    failure,
):
    settings.NEWSROOM = {**settings.NEWSROOM, "CLASSIFIER_CIRCUIT_FAILURES": 100}
    if failure == "500":
        Classifier.status = 500
    else:
        Classifier.delay = 1.0  # past the 0.3 s timeout
    comment = post(article)
    assert (comment.status, comment.moderation_rule) == (Status.PENDING, "first_timer")
    assert Classifier.received == []  # the reader did not wait on it

    run_worker()
    assert_held_as_posted(comment)
    assert len(Classifier.received) == 4  # tried, and tried again, then left to a moderator


@pytest.mark.usefixtures("no_backoff")
def test_a_refused_endpoint_leaves_the_hold_as_it_was(
    article,
    classifier_on,
    run_worker,
):
    config = ModerationSettings.load_row()
    config.classifier_url = "http://169.254.169.254/latest/meta-data/"  # cloud metadata
    config.save()
    comment = post(article)
    run_worker()
    assert_held_as_posted(comment)


@pytest.mark.usefixtures("no_backoff")
def test_a_classifier_answer_that_makes_no_sense_leaves_the_hold_as_it_was(
    article,
    classifier_on,
    run_worker,
):
    Classifier.answer = {"decision": "approve", "score": "very high"}
    comment = post(article)
    run_worker()
    assert_held_as_posted(comment)


HOLDS = {
    "first_timer": {"body": "What a fine bridge this is"},
    "suspect_words": {"body": "This bridge is a scam"},
    "links": {"body": "See https://a.example and https://b.example"},
}


@pytest.mark.parametrize("rule", HOLDS)
def test_a_comment_an_earlier_rule_holds_gets_a_score_and_keeps_its_rule(
    article, classifier_on, run_worker, rule
):
    Classifier.answer = {"decision": "hold", "score": 0.66, "labels": {"insult": 0.66}}
    comment = post(article, **HOLDS[rule])
    reason = comment.moderation_reason
    assert (comment.status, comment.moderation_rule) == (Status.PENDING, rule)

    assert run_worker() == 1
    comment = fresh(comment)
    # The desk sorts and filters by the score; the rule that held it still says why.
    assert (comment.status, comment.moderation_rule, comment.moderation_reason) == (
        Status.PENDING, rule, reason)  # fmt: skip
    assert (comment.classifier_score, comment.classifier_labels) == (0.66, {"insult": 0.66})
    assert audit(comment) == [(rule, Status.PENDING)]  # a score is no decision
    assert len(Classifier.received) == 1


def test_repeated_text_is_scored_too(article, make_article, classifier_on, run_worker):
    config = ModerationSettings.load_row()
    config.first_timer_approvals = 0
    config.save()
    Classifier.answer = {"decision": "approve", "score": 0.2}
    post(article, "Buy cheap tickets at the bridge shop")
    run_worker()
    again = post(make_article(), "Buy cheap tickets at the bridge shop")
    assert again.moderation_rule == "repeated"
    run_worker()
    again = fresh(again)
    assert (again.status, again.moderation_rule, again.classifier_score) == (
        Status.PENDING, "repeated", 0.2)  # fmt: skip


def test_a_banned_reader_held_rather_than_refused_is_scored(article, classifier_on, run_worker):
    config = ModerationSettings.load_row()
    config.ban_action = ModerationSettings.BanAction.HOLD
    config.save()
    Ban.objects.create(kind=Ban.Kind.EMAIL, value=email_hash("ada@example.com"), reason="abuse")
    Classifier.answer = {"decision": "approve", "score": 0.4}
    comment = post(article, author_email="ada@example.com")
    assert comment.moderation_rule == "ban"
    run_worker()
    assert (fresh(comment).moderation_rule, fresh(comment).classifier_score) == ("ban", 0.4)


def test_a_held_comment_the_classifier_rejects_is_rejected_as_the_classifiers(
    article, classifier_on, run_worker
):
    Classifier.answer = {"decision": "reject", "score": 0.98, "reason": "threat"}
    comment = post(article, "This bridge is a scam and so are you")
    run_worker()
    comment = fresh(comment)
    assert (comment.status, comment.moderation_rule) == (Status.REJECTED, "classifier")
    assert comment.classifier_score == 0.98
    assert audit(comment) == [("suspect_words", Status.PENDING), ("classifier", Status.REJECTED)]


def test_an_edit_made_before_the_worker_asked_is_scored_on_its_new_text(
    article, classifier_on, run_worker
):
    Classifier.answer = {"decision": "approve", "score": 0.1}
    comment = post(article, "A first version of my comment")
    services.comment_edit(comment=fresh(comment), reader=ADA, body="The second version, edited")
    run_worker()
    comment = fresh(comment)
    assert (comment.moderation_rule, comment.classifier_score) == ("first_timer", 0.1)
    assert "second version" in Classifier.received[-1][1].decode()


def test_a_held_comment_a_moderator_decided_first_is_left_alone(
    article, classifier_on, run_worker, moderator
):
    from comments.moderation import comment_moderate

    Classifier.answer = {"decision": "reject", "score": 0.97}
    comment = post(article)
    comment_moderate(
        comments=Comment.objects.filter(pk=comment.pk), status=Status.APPROVED, actor=moderator
    )
    run_worker()
    assert fresh(comment).status == Status.APPROVED
    assert Classifier.received == []


def test_without_a_classifier_nothing_is_queued(article, classifier_on, run_worker):
    config = ModerationSettings.load_row()
    config.classifier_url = ""
    config.save()
    comment = post(article)
    assert run_worker() == 0
    assert fresh(comment).moderation_rule == "first_timer"


def test_an_edit_made_while_the_classifier_judged_the_old_text_is_scored_again(
    article, classifier_on, run_worker, monkeypatch
):
    from comments import classifier

    Classifier.answer = {"decision": "approve", "score": 0.1}
    comment = post(article, "A first version of my comment")
    ask = classifier.classify

    def edited_while_asking(**kwargs):
        verdict = ask(**kwargs)
        if len(Classifier.received) == 1:  # the author saves an edit meanwhile
            Comment.objects.filter(pk=comment.pk).update(body="The second version, edited")
        return verdict

    monkeypatch.setattr(classifier, "classify", edited_while_asking)
    assert run_worker() == 2
    comment = fresh(comment)
    assert (comment.moderation_rule, comment.classifier_score) == ("first_timer", 0.1)
    assert [body.decode().count("second version") for _headers, body in Classifier.received] == [
        0, 1]  # fmt: skip
