"""Registries of event subscribers and job handlers, filled by the composition root."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from emporium.kernel.events import StoredEvent
    from emporium.kernel.uow import UnitOfWork

EventHandler = Callable[["StoredEvent", "UnitOfWork"], Awaitable[None]]
ResetHandler = Callable[["UnitOfWork"], Awaitable[None]]
JobHandler = Callable[[dict[str, Any], "UnitOfWork"], Awaitable[None]]


@dataclass(frozen=True)
class Subscriber:
    """A named reader of the event log with its own checkpoint.

    `handle` runs inside the unit of work that also moves the checkpoint, so database
    effects are exactly-once. `types` limits which events it is given (None: all).
    `reset` clears its read model before a replay; subscribers without it cannot be replayed
    (their effects leave the database: emails, webhooks).
    """

    name: str
    handle: EventHandler
    types: Sequence[str] | None = None
    reset: ResetHandler | None = None
    batch_size: int = 100

    @property
    def replayable(self) -> bool:
        return self.reset is not None


@dataclass
class SubscriberRegistry:
    _by_name: dict[str, Subscriber] = field(default_factory=dict)

    def add(self, subscriber: Subscriber) -> None:
        if subscriber.name in self._by_name:
            raise ValueError(f"subscriber {subscriber.name!r} registered twice")
        self._by_name[subscriber.name] = subscriber

    def get(self, name: str) -> Subscriber | None:
        return self._by_name.get(name)

    def __iter__(self) -> Any:
        return iter(list(self._by_name.values()))

    def __len__(self) -> int:
        return len(self._by_name)


@dataclass
class JobRegistry:
    _by_kind: dict[str, JobHandler] = field(default_factory=dict)

    def add(self, kind: str, handler: JobHandler) -> None:
        if kind in self._by_kind:
            raise ValueError(f"job kind {kind!r} registered twice")
        self._by_kind[kind] = handler

    def get(self, kind: str) -> JobHandler | None:
        return self._by_kind.get(kind)

    def kinds(self) -> list[str]:
        return list(self._by_kind)
