"""
Webhooks: tell the newsroom's own systems what happens to comments, signed and retried.

`services.comment_event()` is what the comment write path and the desk call; it costs nothing
(a cache read) unless an active endpoint wants the event, and then one queued task. The worker
builds the payload once per delivery (the same bytes on every retry), signs it the Standard
Webhooks way (`webhook-id`, `webhook-timestamp`, `webhook-signature: v1,<base64 HMAC-SHA256 of
"id.timestamp.body">` keyed by the secret's base64-decoded bytes after `whsec_`) and posts it
through `newsroom.outbound`'s checks. Payloads carry no email, IP hash or reader key.
"""

import base64
import hashlib
import hmac
import http.client
import json
import time
import uuid
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db.models import F
from django.utils import timezone

from articles.models import Article
from comments.models import Comment, CommentReport, ReactionTally
from newsroom import outbound

from .models import WebhookDelivery, WebhookEndpoint

EVENTS_CACHE_KEY = "notifications:webhook-events"
# Other processes see a changed endpoint within this time (the cache may be per process).
EVENTS_CACHE_SECONDS = 30
TIMEOUT = 5.0
# Standard Webhooks' schedule after the first attempt: a little under a day in all.
RETRY_DELAYS = [
    timedelta(seconds=5),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=5),
    timedelta(hours=10),
]
Event = WebhookEndpoint.Event
STATUS_EVENTS = {
    Comment.Status.APPROVED: Event.COMMENT_APPROVED,
    Comment.Status.PENDING: Event.COMMENT_HELD,
    Comment.Status.REJECTED: Event.COMMENT_REJECTED,
    Comment.Status.SPAM: Event.COMMENT_REJECTED,
}


def wanted_events():
    """The events some active endpoint wants (cached briefly: this runs on every comment)."""
    try:
        events = cache.get(EVENTS_CACHE_KEY)
    except Exception:  # a dead cache must not stop comments: ask the database
        events = None
    if events is None:
        events = set()
        for wanted in WebhookEndpoint.objects.filter(is_active=True).values_list(
            "events", flat=True
        ):
            events.update(wanted)
        try:
            cache.set(EVENTS_CACHE_KEY, events, EVENTS_CACHE_SECONDS)
        except Exception:
            pass
    return events


def forget_wanted_events():
    try:
        cache.delete(EVENTS_CACHE_KEY)
    except Exception:
        pass


# In the worker


def _comment_data(comment):
    return {
        "id": comment.pk,
        "article": comment.article.slug,
        "parent": comment.parent_id,
        "status": comment.status,
        "author_name": comment.author_name,
        "body": comment.body,
        "is_deleted": comment.is_deleted,
        "created_at": comment.created_at.isoformat(),
        "edited_at": comment.edited_at.isoformat() if comment.edited_at else None,
        "url": settings.NEWSROOM["SITE_URL"] + comment.get_absolute_url(),
    }


def _story_data(article):
    tallies = ReactionTally.objects.filter(article=article, count__gt=0).order_by("kind")
    return {
        "slug": article.slug,
        "headline": article.headline,
        "url": settings.NEWSROOM["SITE_URL"] + article.get_absolute_url(),
        "reactions": dict(tallies.values_list("kind", "count")),
    }


def _payloads(event, comment_ids):
    """The payloads of an event: one per comment, or per story (ids of stories) for reactions."""
    if event == Event.REACTION_CHANGED:
        for article in Article.objects.filter(pk__in=comment_ids):
            data = {"story": _story_data(article)}
            yield {"type": event, "timestamp": timezone.now().isoformat(), "data": data}
        return
    comments = Comment.objects.filter(pk__in=comment_ids).select_related("article")
    for comment in comments:
        data = {"comment": _comment_data(comment)}
        if event == Event.REPORT_FILED:
            data["reports"] = [
                {"reason": reason, "created_at": created.isoformat()}
                for reason, created in CommentReport.objects.filter(comment=comment)
                .order_by("-created_at")
                .values_list("reason", "created_at")[:20]
            ]
        yield {"type": event, "timestamp": timezone.now().isoformat(), "data": data}


def dispatch(event, comment_ids):
    """Create a delivery per endpoint and payload; return their ids."""
    endpoints = [
        endpoint
        for endpoint in WebhookEndpoint.objects.filter(is_active=True)
        if event in endpoint.events
    ]
    deliveries = [
        WebhookDelivery(
            endpoint=endpoint, event=event, message_id=f"msg_{uuid.uuid4().hex}", payload=payload
        )
        for payload in _payloads(event, comment_ids)
        for endpoint in endpoints
    ]
    return [delivery.pk for delivery in WebhookDelivery.objects.bulk_create(deliveries)]


def sign(secret, message_id, timestamp, body):
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{message_id}.{timestamp}.".encode() + body
    return "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()


def _post(endpoint, delivery):
    """POST the delivery once; return (status code or None, error text)."""
    body = json.dumps(delivery.payload, separators=(",", ":")).encode()
    timestamp = str(int(time.time()))
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "newsroom-webhooks/1",
        "webhook-id": delivery.message_id,
        "webhook-timestamp": timestamp,
        "webhook-signature": sign(endpoint.secret, delivery.message_id, timestamp, body),
    }
    try:
        resolved = outbound.resolve_endpoint(
            endpoint.url, allowed_networks=settings.NEWSROOM["WEBHOOK_ALLOWED_NETWORKS"]
        )
    except outbound.Refused as refused:
        return None, f"refused: {refused.reason} {refused.host} {refused.address}".strip()
    except outbound.Unresolvable as error:
        return None, f"host name {error.host} does not resolve"
    connection, path = outbound.connect(resolved, timeout=TIMEOUT)
    try:
        connection.request("POST", path, body=body, headers=headers)
        response = connection.getresponse()
        response.read(64 * 1024)
        return response.status, "" if 200 <= response.status < 300 else response.reason
    except (OSError, http.client.HTTPException) as error:  # timeouts are OSErrors
        return None, str(error)[:255]
    finally:
        connection.close()


def deliver(delivery_id):
    """Try a delivery once; return when to try again (a datetime), or None when done."""
    delivery = WebhookDelivery.objects.select_related("endpoint").get(pk=delivery_id)
    endpoint = delivery.endpoint
    if delivery.status in (WebhookDelivery.Status.SUCCEEDED, WebhookDelivery.Status.FAILED):
        return None
    if not endpoint.is_active:
        delivery.status, delivery.error = WebhookDelivery.Status.FAILED, "endpoint disabled"
        delivery.save(update_fields=["status", "error"])
        return None
    started = time.monotonic()
    code, error = _post(endpoint, delivery)
    now = timezone.now()
    delivery.attempts += 1
    delivery.response_code, delivery.error = code, error[:255]
    delivery.duration_ms = int((time.monotonic() - started) * 1000)
    delivery.last_attempt_at = now
    retry_at = None
    if code is not None and 200 <= code < 300:
        delivery.status = WebhookDelivery.Status.SUCCEEDED
        WebhookEndpoint.objects.filter(pk=endpoint.pk).update(consecutive_failures=0)
    else:
        _count_failure(endpoint, now)
        if delivery.attempts <= len(RETRY_DELAYS) and not error.startswith("refused"):
            retry_at = now + RETRY_DELAYS[delivery.attempts - 1]
            delivery.status = WebhookDelivery.Status.RETRYING
        else:
            delivery.status = WebhookDelivery.Status.FAILED
    delivery.next_attempt_at = retry_at
    delivery.save()
    return retry_at


def _count_failure(endpoint, now):
    """Count a failed attempt; disable the endpoint after too many in a row."""
    limit = settings.NEWSROOM["WEBHOOK_DISABLE_AFTER"]
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(
        consecutive_failures=F("consecutive_failures") + 1
    )
    disabled = WebhookEndpoint.objects.filter(
        pk=endpoint.pk, is_active=True, consecutive_failures__gte=limit
    ).update(is_active=False, disabled_at=now)
    if disabled:
        forget_wanted_events()
