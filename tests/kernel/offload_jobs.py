"""Generators for the offload tests: module-level, so a spawned worker can import them."""

from __future__ import annotations

import os
from collections.abc import Iterator


def numbers(start: int, stop: int) -> Iterator[int]:
    yield from range(start, stop)


def fails_after(good: int) -> Iterator[int]:
    yield from range(good)
    raise ValueError("the generator broke")


def dies_after(good: int) -> Iterator[int]:
    yield from range(good)
    os._exit(3)  # as if killed: no "done", no traceback


def endless() -> Iterator[int]:
    n = 0
    while True:
        yield n
        n += 1
