"""Rate limits: a port, an in-memory sliding-window limiter and a Redis fixed-window limiter.

In memory (one process, the embedded default): a sliding log of each key's accepted hits
inside the window, timed by the injected clock, so tests move a FakeClock instead of
sleeping. Refused hits are not logged, so a caller that keeps hammering is let in again as
soon as its oldest accepted hit leaves the window.

Redis (when `EMPORIUM_REDIS_URL` is set, so every API process shares the counters): a fixed
window that opens at a key's first hit. One Lua script increments the counter and gives a
new counter its expiry, atomically, and Redis's own TTL says when the window closes
(`Retry-After`), so API processes need no synchronised clocks. When Redis cannot be reached
the limiter lets the hit through and logs a warning: a broken cache must not lock every
user out of their account (the cost of argon2 still slows a password guesser down).
"""

from __future__ import annotations

import math
import re
import time
from collections import deque
from dataclasses import dataclass
from typing import Protocol

import structlog
from redis.asyncio import Redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import RedisError

from emporium.kernel.clock import Clock

log = structlog.get_logger("emporium.ratelimit")

_RATE = re.compile(r"^\s*(\d+)\s*/\s*(\d*)\s*([a-z]+)\s*$")
_UNIT_SECONDS = {
    "s": 1,
    "sec": 1,
    "second": 1,
    "m": 60,
    "min": 60,
    "minute": 60,
    "h": 3600,
    "hour": 3600,
    "d": 86400,
    "day": 86400,
}
# Sweep keys whose hits all left the window once per this many hits, to bound memory.
_SWEEP_EVERY = 1024
# After Redis fails, skip it this long, so an outage costs one timeout, not one per login.
_REDIS_PAUSE_SECONDS = 5.0

# KEYS[1] the counter, ARGV[1] the window in ms. Returns {hits in this window, ms left}.
_HIT_SCRIPT = """
local count = redis.call('INCR', KEYS[1])
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return {count, ttl}
"""


@dataclass(frozen=True)
class Rate:
    """At most `limit` hits per `window_seconds`."""

    limit: int
    window_seconds: int

    @classmethod
    def parse(cls, text: str) -> Rate:
        """A rate written like "5/minute", "100/hour" or "10/30seconds"."""
        match = _RATE.match(text.lower())
        if match is None:
            raise ValueError(f"rate {text!r} is not of the form '5/minute'")
        limit, multiple, unit = match.groups()
        seconds = _UNIT_SECONDS.get(unit) or _UNIT_SECONDS.get(unit.removesuffix("s"))
        if seconds is None or int(limit) < 1 or multiple == "0":
            raise ValueError(f"rate {text!r} has no valid limit or unit")
        return cls(limit=int(limit), window_seconds=seconds * int(multiple or 1))


@dataclass(frozen=True)
class Decision:
    """Whether a hit may go ahead; when not, how many whole seconds until it may."""

    allowed: bool
    remaining: int
    retry_after: int = 0


class RateLimiter(Protocol):
    rate: Rate

    async def hit(self, key: str) -> Decision:
        """Count one hit for key and say whether it is within the rate."""
        ...

    async def aclose(self) -> None:
        """Release connections, if any."""
        ...


class InMemoryRateLimiter:
    """A sliding-window log per key, in this process only, timed by the injected clock."""

    def __init__(self, rate: Rate, *, clock: Clock) -> None:
        self.rate = rate
        self.clock = clock
        self._hits: dict[str, deque[float]] = {}
        self._since_sweep = 0

    async def hit(self, key: str) -> Decision:
        # No await in here: on one event loop the check and the append are atomic.
        now = self.clock.now().timestamp()
        window = self.rate.window_seconds
        hits = self._hits.setdefault(key, deque())
        while hits and hits[0] <= now - window:
            hits.popleft()
        if len(hits) >= self.rate.limit:
            return Decision(False, 0, max(1, math.ceil(hits[0] + window - now)))
        hits.append(now)
        self._sweep(now)  # after the append, so this key's log survives the sweep
        return Decision(True, self.rate.limit - len(hits))

    def _sweep(self, now: float) -> None:
        self._since_sweep += 1
        if self._since_sweep < _SWEEP_EVERY:
            return
        self._since_sweep = 0
        horizon = now - self.rate.window_seconds
        for key in [k for k, hits in self._hits.items() if not hits or hits[-1] <= horizon]:
            del self._hits[key]

    async def aclose(self) -> None:
        self._hits.clear()


class RedisRateLimiter:
    """A fixed window per key in Redis, shared by every process; atomic through one script."""

    def __init__(self, rate: Rate, *, client: Redis, namespace: str) -> None:
        self.rate = rate
        self.client = client
        self.prefix = f"emporium:ratelimit:{namespace}:"
        self._script = client.register_script(_HIT_SCRIPT)
        self._paused_until = 0.0

    async def hit(self, key: str) -> Decision:
        window_ms = self.rate.window_seconds * 1000
        if time.monotonic() < self._paused_until:
            return Decision(True, self.rate.limit)
        try:
            count, ttl_ms = await self._script(keys=[self.prefix + key], args=[window_ms])
        except (RedisError, OSError) as exc:
            log.warning("rate_limiter_unavailable", error=str(exc), key=self.prefix + key)
            self._paused_until = time.monotonic() + _REDIS_PAUSE_SECONDS
            return Decision(True, self.rate.limit)
        count, ttl_ms = int(count), int(ttl_ms)
        if count > self.rate.limit:
            return Decision(False, 0, max(1, math.ceil(ttl_ms / 1000)))
        return Decision(True, self.rate.limit - count)

    async def aclose(self) -> None:
        await self.client.aclose()


def build_rate_limiter(
    rate: str, *, namespace: str, clock: Clock, redis_url: str | None
) -> RateLimiter:
    """The Redis limiter when a Redis URL is configured, else the in-memory one."""
    parsed = Rate.parse(rate)
    if redis_url:
        client = Redis.from_url(
            redis_url,
            socket_timeout=1.0,
            socket_connect_timeout=1.0,
            retry=Retry(NoBackoff(), retries=0),  # a login must not wait out retries
        )
        return RedisRateLimiter(parsed, client=client, namespace=namespace)
    return InMemoryRateLimiter(parsed, clock=clock)
