"""
A tiny classifier to run beside the site in development: a word-list scorer behind HTTP.

It speaks the classifier contract (docs/moderation.md, "The classifier's request and answer"):
it checks the signature when the moderation settings have a secret, and answers with a
decision, a score and one label per list that matched. `manage.py reference_classifier` serves
it; it is an example to replace, not a moderation policy.
"""

import hmac
import json
import math
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from django.db import connection

from . import classifier
from .models import ModerationSettings
from .moderation import find_word

# label: {word or phrase: weight}. Several words of one label add up (1 - product of 1 - weight).
WORDS = {
    "insult": {"idiot": 0.9, "moron": 0.9, "stupid": 0.6, "loser": 0.6, "dumb": 0.5, "fool": 0.5},
    "toxicity": {"shut up": 0.7, "disgusting": 0.5, "pathetic": 0.5, "trash": 0.4, "hate": 0.4},
    "threat": {"kill you": 0.95, "hurt you": 0.9, "watch your back": 0.8},
    "spam": {"free money": 0.9, "buy now": 0.8, "click here": 0.7, "casino": 0.6},
}
HOLD_AT, REJECT_AT = 0.6, 0.9
MAX_BODY = 64 * 1024
SIGNATURE_MAX_AGE = 300  # seconds


def judge(text):
    """Return the classifier's answer for a comment's text."""
    labels = {}
    for label, words in WORDS.items():
        weights = [weight for word, weight in words.items() if find_word([word], text)]
        if weights:
            labels[label] = round(1 - math.prod(1 - weight for weight in weights), 2)
    score = max(labels.values(), default=0.0)
    if score >= REJECT_AT:
        decision = "reject"
    elif score >= HOLD_AT:
        decision = "hold"
    else:
        decision = "approve"
    reason = ", ".join(sorted(labels, key=labels.get, reverse=True)) or "no listed words"
    return {"decision": decision, "score": score, "labels": labels, "reason": reason}


def signed_by(secret, headers, body):
    timestamp = headers.get("X-Newsroom-Timestamp", "")
    if not timestamp.isdigit() or abs(time.time() - int(timestamp)) > SIGNATURE_MAX_AGE:
        return False
    expected = classifier.sign(secret, timestamp, body)
    return hmac.compare_digest(expected, headers.get("X-Newsroom-Signature", ""))


class Handler(BaseHTTPRequestHandler):
    server_version = "newsroom-reference-classifier/1"

    def do_POST(self):
        try:
            length = int(self.headers.get("Content-Length", ""))
        except ValueError:
            return self.answer(411, {"error": "Content-Length required"})
        if not 0 <= length <= MAX_BODY:
            return self.answer(413, {"error": "too large"})
        body = self.rfile.read(length)
        try:
            secret = ModerationSettings.load_row().classifier_secret
        finally:
            connection.close()  # each request has a thread of its own, and so a connection
        if secret and not signed_by(secret, self.headers, body):
            return self.answer(401, {"error": "bad signature"})
        try:
            payload = json.loads(body)
            text = payload["body"]
        except (ValueError, TypeError, KeyError):
            return self.answer(400, {"error": "expected JSON with a body"})
        if not isinstance(text, str):
            return self.answer(400, {"error": "body must be text"})
        return self.answer(200, judge(text))

    def answer(self, status, payload):
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass  # a comment's text does not belong in a log


def make_server(host, port):
    server = ThreadingHTTPServer((host, port), Handler)
    server.daemon_threads = True
    return server
