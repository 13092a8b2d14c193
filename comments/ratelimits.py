"""Per-reader and per-network rate limits, counted in the cache so every worker shares them."""

from django.conf import settings
from django_ratelimit.core import get_usage

from .readers import Reader, keyed_hash


class RateLimited(Exception):
    """Too many requests; try again after `retry_after` seconds."""

    def __init__(self, retry_after):
        super().__init__(f"Rate limit exceeded; retry after {retry_after} seconds.")
        self.retry_after = retry_after


def enforce(*, group, reader, per_reader, per_network):
    """Count one action by this reader and raise RateLimited when either limit is exceeded."""
    enforce_each(
        group, [("reader", reader.key, per_reader), ("network", reader.network_hash, per_network)]
    )


def enforce_account_form(*, group, ip, email=""):
    """Count one post of an account form (sign-up, log-in, reset) from this address.

    Limited per address and per network, and a password reset per email address too, so one inbox
    cannot be flooded from many networks. Unknown addresses count like known ones.
    """
    config = settings.NEWSROOM
    visitor = Reader(key="", ip=ip)
    limits = [
        ("address", visitor.ip_hash, config["ACCOUNT_RATE"]),
        ("network", visitor.network_hash, config["ACCOUNT_NETWORK_RATE"]),
    ]
    if email:
        address = keyed_hash(email.strip().lower(), purpose="email")
        limits.append(("email", address, config["PASSWORD_RESET_EMAIL_RATE"]))
    enforce_each(f"account:{group}", limits)


def enforce_each(group, limits):
    """Count one action against each (scope, value, rate); raise RateLimited past any of them."""
    for scope, value, rate in limits:
        usage = get_usage(
            None, group=f"{group}:{scope}", key=lambda g, r, v=value: v, rate=rate, increment=True
        )
        if usage and usage["should_limit"]:
            raise RateLimited(max(1, usage["time_left"]))
