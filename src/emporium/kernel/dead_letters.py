"""Dead letters: events a subscriber kept failing on, parked so it moves on; admins retry them."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

import structlog
from sqlalchemy import BigInteger, Integer, String, Text, UniqueConstraint, func, select, update
from sqlalchemy.orm import Mapped, mapped_column

from emporium.kernel.db import Base, UTCDateTime, UUIDType
from emporium.kernel.errors import Conflict, NotFound
from emporium.kernel.events import EventRecord, StoredEvent
from emporium.kernel.ids import new_id
from emporium.kernel.runtime import Runtime
from emporium.kernel.uow import UnitOfWork

log = structlog.get_logger("emporium.dispatcher")

# Errors are kept for people to read; a whole traceback of a chatty exception is not needed.
MAX_ERROR_LENGTH = 2000


class DeadLetterStatus(StrEnum):
    PARKED = "parked"
    RESOLVED = "resolved"


class DeadLetterRecord(Base):
    """An event one subscriber gave up on after its last attempt."""

    __tablename__ = "kernel_dead_letter"

    id: Mapped[uuid.UUID] = mapped_column(UUIDType, primary_key=True)
    subscriber: Mapped[str] = mapped_column(String(120), index=True)
    event_position: Mapped[int] = mapped_column(BigInteger)
    event_id: Mapped[uuid.UUID] = mapped_column(UUIDType)
    event_type: Mapped[str] = mapped_column(String(120))
    error: Mapped[str] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (UniqueConstraint("subscriber", "event_position"),)


class DeadLetterNotFound(NotFound):
    default_message = "No dead letter has this id"


class DeadLetterResolved(Conflict):
    default_message = "This dead letter was already resolved"


def describe(exc: BaseException) -> str:
    """A one-line account of exc for people (type and message, cut to a readable length)."""
    text = f"{type(exc).__name__}: {exc}"
    return text[:MAX_ERROR_LENGTH]


async def park(
    uow: UnitOfWork, *, subscriber: str, event: StoredEvent, error: str, attempts: int
) -> None:
    """Park event for subscriber (again, if a replay failed on it once more)."""
    now = uow.clock.now()
    existing = await uow.session.scalar(
        select(DeadLetterRecord).where(
            DeadLetterRecord.subscriber == subscriber,
            DeadLetterRecord.event_position == event.position,
        )
    )
    if existing is not None:
        existing.status = DeadLetterStatus.PARKED
        existing.error = error
        existing.attempts += attempts
        existing.updated_at = now
        existing.resolved_at = None
        return
    uow.session.add(
        DeadLetterRecord(
            id=new_id(),
            subscriber=subscriber,
            event_position=event.position,
            event_id=event.id,
            event_type=event.type,
            error=error,
            attempts=attempts,
            status=DeadLetterStatus.PARKED,
            created_at=now,
            updated_at=now,
        )
    )


async def supersede(uow: UnitOfWork, *, subscriber: str) -> None:
    """Resolve subscriber's parked events: a replay from position 0 handles them again."""
    now = uow.clock.now()
    await uow.session.execute(
        update(DeadLetterRecord)
        .where(
            DeadLetterRecord.subscriber == subscriber,
            DeadLetterRecord.status == DeadLetterStatus.PARKED,
        )
        .values(status=DeadLetterStatus.RESOLVED, resolved_at=now, updated_at=now)
    )


async def retry(runtime: Runtime, dead_letter_id: uuid.UUID) -> DeadLetterRecord:
    """Run the subscriber on the parked event once more; resolved on success, parked on failure."""
    async with runtime.uow() as uow:
        record = await uow.session.scalar(
            select(DeadLetterRecord).where(DeadLetterRecord.id == dead_letter_id).with_for_update()
        )
        if record is None:
            raise DeadLetterNotFound(details={"id": str(dead_letter_id)})
        if record.status == DeadLetterStatus.RESOLVED:
            raise DeadLetterResolved(details={"id": str(dead_letter_id)})
        subscriber = runtime.subscribers.get(record.subscriber)
        if subscriber is None:
            raise Conflict(
                "The subscriber of this dead letter is not registered in this process",
                details={"subscriber": record.subscriber},
            )
        row = await uow.session.get_one(EventRecord, record.event_position)
        record.attempts += 1
        record.updated_at = uow.clock.now()
        try:
            async with uow.savepoint():
                await subscriber.handle(StoredEvent.from_record(row), uow)
        except Exception as exc:
            record.error = describe(exc)
            log.warning(
                "dead_letter_retry_failed",
                subscriber=record.subscriber,
                position=record.event_position,
                exc_info=exc,
            )
            outcome = "retry_failed"
        else:
            record.status = DeadLetterStatus.RESOLVED
            record.resolved_at = record.updated_at
            outcome = "retried"
        await uow.commit()
    runtime.metrics.events_handled.labels(record.subscriber, outcome).inc()
    return record


async def parked_counts(runtime: Runtime) -> dict[str, int]:
    """How many events each subscriber has parked."""
    stmt = (
        select(DeadLetterRecord.subscriber, func.count())
        .where(DeadLetterRecord.status == DeadLetterStatus.PARKED)
        .group_by(DeadLetterRecord.subscriber)
    )
    async with runtime.db.read() as session:
        return {name: int(count) for name, count in (await session.execute(stmt)).all()}
