"""The word-list reference classifier that `make run` starts beside the site."""

import http.client
import json
import threading

import pytest
from django.core.management import CommandError, call_command

from comments import classifier, moderation, reference_classifier
from comments.models import Comment, ModerationSettings
from comments.readers import Reader

pytestmark = pytest.mark.django_db(transaction=True)

Status = Comment.Status


@pytest.mark.parametrize(
    "text, decision, label",
    [
        ("What a fine bridge, and on time too.", "approve", None),
        ("That is a stupid plan.", "hold", "insult"),
        ("You are an 1d10t and a moron.", "reject", "insult"),
        ("Click here for FREE MONEY", "reject", "spam"),
        ("I will hurt you", "reject", "threat"),
    ],
)
def test_the_word_list_scorer_scores_what_it_lists(text, decision, label):
    answer = reference_classifier.judge(text)
    assert answer["decision"] == decision
    if label is None:
        assert (answer["score"], answer["labels"]) == (0.0, {})
    else:
        assert answer["score"] == answer["labels"][label] == max(answer["labels"].values())
    assert classifier._verdict(answer).decision == decision  # it speaks our own contract


def test_words_inside_other_words_do_not_count():
    assert reference_classifier.judge("A skilled foolproof design")["labels"] == {}


@pytest.fixture
def served():
    server = reference_classifier.make_server("127.0.0.1", 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


@pytest.fixture
def debug(settings):
    settings.DEBUG = True
    settings.NEWSROOM = {**settings.NEWSROOM, "CLASSIFIER_MODE": "inline"}


def test_a_comment_is_judged_by_the_configured_reference_classifier(
    served, debug, make_article, relaxed_comment_limits
):
    call_command("reference_classifier", "--configure", "--port", str(served))
    config = ModerationSettings.load_row()
    assert config.classifier_url == f"http://127.0.0.1:{served}/classify"
    assert config.classifier_secret  # the requests are signed, and checked
    comment = Comment(
        article=make_article(moderation_mode="post"),
        reader_key="g:reader",
        author_name="Reader",
        body="Only a stupid council would build this.",
    )
    decision = moderation.moderate(comment=comment, reader=Reader(key="g:reader"))
    assert (decision.status, decision.rule) == (Status.PENDING, "classifier")
    assert decision.score == 0.6 and decision.labels == {"insult": 0.6}


def test_the_reference_classifier_refuses_an_unsigned_request(served, debug):
    call_command("reference_classifier", "--configure", "--port", str(served))
    connection = http.client.HTTPConnection("127.0.0.1", served, timeout=5)
    connection.request("POST", "/classify", body=json.dumps({"body": "hello"}))
    response = connection.getresponse()
    assert response.status == 401
    connection.close()


def test_configuring_never_replaces_an_editors_classifier(debug):
    ModerationSettings.objects.update_or_create(
        pk=1, defaults={"classifier_url": "https://classifier.example.com/judge"}
    )
    call_command("reference_classifier", "--configure")
    assert ModerationSettings.load_row().classifier_url == "https://classifier.example.com/judge"


def test_configuring_is_for_development_only(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError):
        call_command("reference_classifier", "--configure")
    assert ModerationSettings.load_row().classifier_url == ""
