"""
Ask an external classifier what it thinks of a comment.

The request is JSON, POSTed with a short timeout and signed so the endpoint can tell it came from
us: `X-Newsroom-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<body>" keyed by the secret>`
with the timestamp in `X-Newsroom-Timestamp`. The endpoint answers
`{"decision": "approve" | "hold" | "reject", "score": 0.0-1.0, "reason": "..."}`.
No email or IP address is ever sent.

The endpoint is a URL an editor typed, so it is treated as hostile: it must be https and resolve
only to public addresses (unless the operator allows a network, or debug is on and it is this
machine), the connection goes to the very address that was checked, redirects are not followed,
and the timeout is at most MAX_TIMEOUT. After repeated failures a circuit opens: for a cool-off
the classifier is not asked at all and comments are held at once.
"""

import hashlib
import hmac
import http.client
import ipaddress
import json
import socket
import ssl
import time
import urllib.parse
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.utils.translation import gettext as _

DECISIONS = {"approve", "hold", "reject"}
MAX_TIMEOUT = 3.0
NAT64 = ipaddress.ip_network("64:ff9b::/96")
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


def _unwrapped(address):
    """An IPv6 address that carries an IPv4 one (mapped or NAT64) is judged as that IPv4."""
    if address.version == 6:
        if address.ipv4_mapped:
            return address.ipv4_mapped
        if address in NAT64:
            return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return address


def _is_trusted(address):
    """The operator allowed this network, or debug is on and it is this machine."""
    inner = _unwrapped(address)
    networks = settings.NEWSROOM["CLASSIFIER_ALLOWED_NETWORKS"]
    allowed = [ipaddress.ip_network(net) for net in networks]
    return any(ip in net for net in allowed for ip in {address, inner}) or (
        settings.DEBUG and inner.is_loopback
    )


def _is_public(address):
    # is_global is False for loopback, private, link-local (169.254.169.254), unique-local
    # (fd00:ec2::254), CGNAT, documentation and unspecified ranges; multicast is refused too.
    inner = _unwrapped(address)
    return inner.is_global and not (inner.is_multicast or inner.is_reserved)


def resolve_endpoint(url):
    """Return (scheme, host, port, path, address) for an endpoint comments may be sent to.

    Raise RefusedEndpoint for a URL that is not allowed, ClassifierError when its name does not
    resolve. Every address the name resolves to is checked, and `address` is one of them.
    """
    parts = urllib.parse.urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.hostname:
        raise RefusedEndpoint(
            _("The classifier endpoint was refused: it must be an https:// address.")
        )
    try:
        port = parts.port or (443 if scheme == "https" else 80)
        infos = socket.getaddrinfo(parts.hostname, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError, ValueError) as error:
        raise ClassifierError(
            _("The classifier's host name %(host)s could not be resolved.")
            % {"host": parts.hostname}
        ) from error
    addresses = [ipaddress.ip_address(info[4][0].partition("%")[0]) for info in infos]
    for address in addresses:
        if _is_trusted(address):
            continue
        if not _is_public(address):
            raise RefusedEndpoint(
                _(
                    "The classifier endpoint was refused: %(host)s is an internal address "
                    "(%(address)s). Only public addresses are allowed unless the operator "
                    "allows the network."
                )
                % {"host": parts.hostname, "address": address}
            )
        if scheme != "https":
            raise RefusedEndpoint(
                _("The classifier endpoint was refused: it must use https://, not plain http.")
            )
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return scheme, parts.hostname, port, path, str(addresses[0])


class _PinnedConnection(http.client.HTTPConnection):
    """HTTP(S) to the address that was checked, whatever the name resolves to a moment later."""

    def __init__(self, host, port, *, address, tls, timeout):
        super().__init__(host, port, timeout=timeout)
        self.address, self.tls = address, tls

    def connect(self):
        sock = socket.create_connection((self.address, self.port), self.timeout)
        if self.tls:
            sock = ssl.create_default_context().wrap_socket(sock, server_hostname=self.host)
        self.sock = sock


def _post(url, *, body, headers, timeout):
    scheme, host, port, path, address = resolve_endpoint(url)
    connection = _PinnedConnection(
        host, port, address=address, tls=scheme == "https", timeout=timeout
    )
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
    try:
        score = float(answer.get("score", 0))
    except (TypeError, ValueError) as error:
        raise ClassifierError(f"unexpected score: {answer.get('score')!r:.50}") from error
    return Verdict(answer["decision"], score, str(answer.get("reason", ""))[:200])
