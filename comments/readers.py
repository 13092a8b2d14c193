"""
Who is reading: an account, or a guest known by a long-lived signed cookie.

Every reader has a stable `key` ("u:<id>" for accounts, "g:<uuid>" for guests). Reactions, likes,
reports and comment ownership hang on that key, so the database can enforce one-per-reader with a
single unique constraint whatever kind of reader it is.
"""

import hashlib
import hmac
import ipaddress
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property

from django.conf import settings
from django.core import signing

COOKIE_NAME = "newsroom_reader"
COOKIE_SALT = "newsroom.reader"
COOKIE_MAX_AGE = 60 * 60 * 24 * 365 * 2


def normalize_ip(value):
    """Return the address as text, an IPv4-mapped IPv6 address as its IPv4, or None if not one."""
    try:
        address = ipaddress.ip_address(value.strip().removeprefix("[").removesuffix("]"))
    except ValueError:
        return None
    if address.version == 6 and address.ipv4_mapped:
        address = address.ipv4_mapped
    return str(address)


def client_ip(request):
    """Return the client address: the only source for hashes, bans, rate limits and lockouts.

    Without a configured proxy header that is REMOTE_ADDR. Behind N trusted proxies, each appends
    the address it saw to the header, so the reader is the N-th value from the right; everything
    left of it was written by the client. A header that is missing, too short or not an address
    falls back to REMOTE_ADDR (the proxy): a reader can lose their own identity, never take another.
    """
    remote = normalize_ip(request.META.get("REMOTE_ADDR", "")) or "0.0.0.0"
    header = settings.NEWSROOM["PROXY_CLIENT_HEADER"]
    trusted = settings.NEWSROOM["TRUSTED_PROXY_COUNT"]
    if not header or trusted < 1:
        return remote
    forwarded = request.META.get("HTTP_" + header.upper().replace("-", "_"), "")
    hops = forwarded.rsplit(",", trusted)
    if len(hops) < trusted:
        return remote
    return normalize_ip(hops[-trusted]) or remote


def keyed_hash(value, *, purpose):
    """Hash a value with the site's IP key so the raw value is never stored."""
    key = f"{purpose}:{settings.IP_HASH_KEY}".encode()
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()


def network_of(ip):
    """Return the network a client belongs to: its /24 for IPv4, its /48 for IPv6.

    One IPv6 customer commonly holds a /56 or a /48 (64k /64s): counting /64s as networks would
    let one household report, post and evade network bans as thousands of "networks".
    """
    ip = normalize_ip(ip) or ip
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return ip
    prefix = 24 if address.version == 4 else settings.NEWSROOM["IPV6_NETWORK_PREFIX"]
    return str(ipaddress.ip_network(f"{address}/{prefix}", strict=False))


@dataclass
class Reader:
    """The person behind a request, whether signed in or not."""

    key: str
    user: object = None
    is_new_guest: bool = False
    ip: str = ""
    # When this identity began (the cookie's signed issue time, the account's sign-up), or None
    # when that cannot be proven: a fresh or cookieless guest.
    since: datetime | None = None

    @property
    def is_guest(self):
        return self.user is None

    @cached_property
    def ip_hash(self):
        return keyed_hash(normalize_ip(self.ip) or self.ip, purpose="ip")

    @cached_property
    def network_hash(self):
        return keyed_hash(network_of(self.ip), purpose="network")


def guest_from_cookie(request):
    """Return (key, issued at) of the request's valid reader cookie, or (None, None).

    The cookie is signed with a timestamp, so its age is known and cannot be forged.
    """
    value = request.COOKIES.get(COOKIE_NAME)
    if not value:
        return None, None
    try:
        guest_id = signing.loads(value, salt=COOKIE_SALT, max_age=COOKIE_MAX_AGE)
        key = f"g:{uuid.UUID(guest_id)}"
        # Checked above: "<payload>:<timestamp>:<signature>", the timestamp in base 62.
        issued = datetime.fromtimestamp(signing.b62_decode(value.rsplit(":", 2)[1]), tz=UTC)
    except (signing.BadSignature, ValueError, TypeError, IndexError, OverflowError, OSError):
        return None, None
    return key, issued


def guest_key_from_cookie(request):
    return guest_from_cookie(request)[0]


def get_reader(request):
    """Return the request's Reader, creating a guest identity on first use."""
    if hasattr(request, "_reader"):
        return request._reader
    user = getattr(request, "user", None)
    ip = client_ip(request)
    if user is not None and user.is_authenticated:
        reader = Reader(key=f"u:{user.pk}", user=user, ip=ip, since=user.date_joined)
    else:
        key, issued = guest_from_cookie(request)
        reader = (
            Reader(key=key, ip=ip, since=issued)
            if key
            else Reader(key=f"g:{uuid.uuid4()}", is_new_guest=True, ip=ip)
        )
    request._reader = reader
    return reader


def known_reader_key(request):
    """Return the reader's key without minting a guest identity (for read-only pages)."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"u:{user.pk}"
    return guest_key_from_cookie(request)


class ReaderMiddleware:
    """Set the guest cookie when a view minted a new guest identity."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        reader = getattr(request, "_reader", None)
        if reader is not None and reader.is_new_guest:
            response.set_cookie(
                COOKIE_NAME,
                signing.dumps(reader.key.removeprefix("g:"), salt=COOKIE_SALT),
                max_age=COOKIE_MAX_AGE,
                httponly=True,
                samesite="Lax",
                secure=settings.SESSION_COOKIE_SECURE,
            )
        return response
