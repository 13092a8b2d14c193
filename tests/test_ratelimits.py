import pytest
from django.core.cache import cache

from comments import ratelimits
from comments.readers import Reader


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()


def test_a_reader_past_the_limit_is_stopped_with_a_retry_delay():
    reader = Reader(key="g:one", ip="203.0.113.5")
    for _ in range(3):
        ratelimits.enforce(group="t", reader=reader, per_reader="3/m", per_network="100/m")
    with pytest.raises(ratelimits.RateLimited) as stopped:
        ratelimits.enforce(group="t", reader=reader, per_reader="3/m", per_network="100/m")
    assert 1 <= stopped.value.retry_after <= 60


def test_many_readers_on_one_network_share_the_network_limit():
    for n in range(4):
        ratelimits.enforce(
            group="t",
            reader=Reader(key=f"g:{n}", ip=f"198.51.100.{n}"),
            per_reader="3/m",
            per_network="4/m",
        )
    with pytest.raises(ratelimits.RateLimited):
        ratelimits.enforce(
            group="t",
            reader=Reader(key="g:new", ip="198.51.100.77"),
            per_reader="3/m",
            per_network="4/m",
        )
    # Another network is not affected.
    ratelimits.enforce(
        group="t", reader=Reader(key="g:far", ip="192.0.2.1"), per_reader="3/m", per_network="4/m"
    )
