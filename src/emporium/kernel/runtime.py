"""Everything a running Emporium process shares, built once by bootstrap.py."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from emporium.kernel.clock import Clock
from emporium.kernel.db import Database
from emporium.kernel.metrics import Metrics
from emporium.kernel.registry import JobRegistry, SubscriberRegistry
from emporium.kernel.uow import UnitOfWork
from emporium.settings import Settings

T = TypeVar("T")


@dataclass
class Runtime:
    """The composition root's product: settings, database, clock, metrics, registries, adapters."""

    settings: Settings
    db: Database
    clock: Clock
    metrics: Metrics
    subscribers: SubscriberRegistry = field(default_factory=SubscriberRegistry)
    jobs: JobRegistry = field(default_factory=JobRegistry)
    services: dict[str, Any] = field(default_factory=dict)
    _closers: list[Callable[[], Awaitable[None]]] = field(default_factory=list)

    def uow(self) -> UnitOfWork:
        """A new unit of work (one transaction)."""
        return UnitOfWork(self.db, self.clock)

    def service(self, key: str, kind: type[T]) -> T:
        """A named adapter or service registered by bootstrap, checked for its type."""
        value = self.services[key]
        if not isinstance(value, kind):
            raise TypeError(f"service {key!r} is {type(value).__name__}, not {kind.__name__}")
        return value

    def provide(self, key: str, value: Any) -> None:
        self.services[key] = value

    def on_close(self, closer: Callable[[], Awaitable[None]]) -> None:
        """Register something to close when the process shuts down (clients, pools)."""
        self._closers.append(closer)

    async def aclose(self) -> None:
        """Close registered clients, then the database engine."""
        for closer in reversed(self._closers):
            await closer()
        self._closers.clear()
        await self.db.dispose()
