"""The external classifier, against a real HTTP server on a local port."""

import itertools
import json
import threading
import time
import types
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.cache import cache
from django.forms.models import model_to_dict
from django.urls import reverse

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
    statuses = []  # answered first, one per request, before `status`
    redirect = ""
    received = []
    paths = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        type(self).received.append((dict(self.headers), body))
        type(self).paths.append(self.path)
        time.sleep(self.delay)
        self.respond()

    def respond(self):
        payload = json.dumps(self.answer).encode()
        status = type(self).statuses.pop(0) if type(self).statuses else self.status
        try:
            self.send_response(status)
            if self.redirect:
                self.send_header("Location", self.redirect)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up waiting, as it should

    def do_GET(self):  # where a followed redirect would land
        type(self).paths.append(self.path)
        self.respond()

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    Classifier.answer = {"decision": "approve", "score": 0.01}
    Classifier.delay = 0.0
    Classifier.status = 200
    Classifier.statuses = []
    Classifier.redirect = ""
    Classifier.received = []
    Classifier.paths = []
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


@pytest.fixture(autouse=True)
def inline(settings):
    """Ask the classifier while the comment is posted (background mode is in its own file)."""
    settings.NEWSROOM = {**settings.NEWSROOM, "CLASSIFIER_MODE": "inline"}


@pytest.fixture
def local_classifier_allowed(settings):
    """The operator's allowance that lets these tests reach a classifier on this machine."""
    settings.NEWSROOM = {**settings.NEWSROOM, "CLASSIFIER_ALLOWED_NETWORKS": ["127.0.0.1/32"]}


def server_url(server, path="/classify", host="127.0.0.1"):
    return f"http://{host}:{server.server_address[1]}{path}"


@pytest.fixture
def configured(server, make_article, local_classifier_allowed):
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


def test_unreachable_classifier_holds_the_comment(make_article, local_classifier_allowed):
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


# The endpoint cannot reach inside the newsroom's network

numbers = itertools.count()


def post_another(story):
    """Post a comment no earlier one repeats, so only the classifier can hold it."""
    return post(story, body=f"Comment number {next(numbers)} on the bridge")


def use_endpoint(url):
    config = ModerationSettings.load()
    config.classifier_url = url
    config.classifier_timeout = 0.5
    config.save()


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:{port}/classify",
        "http://localhost:{port}/classify",
        "https://127.0.0.1:{port}/classify",
        "http://10.0.0.1/classify",
        "http://169.254.169.254/latest/meta-data/",
        "http://[fd00:ec2::254]/latest/meta-data/",
        "http://100.64.0.1/classify",
        "http://[::1]:{port}/classify",
        "http://[::ffff:127.0.0.1]:{port}/classify",
        "file:///etc/passwd",
        "gopher://127.0.0.1:{port}/_POST",
    ],
)
def test_an_internal_endpoint_is_refused_at_call_time_and_the_comment_held(
    server, make_article, url
):
    use_endpoint(url.format(port=server.server_address[1]))
    comment = post_another(make_article(moderation_mode="post"))
    assert (comment.status, comment.moderation_rule) == (Status.PENDING, "classifier")
    assert "refused" in comment.moderation_reason
    assert Classifier.received == []


def test_loopback_over_http_is_allowed_in_debug_only(server, make_article, settings):
    use_endpoint(server_url(server))
    settings.DEBUG = True
    assert post_another(make_article(moderation_mode="post")).status == Status.APPROVED
    assert len(Classifier.received) == 1
    use_endpoint("http://10.0.0.1/classify")
    assert "refused" in post_another(make_article(moderation_mode="post")).moderation_reason


def test_a_redirect_to_an_internal_address_is_not_followed(configured, server):
    Classifier.status = 302
    Classifier.redirect = server_url(server, "/internal")
    comment = post_another(configured)
    assert comment.status == Status.PENDING
    assert Classifier.paths == ["/classify"]


def test_a_timeout_above_the_cap_is_refused_in_the_admin(client, editor):
    client.force_login(editor)
    response = client.post(SETTINGS_PAGE, settings_form(classifier_timeout=10))
    assert response.status_code == 200
    assert ModerationSettings.load_row().classifier_timeout != 10


# Repeated failures open a circuit


@pytest.fixture
def circuit(settings, monkeypatch, relaxed_comment_limits):
    settings.NEWSROOM = {
        **settings.NEWSROOM,
        "CLASSIFIER_CIRCUIT_FAILURES": 3,
        "CLASSIFIER_CIRCUIT_SECONDS": 60,
    }
    clock = types.SimpleNamespace(now=time.time())
    monkeypatch.setattr(classifier, "time", types.SimpleNamespace(time=lambda: clock.now))
    return clock


def fail(story, times):
    Classifier.status = 500
    for _ in range(times):
        post_another(story)


def test_after_repeated_failures_comments_are_held_without_asking(configured, circuit):
    Classifier.status = 500
    for _ in range(3):
        assert "did not answer" in post_another(configured).moderation_reason
    assert len(Classifier.received) == 3
    comment = post_another(configured)
    assert (comment.status, comment.moderation_rule) == (Status.PENDING, "classifier")
    assert "classifier unavailable" in comment.moderation_reason
    assert len(Classifier.received) == 3


def test_after_the_cool_off_the_classifier_is_tried_again(configured, circuit):
    fail(configured, 4)
    circuit.now += 61
    Classifier.status = 200
    assert post_another(configured).status == Status.APPROVED
    assert post_another(configured).status == Status.APPROVED
    assert len(Classifier.received) == 5


def test_a_failed_trial_opens_the_circuit_again(configured, circuit):
    fail(configured, 3)
    circuit.now += 61
    post_another(configured)
    assert "classifier unavailable" in post_another(configured).moderation_reason
    assert len(Classifier.received) == 4


def test_a_success_resets_the_count_of_failures(configured, circuit):
    for status in (500, 500, 200, 500, 500):
        Classifier.status = status
        post_another(configured)
    assert "did not answer" in post_another(configured).moderation_reason
    assert len(Classifier.received) == 6


# Only editors change where comments are sent

SETTINGS_PAGE = reverse("admin:comments_moderationsettings_change", args=[1])
CLASSIFIER_FIELDS = ("classifier_url", "classifier_secret", "classifier_timeout")


def settings_form(**changes):
    values = model_to_dict(ModerationSettings.load_row())
    values.update(changes)
    return {name: value for name, value in values.items() if value is not None}


def test_a_moderator_sees_the_classifier_but_cannot_change_it(client, moderator):
    use_endpoint("https://93.184.215.14/classify")
    ModerationSettings.objects.update(classifier_secret="only-for-editors")
    client.force_login(moderator)
    page = client.get(SETTINGS_PAGE).content.decode()
    assert "https://93.184.215.14/classify" in page and "only-for-editors" not in page
    assert not any(f'name="{field}"' in page for field in CLASSIFIER_FIELDS)
    response = client.post(
        SETTINGS_PAGE,
        settings_form(
            classifier_url="https://evil.example/steal",
            classifier_secret="mine",
            classifier_timeout=1,
            report_threshold=7,
        ),
    )
    assert response.status_code == 302
    config = ModerationSettings.load_row()
    assert config.report_threshold == 7  # the other settings are still theirs to change
    assert config.classifier_url == "https://93.184.215.14/classify"
    assert config.classifier_secret == "only-for-editors" and config.classifier_timeout == 0.5


def test_an_editor_changes_the_classifier(client, editor):
    client.force_login(editor)
    response = client.post(
        SETTINGS_PAGE,
        settings_form(classifier_url="https://93.184.215.14/classify", classifier_secret="s"),
    )
    assert response.status_code == 302
    config = ModerationSettings.load_row()
    assert (config.classifier_url, config.classifier_secret) == (
        "https://93.184.215.14/classify",
        "s",
    )


@pytest.mark.parametrize(
    "url",
    [
        "http://93.184.215.14/classify",
        "http://127.0.0.1/classify",
        "https://127.0.0.1/classify",
        "https://localhost/classify",
        "https://10.0.0.1/classify",
        "https://169.254.169.254/latest/meta-data/",
        "https://[::1]/classify",
        "https://[fd00:ec2::254]/",
        "https://[::ffff:10.0.0.1]/",
        "https://[2002:a9fe:a9fe::]/",  # 6to4 wrapping 169.254.169.254
        "https://[2001:0:4136:e378:8000:63bf:f5ff:fffe]/",  # Teredo wrapping 10.0.0.1
        "https://[fec0::1]/",  # site-local
        "https://224.0.0.1/",
        "ftp://93.184.215.14/classify",
        "file:///etc/passwd",
        "gopher://93.184.215.14/",
    ],
)
def test_an_editor_cannot_point_the_classifier_inside(client, editor, url):
    client.force_login(editor)
    response = client.post(SETTINGS_PAGE, settings_form(classifier_url=url))
    assert response.status_code == 200
    assert "errornote" in response.content.decode()
    assert ModerationSettings.load_row().classifier_url == ""


def test_an_operator_may_allow_an_internal_classifier(client, editor, settings):
    settings.NEWSROOM = {**settings.NEWSROOM, "CLASSIFIER_ALLOWED_NETWORKS": ["10.20.0.0/16"]}
    client.force_login(editor)
    response = client.post(SETTINGS_PAGE, settings_form(classifier_url="http://10.20.0.5/c"))
    assert response.status_code == 302
    assert ModerationSettings.load_row().classifier_url == "http://10.20.0.5/c"


# Scores and labels are kept with the decision and shown on the desk


def test_the_classifiers_score_and_labels_are_stored_with_its_decision(configured):
    Classifier.answer = {
        "decision": "hold",
        "score": 0.91,
        "labels": {"toxicity": 0.91, "insult": 0.4},
        "reason": "abusive",
    }
    comment = Comment.objects.get(pk=post(configured).pk)
    assert comment.classifier_score == 0.91
    assert comment.classifier_top_labels == [("toxicity", 0.91), ("insult", 0.4)]


def test_an_approval_keeps_its_score_too(configured):
    Classifier.answer = {"decision": "approve", "score": 0.03}
    comment = Comment.objects.get(pk=post(configured).pk)
    assert (comment.status, comment.classifier_score) == (Status.APPROVED, 0.03)


def test_an_answer_with_only_a_decision_is_still_understood(configured):
    Classifier.answer = {"decision": "hold"}
    comment = Comment.objects.get(pk=post(configured).pk)
    assert (comment.status, comment.moderation_rule) == (Status.PENDING, "classifier")
    assert (comment.classifier_score, comment.classifier_labels) == (None, {})
    assert "score" not in comment.moderation_reason


@pytest.mark.parametrize("score", [1.5, -0.1, "high", None, float("nan")])
def test_a_score_outside_zero_to_one_is_a_nonsense_answer(configured, score):
    Classifier.answer = {"decision": "approve", "score": score}
    if score is None:  # JSON null: no score
        assert post(configured).status == Status.APPROVED
        return
    comment = post(configured)
    assert (comment.status, comment.classifier_score) == (Status.PENDING, None)
    assert "did not answer" in comment.moderation_reason


def test_labels_that_are_not_scores_are_dropped(configured):
    Classifier.answer = {
        "decision": "hold",
        "score": 0.5,
        "labels": {"toxicity": 0.5, "spam": "yes", "": 0.2, "threat": 7, "insult": 0.25},
    }
    comment = Comment.objects.get(pk=post(configured).pk)
    assert comment.classifier_labels == {"toxicity": 0.5, "insult": 0.25}


def scored(story, score, body, **labels):
    return Comment.objects.create(
        article=story,
        reader_key=GUEST.key,
        author_name="Reader",
        body=body,
        status=Status.PENDING,
        classifier_score=score,
        classifier_labels=labels,
    )


QUEUE = reverse("admin:comments_comment_changelist")


@pytest.fixture
def scored_queue(make_article):
    story = make_article()
    return [
        scored(story, 0.95, "Body scored nine five", toxicity=0.95),
        scored(story, 0.9, "Body scored nine zero", insult=0.9),
        scored(story, 0.75, "Body scored seven five"),
        scored(story, 0.2, "Body scored two zero"),
        scored(story, None, "Body without a score"),
    ]


def bodies_in(response):
    page = response.content.decode()
    found = [(page.find(f"Body {words}"), words) for words in (
        "scored nine five", "scored nine zero", "scored seven five", "scored two zero",
        "without a score")]  # fmt: skip
    return [words for at, words in sorted(found) if at >= 0]


@pytest.mark.parametrize(
    "band, expected",
    [
        ("high", ["scored nine five", "scored nine zero"]),
        ("medium", ["scored seven five"]),
        ("low", ["scored two zero"]),
        ("none", ["without a score"]),
    ],
)
def test_the_queue_filters_by_classifier_score(admin_client, scored_queue, band, expected):
    response = admin_client.get(QUEUE, {"queue": "pending", "score": band})
    assert sorted(bodies_in(response)) == sorted(expected)


def test_the_queue_sorts_by_score_highest_first_with_unscored_last(admin_client, scored_queue):
    from comments.admin.queues import CommentAdmin

    column = CommentAdmin.list_display.index("classifier_score_display")
    response = admin_client.get(QUEUE, {"queue": "pending", "o": f"-{column}"})
    assert bodies_in(response) == [
        "scored nine five",
        "scored nine zero",
        "scored seven five",
        "scored two zero",
        "without a score",
    ]
    page = response.content.decode()
    assert "0.95" in page and "toxicity 0.95" in page


def test_the_review_card_shows_the_score_and_labels(admin_client, scored_queue):
    comment = scored_queue[0]
    card = admin_client.get(reverse("admin:comments_comment_review_card", args=[comment.pk]))
    text = card.content.decode()
    assert "Classifier score:" in text and "0.95" in text and "toxicity 0.95" in text
