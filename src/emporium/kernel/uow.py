"""The unit of work: one transaction in which state changes and their events commit together."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from types import TracebackType
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from emporium.kernel import events as event_log
from emporium.kernel.clock import Clock
from emporium.kernel.db import Database
from emporium.kernel.events import DomainEvent


class RecordsEvents:
    """Mixin for aggregates: they record the events of what happened to them."""

    def record_event(self, event: DomainEvent) -> None:
        pending: list[DomainEvent] = self.__dict__.setdefault("_pending_events", [])
        pending.append(event)

    def take_events(self) -> list[DomainEvent]:
        events: list[DomainEvent] = self.__dict__.pop("_pending_events", [])
        return events


class UnitOfWork:
    """`async with uow: ...; await uow.commit()` — nobody else commits.

    Leaving the block without commit rolls everything back, events included.
    """

    def __init__(self, db: Database, clock: Clock) -> None:
        self.db = db
        self.clock = clock
        self._stack: AsyncExitStack | None = None
        self._session: AsyncSession | None = None
        self._events: list[DomainEvent] = []
        self.committed = False
        self.positions: list[int] = []

    @property
    def session(self) -> AsyncSession:
        if self._session is None:
            raise RuntimeError("UnitOfWork used outside `async with`")
        return self._session

    async def __aenter__(self) -> UnitOfWork:
        stack = AsyncExitStack()
        await stack.enter_async_context(self.db.write_slot())
        self._session = await stack.enter_async_context(self.db.sessions())
        self._stack = stack
        self._events = []
        self.committed = False
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        assert self._stack is not None
        try:
            if not self.committed and self._session is not None:
                await self._session.rollback()
        finally:
            stack, self._stack, self._session = self._stack, None, None
            await stack.aclose()

    def record(self, *events: DomainEvent) -> None:
        """Queue events to be appended to the log when this unit commits."""
        self._events.extend(events)

    def _collect(self) -> list[DomainEvent]:
        collected = list(self._events)
        self._events.clear()
        seen: set[int] = set()
        for obj in (*self.session.new, *self.session.identity_map.values()):
            if id(obj) in seen or not isinstance(obj, RecordsEvents):
                continue
            seen.add(id(obj))
            collected.extend(obj.take_events())
        return collected

    @asynccontextmanager
    async def savepoint(self) -> AsyncIterator[None]:
        """A nested transaction: if the block raises, its writes and the events it recorded go."""
        # Gather what aggregates recorded so far, so that only this block's events are dropped.
        self._events = self._collect()
        kept = len(self._events)
        try:
            async with self.session.begin_nested():
                yield
        except BaseException:
            self._events = self._collect()[:kept]
            raise

    async def flush(self) -> None:
        await self.session.flush()

    async def commit(self, *, metadata: dict[str, Any] | None = None) -> None:
        """Append the recorded events and commit them with the state change."""
        events = self._collect()
        await self.session.flush()
        self.positions = await event_log.append(
            self.session, events, occurred_at=self.clock.now(), metadata=metadata
        )
        await self.session.commit()
        self.committed = True
        if events:
            self.db.committed.set()

    async def rollback(self) -> None:
        self._events.clear()
        await self.session.rollback()
