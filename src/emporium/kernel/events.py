"""The event log: domain events, the append-only table, and how events are appended and read.

Positions are assigned in commit order (see docs/decisions/0001-commit-ordered-event-log.md):
on PostgreSQL every appending transaction takes one transaction-scoped advisory lock just
before it inserts its events and holds it until it commits, so a lower position can never
become visible after a higher one; on SQLite the single writer gives the same order for free.
A reader may therefore move its checkpoint to any position it has seen: a gap below it is a
rolled-back transaction, never a slow one.
"""

from __future__ import annotations

import dataclasses
import enum
import uuid
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any, ClassVar

from sqlalchemy import BigInteger, Index, Integer, String, func, insert, select, text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from emporium.kernel.bulk import bulk_insert
from emporium.kernel.clock import isoformat
from emporium.kernel.db import Base, JSONType, UTCDateTime, UUIDType, table_of
from emporium.kernel.ids import new_id
from emporium.kernel.money import Money

NOTIFY_CHANNEL = "emporium_events"
# Arbitrary but fixed key of the advisory lock that orders appends on PostgreSQL.
APPEND_LOCK_KEY = 0x454D504F  # "EMPO"


class EventRecord(Base):
    """One row of the append-only event log."""

    __tablename__ = "kernel_event"

    position: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    id: Mapped[uuid.UUID] = mapped_column(UUIDType, unique=True)
    type: Mapped[str] = mapped_column(String(120))
    version: Mapped[int] = mapped_column(Integer, default=1)
    aggregate_type: Mapped[str] = mapped_column(String(60))
    aggregate_id: Mapped[str] = mapped_column(String(80), index=True)
    payload: Mapped[dict[str, Any]] = mapped_column(JSONType)
    meta: Mapped[dict[str, Any]] = mapped_column("metadata", JSONType)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)

    __table_args__ = (
        # "The next event of these types after my checkpoint": one index range per type.
        Index("ix_kernel_event_type_position", "type", "position"),
        {"sqlite_autoincrement": True},
    )


@dataclass(frozen=True, kw_only=True)
class DomainEvent:
    """A fact in the past tense; subclasses set `type`, `aggregate_type` and the id field."""

    type: ClassVar[str]
    aggregate_type: ClassVar[str]
    aggregate_field: ClassVar[str] = "id"
    version: ClassVar[int] = 1

    @property
    def aggregate_id(self) -> str:
        return str(getattr(self, self.aggregate_field))

    def payload(self) -> dict[str, Any]:
        return {f.name: to_json(getattr(self, f.name)) for f in dataclasses.fields(self)}


def to_json(value: Any) -> Any:
    """A JSON-friendly copy of a payload value (ids, money, times, decimals, enums)."""
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, Money):
        return value.to_dict()
    if isinstance(value, datetime):
        return isoformat(value)
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, dict):
        return {str(k): to_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [to_json(v) for v in value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_json(getattr(value, f.name)) for f in dataclasses.fields(value)}
    return value


@dataclass(frozen=True)
class StoredEvent:
    """An event as read back from the log."""

    position: int
    id: uuid.UUID
    type: str
    version: int
    aggregate_type: str
    aggregate_id: str
    payload: dict[str, Any]
    metadata: dict[str, Any]
    occurred_at: datetime

    @classmethod
    def from_record(cls, row: EventRecord) -> StoredEvent:
        return cls(
            position=row.position,
            id=row.id,
            type=row.type,
            version=row.version,
            aggregate_type=row.aggregate_type,
            aggregate_id=row.aggregate_id,
            payload=row.payload,
            metadata=row.meta,
            occurred_at=row.occurred_at,
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "position": self.position,
            "id": str(self.id),
            "type": self.type,
            "version": self.version,
            "aggregate_type": self.aggregate_type,
            "aggregate_id": self.aggregate_id,
            "payload": self.payload,
            "metadata": self.metadata,
            "occurred_at": isoformat(self.occurred_at),
        }


@dataclass
class EventContext:
    """Who and what caused the events appended now: carried into every event's metadata."""

    request_id: str | None = None
    correlation_id: str | None = None
    causation_id: str | None = None
    actor: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def as_metadata(self) -> dict[str, Any]:
        data = {
            "request_id": self.request_id,
            "correlation_id": self.correlation_id,
            "causation_id": self.causation_id,
            "actor": self.actor,
        }
        data.update(self.extra)
        return {k: v for k, v in data.items() if v is not None}


current_context: ContextVar[EventContext | None] = ContextVar(
    "emporium_event_context", default=None
)


def context_metadata() -> dict[str, Any]:
    ctx = current_context.get()
    return ctx.as_metadata() if ctx else {}


async def append(
    session: AsyncSession,
    events: Sequence[DomainEvent],
    *,
    occurred_at: datetime,
    metadata: dict[str, Any] | None = None,
    returning: bool = True,
) -> list[int]:
    """Append events in the caller's transaction, in commit order; returns their positions.

    Bulk loads pass returning=False: one bulk insert (kernel.bulk: COPY on PostgreSQL), no
    positions read back.
    """
    if not events:
        return []
    rows = event_rows(events, occurred_at=occurred_at, metadata=append_metadata(metadata))
    positions: list[int] = []
    table = table_of(EventRecord)
    async with appending(session):
        if returning:
            result = await session.execute(
                insert(table).returning(table.c.position, sort_by_parameter_order=True), rows
            )
            positions = list(result.scalars())
        else:
            await bulk_insert(session, table, rows)
    return positions


def append_metadata(metadata: dict[str, Any] | None = None) -> dict[str, Any]:
    """What every appended event carries: the request's context, then metadata."""
    return {**context_metadata(), **(metadata or {})}


def event_rows(
    events: Sequence[DomainEvent], *, occurred_at: datetime, metadata: dict[str, Any]
) -> list[dict[str, Any]]:
    """The log rows of events, keyed by column (a bulk load may prepare them elsewhere)."""
    return [
        {
            "id": new_id(),
            "type": ev.type,
            "version": ev.version,
            "aggregate_type": ev.aggregate_type,
            "aggregate_id": ev.aggregate_id,
            "payload": ev.payload(),
            "metadata": metadata,
            "occurred_at": occurred_at,
        }
        for ev in events
    ]


@asynccontextmanager
async def appending(session: AsyncSession) -> AsyncIterator[None]:
    """Around inserts into the log: on PostgreSQL, take the ordering lock and notify after."""
    bind = session.bind
    if bind is None or bind.dialect.name != "postgresql":
        yield
        return
    # Held until commit: positions become visible in the order they were taken.
    await session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": APPEND_LOCK_KEY})
    yield
    await session.execute(text(f"NOTIFY {NOTIFY_CHANNEL}"))


async def head_position(session: AsyncSession) -> int:
    """The highest committed position (0 for an empty log)."""
    value = await session.scalar(select(func.max(EventRecord.position)))
    return int(value or 0)


async def first_after(
    session: AsyncSession, position: int, *, upto: int, types: Sequence[str] | None = None
) -> int | None:
    """The position of the first event in (position, upto] of one of types, or None."""
    stmt = select(func.min(EventRecord.position)).where(
        EventRecord.position > position, EventRecord.position <= upto
    )
    if types is not None:
        stmt = stmt.where(EventRecord.type.in_(list(types)))
    found = await session.scalar(stmt)
    return int(found) if found is not None else None


async def latest_by_type(session: AsyncSession, position: int, *, upto: int) -> dict[str, int]:
    """Each event type that occurred in (position, upto], with its latest position there."""
    rows = await session.execute(
        select(EventRecord.type, func.max(EventRecord.position))
        .where(EventRecord.position > position, EventRecord.position <= upto)
        .group_by(EventRecord.type)
    )
    return {kind: int(latest) for kind, latest in rows}


async def read_after(
    session: AsyncSession,
    position: int,
    *,
    limit: int,
    types: Sequence[str] | None = None,
    upto: int | None = None,
) -> list[StoredEvent]:
    """Committed events after position, in position order, optionally only some types."""
    stmt = select(EventRecord).where(EventRecord.position > position)
    if upto is not None:
        stmt = stmt.where(EventRecord.position <= upto)
    if types is not None:
        stmt = stmt.where(EventRecord.type.in_(list(types)))
    stmt = stmt.order_by(EventRecord.position).limit(limit)
    rows = (await session.scalars(stmt)).all()
    return [StoredEvent.from_record(row) for row in rows]
