"""UUIDv7 identifiers: time-ordered, so indexes stay append-mostly."""

from __future__ import annotations

import os
import threading
import time
import uuid

_lock = threading.Lock()
_last_ms = 0
_counter = 0
# Random bits are drawn from the OS a page at a time: os.urandom releases the GIL, and a
# thread that releases it once per id waits for it again behind every busy thread (bulk
# loads spent more time there than making the ids).
_RANDOM_CHUNK = 4096
_random = b""
_random_at = 0


def _random_bytes(n: int) -> bytes:
    """n bytes of OS randomness from the shared pool; call with _lock held."""
    global _random, _random_at
    if _random_at + n > len(_random):
        _random, _random_at = os.urandom(_RANDOM_CHUNK), 0
    _random_at += n
    return _random[_random_at - n : _random_at]


def uuid7() -> uuid.UUID:
    """A new UUIDv7 (RFC 9562): 48-bit unix ms, then a 12-bit counter, then random bits.

    Within one millisecond the counter keeps ids from this process strictly increasing.
    """
    global _last_ms, _counter
    with _lock:
        ms = time.time_ns() // 1_000_000
        if ms > _last_ms:
            _last_ms = ms
            _counter = int.from_bytes(_random_bytes(2), "big") & 0x3FF  # leave headroom
        else:
            _counter += 1
            if _counter > 0xFFF:  # counter exhausted: borrow the next millisecond
                _last_ms += 1
                _counter = 0
            ms = _last_ms
        counter = _counter
        rand = int.from_bytes(_random_bytes(8), "big") & ((1 << 62) - 1)
    value = (ms & ((1 << 48) - 1)) << 80
    value |= 0x7 << 76
    value |= counter << 64
    value |= 0b10 << 62
    value |= rand
    return uuid.UUID(int=value)


def new_id() -> uuid.UUID:
    """A new entity id."""
    return uuid7()


def parse_id(value: str | uuid.UUID) -> uuid.UUID | None:
    """The UUID in value, or None when it is not one (so callers can answer 404)."""
    if isinstance(value, uuid.UUID):
        return value
    try:
        return uuid.UUID(value)
    except (ValueError, AttributeError, TypeError):
        return None
