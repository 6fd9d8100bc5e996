"""Admin routes over the kernel: the event log, subscribers, dead letters and durable jobs.

Lists are newest first (events by position, dead letters and jobs by their time-ordered id),
paged with `?limit=&cursor=`.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict
from sqlalchemy import select
from sqlalchemy.orm import InstrumentedAttribute

from emporium.kernel import dead_letters, dispatcher
from emporium.kernel.dead_letters import DeadLetterRecord, DeadLetterStatus
from emporium.kernel.dispatcher import SubscriberStatus
from emporium.kernel.errors import ValidationFailed
from emporium.kernel.events import EventRecord, StoredEvent
from emporium.kernel.http.auth import AdminPrincipal
from emporium.kernel.http.deps import RuntimeDep
from emporium.kernel.http.pagination import (
    DEFAULT_LIMIT,
    CursorParam,
    LimitParam,
    Page,
    decode_cursor,
    encode_cursor,
)
from emporium.kernel.ids import parse_id
from emporium.kernel.jobs import JobRecord, JobStatus
from emporium.kernel.runtime import Runtime

M = TypeVar("M")
K = TypeVar("K")

router = APIRouter(prefix="/admin", tags=["admin: operations"])


class DeadLetterRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    subscriber: str
    event_position: int
    event_id: uuid.UUID
    event_type: str
    error: str
    attempts: int
    status: DeadLetterStatus
    created_at: datetime
    updated_at: datetime
    resolved_at: datetime | None


class JobRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    kind: str
    key: str
    status: JobStatus
    payload: dict[str, Any]
    due_at: datetime
    attempts: int
    max_attempts: int
    recurrence: str | None
    last_error: str | None
    lease_until: datetime | None
    created_at: datetime
    finished_at: datetime | None


class SubscriberList(BaseModel):
    items: list[SubscriberStatus]


@router.get("/events", summary="The event log, newest first")
async def list_events(
    runtime: RuntimeDep,
    _admin: AdminPrincipal,
    event_type: Annotated[str | None, Query(alias="type", max_length=120)] = None,
    aggregate_id: Annotated[str | None, Query(max_length=80)] = None,
    limit: LimitParam = DEFAULT_LIMIT,
    cursor: CursorParam = None,
) -> Page[StoredEvent]:
    records = await _newest_first(
        runtime,
        EventRecord.position,
        limit=limit,
        before=_cursor_key(cursor, int),
        type=event_type,
        aggregate_id=aggregate_id,
    )
    events = [StoredEvent.from_record(r) for r in records]
    return _page(events, limit, key=lambda event: event.position)


@router.get("/subscribers", summary="Every subscriber's checkpoint, lag and current failure")
async def list_subscribers(runtime: RuntimeDep, _admin: AdminPrincipal) -> SubscriberList:
    return SubscriberList(items=await dispatcher.subscriber_statuses(runtime))


@router.get("/dead-letters", summary="Events that subscribers gave up on, newest first")
async def list_dead_letters(
    runtime: RuntimeDep,
    _admin: AdminPrincipal,
    status: DeadLetterStatus | None = None,
    subscriber: Annotated[str | None, Query(max_length=120)] = None,
    limit: LimitParam = DEFAULT_LIMIT,
    cursor: CursorParam = None,
) -> Page[DeadLetterRead]:
    records = await _newest_first(
        runtime,
        DeadLetterRecord.id,
        limit=limit,
        before=_cursor_key(cursor, uuid.UUID),
        status=status,
        subscriber=subscriber,
    )
    items = [DeadLetterRead.model_validate(r) for r in records]
    return _page(items, limit, key=lambda letter: str(letter.id))


@router.post(
    "/dead-letters/{dead_letter_id}/retry",
    summary="Run the subscriber on the parked event again",
    description="200 with the dead letter: `resolved` when the handler succeeded, "
    "still `parked` with the new error and attempt count when it failed again.",
)
async def retry_dead_letter(
    runtime: RuntimeDep, _admin: AdminPrincipal, dead_letter_id: str
) -> DeadLetterRead:
    parsed = parse_id(dead_letter_id)
    if parsed is None:
        raise dead_letters.DeadLetterNotFound(details={"id": dead_letter_id})
    return DeadLetterRead.model_validate(await dead_letters.retry(runtime, parsed))


@router.get("/jobs", summary="Durable jobs and timers, newest first")
async def list_jobs(
    runtime: RuntimeDep,
    _admin: AdminPrincipal,
    status: JobStatus | None = None,
    kind: Annotated[str | None, Query(max_length=120)] = None,
    limit: LimitParam = DEFAULT_LIMIT,
    cursor: CursorParam = None,
) -> Page[JobRead]:
    records = await _newest_first(
        runtime,
        JobRecord.id,
        limit=limit,
        before=_cursor_key(cursor, uuid.UUID),
        status=status,
        kind=kind,
    )
    items = [JobRead.model_validate(r) for r in records]
    return _page(items, limit, key=lambda job: str(job.id))


async def _newest_first(
    runtime: Runtime,
    key: InstrumentedAttribute[K],
    *,
    limit: int,
    before: K | None,
    **equal: object,
) -> list[Any]:
    """Rows of key's table, key descending, below before, where each given column equals."""
    model = key.class_
    stmt = select(model).where(
        *(getattr(model, column) == value for column, value in equal.items() if value is not None)
    )
    if before is not None:
        stmt = stmt.where(key < before)
    stmt = stmt.order_by(key.desc()).limit(limit + 1)  # one more tells whether a page follows
    async with runtime.db.read() as session:
        records = list((await session.scalars(stmt)).all())
        session.expunge_all()  # keep them loaded: the read session rolls back (and expires)
    return records


def _cursor_key(cursor: str | None, kind: Callable[[Any], K]) -> K | None:
    """The one key inside a cursor made by these routes; 422 when it is not one."""
    values = decode_cursor(cursor, size=1)
    if values is None:
        return None
    try:
        return kind(values[0])
    except (TypeError, ValueError) as exc:
        raise ValidationFailed("The cursor is not valid", details={"cursor": cursor}) from exc


def _page(items: list[M], limit: int, *, key: Callable[[M], object]) -> Page[M]:
    more = len(items) > limit
    items = items[:limit]
    return Page(items=items, next_cursor=encode_cursor([key(items[-1])]) if more else None)
