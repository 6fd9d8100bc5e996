"""Cache-aside storage: in-process by default, Redis when EMPORIUM_REDIS_URL is set.

Values are JSON-serialisable dicts. Callers key entries by the version of what they cache
(see catalog's product detail), so a stale entry is never served after a write commits;
deletes only reclaim memory.
"""

from __future__ import annotations

import json
import time
from collections import OrderedDict
from typing import Any, Protocol


class Cache(Protocol):
    async def get(self, key: str) -> dict[str, Any] | None:
        """The cached value, or None."""
        ...

    async def set(self, key: str, value: dict[str, Any], *, ttl_seconds: int) -> None:
        """Store value for ttl_seconds."""
        ...

    async def delete(self, *keys: str) -> None:
        """Forget keys (missing keys are fine)."""
        ...


class MemoryCache:
    """A bounded LRU with per-entry expiry, for one process."""

    def __init__(self, max_entries: int = 50_000) -> None:
        self._data: OrderedDict[str, tuple[float, dict[str, Any]]] = OrderedDict()
        self._max = max_entries

    async def get(self, key: str) -> dict[str, Any] | None:
        entry = self._data.get(key)
        if entry is None:
            return None
        expires, value = entry
        if expires < time.monotonic():
            self._data.pop(key, None)
            return None
        self._data.move_to_end(key)
        return value

    async def set(self, key: str, value: dict[str, Any], *, ttl_seconds: int) -> None:
        self._data[key] = (time.monotonic() + ttl_seconds, value)
        self._data.move_to_end(key)
        while len(self._data) > self._max:
            self._data.popitem(last=False)

    async def delete(self, *keys: str) -> None:
        for key in keys:
            self._data.pop(key, None)


class RedisCache:
    """The same contract over Redis, shared by every API process."""

    def __init__(self, url: str, *, prefix: str = "emporium:cache:") -> None:
        from redis.asyncio import Redis

        self._redis = Redis.from_url(url)
        self._prefix = prefix

    async def get(self, key: str) -> dict[str, Any] | None:
        raw = await self._redis.get(self._prefix + key)
        if raw is None:
            return None
        value: dict[str, Any] = json.loads(raw)
        return value

    async def set(self, key: str, value: dict[str, Any], *, ttl_seconds: int) -> None:
        raw = json.dumps(value, separators=(",", ":"))
        await self._redis.set(self._prefix + key, raw, ex=ttl_seconds)

    async def delete(self, *keys: str) -> None:
        if keys:
            await self._redis.delete(*(self._prefix + k for k in keys))

    async def close(self) -> None:
        await self._redis.aclose()


def build_cache(redis_url: str | None) -> Cache:
    """Redis when configured, else in-process."""
    return RedisCache(redis_url) if redis_url else MemoryCache()
