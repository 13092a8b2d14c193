"""The external classifier, against a real HTTP server on a local port."""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.cache import cache

from comments import classifier, moderation
from comments.models import Comment, ModerationAction, ModerationSettings
from comments.readers import Reader

pytestmark = pytest.mark.django_db

Status = Comment.Status
SECRET = "classifier-test-secret"
GUEST = Reader(key="g:guest", ip="203.0.113.7")


class Classifier(BaseHTTPRequestHandler):
    """Answers what the test told it to, and remembers what it was sent."""

    answer = {"decision": "approve", "score": 0.01}
    delay = 0.0
    status = 200
    received = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        type(self).received.append((dict(self.headers), body))
        time.sleep(self.delay)
        payload = json.dumps(self.answer).encode()
        try:
            self.send_response(self.status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up waiting, as it should

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    Classifier.answer = {"decision": "approve", "score": 0.01}
    Classifier.delay = 0.0
    Classifier.status = 200
    Classifier.received = []
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Classifier)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()


@pytest.fixture
def configured(server, make_article):
    config = ModerationSettings.load()
    config.classifier_url = f"http://127.0.0.1:{server.server_address[1]}/classify"
    config.classifier_secret = SECRET
    config.classifier_timeout = 0.5
    config.save()
    # Post-moderated, so only the classifier can hold a comment here.
    return make_article(moderation_mode="post")


def post(story, body="What a fine bridge this is", **fields):
    comment = Comment(
        article=story, reader_key=GUEST.key, author_name="Reader", body=body, **fields
    )
    decision = moderation.moderate(comment=comment, reader=GUEST)
    decision.apply_to(comment)
    comment.save()
    moderation.record(comment, decision)
    return comment


def test_classifier_approval_lets_the_comment_through(configured):
    comment = post(configured)
    assert comment.status == Status.APPROVED


def test_classifier_hold_holds_with_its_score(configured):
    Classifier.answer = {"decision": "hold", "score": 0.61, "reason": "borderline"}
    comment = post(configured)
    assert (comment.status, comment.moderation_rule) == (Status.PENDING, "classifier")
    assert "0.61" in comment.moderation_reason and "borderline" in comment.moderation_reason


def test_classifier_reject_rejects_and_is_logged_as_its_rule(configured):
    Classifier.answer = {"decision": "reject", "score": 0.97, "reason": "toxic"}
    comment = post(configured)
    assert comment.status == Status.REJECTED
    entry = ModerationAction.objects.get(comment=comment)
    assert entry.rule == "classifier" and entry.actor is None


def test_request_is_signed_json_without_private_data(configured):
    post(configured, author_email="reader@example.com", ip_hash="abc")
    headers, body = Classifier.received[0]
    timestamp = headers["X-Newsroom-Timestamp"]
    assert headers["X-Newsroom-Signature"] == classifier.sign(SECRET, timestamp, body)
    assert headers["X-Newsroom-Signature"] != classifier.sign("wrong", timestamp, body)
    payload = json.loads(body)
    assert payload["body"] == "What a fine bridge this is"
    assert payload["article"] == configured.slug
    assert "reader@example.com" not in body.decode() and "203.0.113" not in body.decode()


def test_classifier_timeout_holds_the_comment_and_keeps_it(configured):
    Classifier.delay = 1.5
    comment = post(configured)
    assert comment.pk is not None
    assert (comment.status, comment.moderation_rule) == (Status.PENDING, "classifier")
    assert "did not answer" in comment.moderation_reason


def test_classifier_server_error_holds_the_comment(configured):
    Classifier.status = 500
    comment = post(configured)
    assert comment.status == Status.PENDING


def test_classifier_nonsense_answer_holds_the_comment(configured):
    Classifier.answer = {"verdict": "lgtm"}
    assert post(configured).status == Status.PENDING


def test_unreachable_classifier_holds_the_comment(make_article):
    config = ModerationSettings.load()
    config.classifier_url = "http://127.0.0.1:9/nothing-listens-here"
    config.classifier_timeout = 0.5
    config.save()
    assert post(make_article(moderation_mode="post")).status == Status.PENDING


def test_classifier_is_not_asked_about_comments_an_earlier_rule_decided(configured):
    config = ModerationSettings.load()
    config.banned_words = "moron"
    config.save()
    assert post(configured, body="moron").status == Status.REJECTED
    assert Classifier.received == []
