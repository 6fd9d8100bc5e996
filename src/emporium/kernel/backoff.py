"""Retry delays: exponential backoff with full jitter, so many failures do not retry in step."""

from __future__ import annotations

import random
from datetime import timedelta

# Beyond this many doublings the cap always wins; stopping early keeps the float finite.
_MAX_DOUBLINGS = 32


def retry_delay(attempt: int, *, base_seconds: float, cap_seconds: float = 3600.0) -> timedelta:
    """A random delay in [0, min(cap, base * 2**(attempt - 1))] ("full jitter")."""
    doublings = min(max(attempt - 1, 0), _MAX_DOUBLINGS)
    ceiling = min(cap_seconds, base_seconds * 2**doublings)
    return timedelta(seconds=random.uniform(0, ceiling))
