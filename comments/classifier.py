"""
Ask an external classifier what it thinks of a comment.

The request is JSON, POSTed with a short timeout and signed so the endpoint can tell it came from
us: `X-Newsroom-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<body>" keyed by the secret>`
with the timestamp in `X-Newsroom-Timestamp`. The endpoint answers
`{"decision": "approve" | "hold" | "reject", "score": 0.0-1.0, "labels": {"toxicity": 0.0-1.0},
"reason": "..."}`; only `decision` is required (docs/moderation.md has the whole contract).
No email or IP address is ever sent.

The endpoint is a URL an editor typed, so it is treated as hostile (`newsroom.outbound`: https,
public addresses only unless the operator allows a network, the connection pinned to the checked
address, redirects not followed), and the timeout is at most MAX_TIMEOUT. After repeated
failures a circuit opens: for a cool-off the classifier is not asked at all and comments are held
at once.
"""

import hashlib
import hmac
import http.client
import json
import math
import time
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache
from django.utils.translation import gettext as _

from newsroom import outbound

DECISIONS = {"approve", "hold", "reject"}
MAX_TIMEOUT = 3.0
MAX_LABELS = 20  # what the desk shows; an answer with more keeps the highest
CIRCUIT_KEY = "newsroom:classifier:circuit"
# Used when the cache cannot be reached: the circuit then counts per process.
_local_circuit = {}


class ClassifierError(Exception):
    """The classifier could not be reached or gave an answer we cannot use."""


class RefusedEndpoint(ClassifierError):
    """The endpoint is not one comments may be sent to; the message is for editors."""


class Unavailable(ClassifierError):
    """The circuit is open: the classifier failed repeatedly and is left alone for a while."""


@dataclass(frozen=True)
class Verdict:
    decision: str
    score: float | None = None  # None: the classifier gave no score
    reason: str = ""
    labels: dict = field(default_factory=dict)


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


def resolve_endpoint(url):
    """Return (scheme, host, port, path, address) for an endpoint comments may be sent to.

    Raise RefusedEndpoint for a URL that is not allowed, ClassifierError when its name does not
    resolve. Every address the name resolves to is checked, and `address` is one of them.
    """
    try:
        return outbound.resolve_endpoint(
            url, allowed_networks=settings.NEWSROOM["CLASSIFIER_ALLOWED_NETWORKS"]
        )
    except outbound.Unresolvable as error:
        raise ClassifierError(
            _("The classifier's host name %(host)s could not be resolved.") % {"host": error.host}
        ) from error
    except outbound.Refused as error:
        raise RefusedEndpoint(_refusal(error)) from error


def _refusal(error):
    if error.reason == "internal":
        return _(
            "The classifier endpoint was refused: %(host)s is an internal address "
            "(%(address)s). Only public addresses are allowed unless the operator "
            "allows the network."
        ) % {"host": error.host, "address": error.address}
    if error.reason == "plain_http":
        return _("The classifier endpoint was refused: it must use https://, not plain http.")
    return _("The classifier endpoint was refused: it must be an https:// address.")


def _post(url, *, body, headers, timeout):
    connection, path = outbound.connect(resolve_endpoint(url), timeout=timeout)
    try:
        connection.request("POST", path, body=body, headers=headers)
        response = connection.getresponse()
        if response.status != 200:  # a redirect is an error too: it is never followed
            raise ClassifierError(f"HTTP {response.status} {response.reason}")
        return json.loads(response.read(64 * 1024))
    except (OSError, http.client.HTTPException, ValueError) as error:  # timeouts are OSErrors
        raise ClassifierError(str(error)) from error
    finally:
        connection.close()


def _circuit():
    try:
        return cache.get(CIRCUIT_KEY) or {"failures": 0, "retry_at": 0}
    except Exception:  # a dead cache must not stop moderation: count in this process instead
        return _local_circuit.get(CIRCUIT_KEY) or {"failures": 0, "retry_at": 0}


def _set_circuit(state):
    _local_circuit[CIRCUIT_KEY] = state
    try:
        cache.set(CIRCUIT_KEY, state, 24 * 60 * 60)
    except Exception:
        pass


def classify(*, url, secret, timeout, payload):
    """POST the payload and return the classifier's Verdict, or raise ClassifierError."""
    limit = settings.NEWSROOM["CLASSIFIER_CIRCUIT_FAILURES"]
    cool_off = settings.NEWSROOM["CLASSIFIER_CIRCUIT_SECONDS"]
    state = _circuit()
    if state["failures"] >= limit:
        if time.time() < state["retry_at"]:
            raise Unavailable(f"{state['failures']} failures in a row")
        # This request is the trial; everyone else keeps holding until it answers.
        _set_circuit({**state, "retry_at": time.time() + cool_off})
    body = json.dumps(payload, separators=(",", ":")).encode()
    timestamp = str(int(time.time()))
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "newsroom-moderation/1",
        "X-Newsroom-Timestamp": timestamp,
        "X-Newsroom-Signature": sign(secret, timestamp, body),
    }
    try:
        answer = _post(url, body=body, headers=headers, timeout=min(timeout, MAX_TIMEOUT))
        verdict = _verdict(answer)
    except RefusedEndpoint:
        raise  # a setting to fix, not an outage
    except ClassifierError:
        failures = _circuit()["failures"] + 1
        _set_circuit({"failures": failures, "retry_at": time.time() + cool_off})
        raise
    if state["failures"]:
        _set_circuit({"failures": 0, "retry_at": 0})
    return verdict


def _verdict(answer):
    if not isinstance(answer, dict) or answer.get("decision") not in DECISIONS:
        raise ClassifierError(f"unexpected answer: {answer!r:.200}")
    score = answer.get("score")
    if score is not None:
        score = _unit(score)
        if score is None:
            raise ClassifierError(f"unexpected score: {answer.get('score')!r:.50}")
    return Verdict(
        answer["decision"],
        score,
        str(answer.get("reason", ""))[:200],
        _labels(answer.get("labels")),
    )


def _unit(value):
    """Return the value as a float from 0 to 1, or None when it is not one."""
    if isinstance(value, bool):
        return None
    try:
        value = float(value)
    except (TypeError, ValueError, OverflowError):
        return None
    return value if math.isfinite(value) and 0 <= value <= 1 else None


def _labels(labels):
    """Keep the labels that are short names with a 0-1 score; drop the rest, never fail on them."""
    if not isinstance(labels, dict):
        return {}
    kept = {
        name[:40]: score
        for name, value in labels.items()
        if isinstance(name, str) and name.strip() and (score := _unit(value)) is not None
    }
    highest = sorted(kept.items(), key=lambda item: -item[1])[:MAX_LABELS]
    return dict(highest)
