"""Webhooks: signed deliveries to a receiver the test starts, retried after a failure.

Deliveries go through the real database worker; the receiver is an http.server on 127.0.0.1,
which the operator's setting allows (endpoints are otherwise public https only).
"""

import base64
import hashlib
import hmac
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from comments import moderation, services
from comments.models import Comment
from comments.readers import Reader
from notifications.models import WebhookDelivery, WebhookEndpoint

pytestmark = pytest.mark.django_db(transaction=True)

SECRET = "whsec_" + base64.b64encode(b"a shared secret, 24 bytes").decode()


@pytest.fixture
def receiver(settings):
    """A webhook receiver that answers each POST with the next status in `answers` (then 200)."""

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            server.received.append((dict(self.headers), body))
            self.send_response(server.answers.pop(0) if server.answers else 200)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.received, server.answers = [], []
    server.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/newsroom"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.NEWSROOM = {**settings.NEWSROOM, "WEBHOOK_ALLOWED_NETWORKS": ["127.0.0.1/32"]}
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def endpoint(receiver):
    return WebhookEndpoint.objects.create(
        name="Newsdesk",
        url=receiver.url,
        secret=SECRET,
        events=["comment.created", "comment.approved"],
    )


def verify(headers, body):
    """Check a delivery as a Standard Webhooks receiver would; return the parsed payload."""
    key = base64.b64decode(SECRET.removeprefix("whsec_"))
    signed = f"{headers['webhook-id']}.{headers['webhook-timestamp']}.".encode() + body
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    assert headers["webhook-signature"] == f"v1,{expected}"
    return json.loads(body)


def post_comment(article, **fields):
    return services.comment_submit(
        article=article,
        reader=Reader(key="g:ada", ip="203.0.113.9"),
        body="The bridge looks great.",
        author_name="Ada",
        author_email="ada@example.com",
        **fields,
    )


def test_a_receiver_gets_signed_deliveries_and_a_failed_one_again(
    article, endpoint, receiver, run_worker
):
    receiver.answers = [500]
    comment = post_comment(article)
    run_worker()
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == WebhookDelivery.Status.RETRYING
    assert delivery.response_code == 500
    retry = DBTaskResult.objects.get(status="READY")
    assert retry.run_after > timezone.now()
    DBTaskResult.objects.filter(pk=retry.pk).update(run_after=timezone.now())  # time passes
    run_worker()

    first, second = receiver.received
    assert first[0]["webhook-id"] == second[0]["webhook-id"]  # the same message, again
    assert first[1] == second[1]
    payload = verify(*second)
    assert payload["type"] == "comment.created"
    assert payload["data"]["comment"]["id"] == comment.pk
    assert payload["data"]["comment"]["body"] == "The bridge looks great."
    raw = second[1].decode()
    assert "ada@example.com" not in raw and comment.ip_hash not in raw
    assert "ip_hash" not in raw and "g:ada" not in raw
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.response_code) == ("succeeded", 2, 200)
    assert delivery.duration_ms is not None


def test_a_moderators_approval_is_delivered_and_unwanted_events_are_not(
    settings, article, endpoint, receiver, run_worker, moderator
):
    settings.NEWSROOM = {**settings.NEWSROOM, "MODERATION_MODE": "pre"}
    comment = post_comment(article)
    services.comment_delete(comment=comment, reader=Reader(key="g:ada"))  # not wanted
    moderation.comment_moderate(
        comments=Comment.objects.filter(pk=comment.pk), status="approved", actor=moderator
    )
    run_worker()
    assert [verify(*request)["type"] for request in receiver.received] == [
        "comment.created",
        "comment.approved",
    ]


def test_an_endpoint_on_an_internal_address_is_refused_on_save_and_at_call_time(
    admin_client, article, run_worker
):
    form = {"name": "Metadata", "url": "http://169.254.169.254/latest", "events": "comment.created"}
    form |= {"secret": SECRET, "is_active": "on"}
    response = admin_client.post(reverse("admin:notifications_webhookendpoint_add"), form)
    assert "This address was refused" in response.content.decode()
    assert not WebhookEndpoint.objects.exists()
    # Saved some other way (or re-pointed since): the delivery is refused, not sent.
    WebhookEndpoint.objects.create(
        name="Loopback", url="http://127.0.0.1:9/", secret=SECRET, events=["comment.created"]
    )
    post_comment(article)
    run_worker()
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == WebhookDelivery.Status.FAILED
    assert delivery.error.startswith("refused")


def test_a_failing_endpoint_is_switched_off_after_repeated_failures(
    settings, article, endpoint, receiver, run_worker
):
    settings.NEWSROOM = {**settings.NEWSROOM, "WEBHOOK_DISABLE_AFTER": 3}
    receiver.answers = [503] * 10
    for _ in range(3):
        post_comment(article)
        run_worker()
    endpoint.refresh_from_db()
    assert not endpoint.is_active and endpoint.disabled_at is not None
    post_comment(article)
    run_worker()
    assert len(receiver.received) == 3
    assert WebhookDelivery.objects.count() == 3


def test_the_dashboard_tells_editors_of_a_switched_off_endpoint(admin_client, endpoint):
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(
        is_active=False, disabled_at=timezone.now()
    )
    page = admin_client.get(reverse("admin:comments_dashboard")).content.decode()
    assert "Webhooks switched off after repeated failures" in page
    assert "Newsdesk" in page


def react(article, key, kind):
    from comments import reactions

    return reactions.reaction_set(article=article, reader=Reader(key=key), kind=kind)


def test_reaction_changes_reach_a_subscribed_receiver_once_per_busy_moment(
    article, receiver, run_worker
):
    WebhookEndpoint.objects.create(
        name="Audience desk", url=receiver.url, secret=SECRET, events=["reaction.changed"]
    )
    react(article, "g:ada", "love")
    react(article, "g:bob", "love")
    react(article, "g:cy", "wow")
    run_worker()
    assert receiver.received == []  # gathered for a few seconds
    DBTaskResult.objects.filter(status="READY").update(run_after=timezone.now())  # time passes
    run_worker()
    [request] = receiver.received
    payload = verify(*request)
    assert payload["type"] == "reaction.changed"
    story = payload["data"]["story"]
    assert story["slug"] == article.slug
    assert story["reactions"]["love"] == 2 and story["reactions"]["wow"] == 1
    assert "g:ada" not in request[1].decode()


def test_reacting_queues_nothing_when_no_endpoint_wants_reactions(article, endpoint, run_worker):
    react(article, "g:ada", "love")
    assert DBTaskResult.objects.count() == 0
