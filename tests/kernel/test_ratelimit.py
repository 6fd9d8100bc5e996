"""Rate limits: parsing, the in-memory sliding window (FakeClock) and the Redis fixed window."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest
from redis.asyncio import Redis

from emporium.kernel.clock import FakeClock
from emporium.kernel.ratelimit import (
    InMemoryRateLimiter,
    Rate,
    RateLimiter,
    RedisRateLimiter,
    build_rate_limiter,
)
from tests.support import redis as support_redis
from tests.support.redis import RedisServer


async def _hits(limiter: RateLimiter, key: str, count: int) -> list[bool]:
    return [(await limiter.hit(key)).allowed for _ in range(count)]


@pytest.mark.parametrize(
    ("text", "rate"),
    [
        ("5/minute", Rate(5, 60)),
        ("100/hour", Rate(100, 3600)),
        ("10/30seconds", Rate(10, 30)),
        ("2/s", Rate(2, 1)),
        (" 1000 / day ", Rate(1000, 86400)),
    ],
)
def test_reads_rates_written_as_count_per_period(text: str, rate: Rate) -> None:
    assert Rate.parse(text) == rate


@pytest.mark.parametrize("text", ["five/minute", "5 per minute", "0/minute", "5/fortnight"])
def test_refuses_rates_it_cannot_read(text: str) -> None:
    with pytest.raises(ValueError, match="rate"):
        Rate.parse(text)


async def test_in_memory_refuses_the_hit_after_the_limit_and_says_when_to_retry() -> None:
    clock = FakeClock()
    limiter = InMemoryRateLimiter(Rate(5, 60), clock=clock)
    assert await _hits(limiter, "ip", 5) == [True] * 5
    clock.advance(seconds=20)
    refused = await limiter.hit("ip")
    assert (refused.allowed, refused.retry_after) == (False, 40)


async def test_in_memory_window_slides_with_the_clock() -> None:
    clock = FakeClock()
    limiter = InMemoryRateLimiter(Rate(2, 60), clock=clock)
    await limiter.hit("ip")
    clock.advance(seconds=30)
    await limiter.hit("ip")
    clock.advance(seconds=30)  # the first hit has left the window, the second has not
    assert await _hits(limiter, "ip", 2) == [True, False]


async def test_in_memory_refused_hits_do_not_extend_the_wait() -> None:
    clock = FakeClock()
    limiter = InMemoryRateLimiter(Rate(1, 60), clock=clock)
    await limiter.hit("ip")
    for _ in range(10):
        clock.advance(seconds=5)
        await limiter.hit("ip")
    clock.advance(seconds=10)
    assert (await limiter.hit("ip")).allowed


async def test_in_memory_counts_each_key_apart() -> None:
    limiter = InMemoryRateLimiter(Rate(1, 60), clock=FakeClock())
    assert await _hits(limiter, "a", 2) == [True, False]
    assert (await limiter.hit("b")).allowed


async def test_in_memory_forgets_keys_that_went_quiet() -> None:
    clock = FakeClock()
    limiter = InMemoryRateLimiter(Rate(1, 60), clock=clock)
    for n in range(2000):
        await limiter.hit(f"ip-{n}")
    clock.advance(seconds=61)
    for n in range(1100):
        await limiter.hit(f"new-{n}")
    assert not any(key.startswith("ip-") for key in limiter._hits)


def test_builds_the_in_memory_limiter_without_a_redis_url() -> None:
    limiter = build_rate_limiter("5/minute", namespace="t", clock=FakeClock(), redis_url=None)
    assert isinstance(limiter, InMemoryRateLimiter)


redis_server = support_redis.redis_server


@pytest.fixture
async def redis_limiter(redis_server: RedisServer) -> AsyncIterator[RateLimiter]:
    limiter = build_rate_limiter(
        "5/minute", namespace=uuid.uuid4().hex, clock=FakeClock(), redis_url=redis_server.url
    )
    assert isinstance(limiter, RedisRateLimiter)
    yield limiter
    await limiter.aclose()


async def test_redis_refuses_the_sixth_hit_within_the_window(redis_limiter: RateLimiter) -> None:
    assert await _hits(redis_limiter, "ip", 5) == [True] * 5
    refused = await redis_limiter.hit("ip")
    assert not refused.allowed
    assert 1 <= refused.retry_after <= 60


async def test_redis_counts_each_key_apart(redis_limiter: RateLimiter) -> None:
    assert await _hits(redis_limiter, "a", 6) == [True] * 5 + [False]
    assert (await redis_limiter.hit("b")).allowed


async def test_redis_window_is_the_counters_own_expiry(
    redis_server: RedisServer, redis_limiter: RedisRateLimiter
) -> None:
    await redis_limiter.hit("ip")
    async with Redis.from_url(redis_server.url) as client:
        ttl_ms = await client.pttl(f"{redis_limiter.prefix}ip")
    assert 0 < ttl_ms <= 60_000


async def test_redis_concurrent_hits_never_exceed_the_limit(redis_limiter: RateLimiter) -> None:
    import asyncio

    decisions = await asyncio.gather(*(redis_limiter.hit("ip") for _ in range(20)))
    assert sum(d.allowed for d in decisions) == 5


async def test_an_unreachable_redis_lets_hits_through() -> None:
    unused_port = "redis://127.0.0.1:1/0"
    limiter = build_rate_limiter(
        "1/minute", namespace="t", clock=FakeClock(), redis_url=unused_port
    )
    try:
        assert await _hits(limiter, "ip", 3) == [True] * 3
    finally:
        await limiter.aclose()
