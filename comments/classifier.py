"""
Ask an external classifier what it thinks of a comment.

The request is JSON, POSTed with a short timeout and signed so the endpoint can tell it came from
us: `X-Newsroom-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<body>" keyed by the secret>`
with the timestamp in `X-Newsroom-Timestamp`. The endpoint answers
`{"decision": "approve" | "hold" | "reject", "score": 0.0-1.0, "reason": "..."}`.
No email or IP address is ever sent.
"""

import hashlib
import hmac
import json
import time
import urllib.error
import urllib.request
from dataclasses import dataclass

DECISIONS = {"approve", "hold", "reject"}


class ClassifierError(Exception):
    """The classifier could not be reached or gave an answer we cannot use."""


@dataclass(frozen=True)
class Verdict:
    decision: str
    score: float
    reason: str = ""


def sign(secret, timestamp, body):
    message = f"{timestamp}.".encode() + body
    return "sha256=" + hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def payload_for(comment, reader, *, is_edit):
    return {
        "id": comment.pk,
        "article": comment.article.slug,
        "reader": reader.key,
        "is_guest": reader.is_guest,
        "is_edit": is_edit,
        "author_name": comment.author_name,
        "body": comment.body,
        "parent": comment.parent_id,
    }


def classify(*, url, secret, timeout, payload):
    """POST the payload and return the classifier's Verdict, or raise ClassifierError."""
    body = json.dumps(payload, separators=(",", ":")).encode()
    timestamp = str(int(time.time()))
    request = urllib.request.Request(
        url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "User-Agent": "newsroom-moderation/1",
            "X-Newsroom-Timestamp": timestamp,
            "X-Newsroom-Signature": sign(secret, timestamp, body),
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            answer = json.loads(response.read(64 * 1024))
    except (OSError, urllib.error.URLError, ValueError) as error:  # timeouts are OSErrors
        raise ClassifierError(str(error)) from error
    if not isinstance(answer, dict) or answer.get("decision") not in DECISIONS:
        raise ClassifierError(f"unexpected answer: {answer!r:.200}")
    try:
        score = float(answer.get("score", 0))
    except (TypeError, ValueError) as error:
        raise ClassifierError(f"unexpected score: {answer.get('score')!r:.50}") from error
    return Verdict(answer["decision"], score, str(answer.get("reason", ""))[:200])
