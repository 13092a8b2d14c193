"""Per-reader and per-network rate limits, counted in the cache so every worker shares them."""

from django_ratelimit.core import get_usage


class RateLimited(Exception):
    """Too many requests; try again after `retry_after` seconds."""

    def __init__(self, retry_after):
        super().__init__(f"Rate limit exceeded; retry after {retry_after} seconds.")
        self.retry_after = retry_after


def enforce(*, group, reader, per_reader, per_network):
    """Count one action by this reader and raise RateLimited when either limit is exceeded."""
    for scope, value, rate in (
        ("reader", reader.key, per_reader),
        ("network", reader.network_hash, per_network),
    ):
        usage = get_usage(
            None, group=f"{group}:{scope}", key=lambda g, r, v=value: v, rate=rate, increment=True
        )
        if usage and usage["should_limit"]:
            raise RateLimited(max(1, usage["time_left"]))
