"""Timetables of recurring jobs: every N seconds, or daily at HH:MM (UTC).

Occurrences are aligned (to the Unix epoch, or to the time of day), so every process that
computes the next one gets the same instant and hence the same job key: two workers starting
at once still keep one pending occurrence.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class DailyAt:
    """Once a day at hour:minute UTC."""

    hour: int
    minute: int = 0

    def __post_init__(self) -> None:
        if not (0 <= self.hour < 24 and 0 <= self.minute < 60):
            raise ValueError(f"not a time of day: {self.hour:02d}:{self.minute:02d}")


def encode(every: timedelta | DailyAt) -> str:
    """The rule as stored on the job row: `every:<seconds>` or `daily:HH:MM`."""
    if isinstance(every, DailyAt):
        return f"daily:{every.hour:02d}:{every.minute:02d}"
    seconds = int(every.total_seconds())
    if seconds < 1 or seconds != every.total_seconds():
        raise ValueError("a recurring interval must be a whole number of seconds, at least one")
    return f"every:{seconds}"


def next_after(rule: str, moment: datetime) -> datetime:
    """The first occurrence of rule strictly after moment."""
    kind, _, value = rule.partition(":")
    if kind == "every":
        step = timedelta(seconds=int(value))
        return EPOCH + ((moment - EPOCH) // step + 1) * step
    if kind == "daily":
        hour, minute = (int(part) for part in value.split(":"))
        candidate = moment.replace(hour=hour, minute=minute, second=0, microsecond=0)
        return candidate if candidate > moment else candidate + timedelta(days=1)
    raise ValueError(f"unknown recurrence rule {rule!r}")
