"""Admin routes over sagas: one saga with its step log and event timeline, and saga lists."""

from __future__ import annotations

import dataclasses
import uuid
from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Query

from emporium.kernel import saga
from emporium.kernel.errors import ValidationFailed
from emporium.kernel.events import StoredEvent
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

router = APIRouter(prefix="/admin/sagas", tags=["admin: sagas"])


@dataclass(frozen=True)
class SagaDetail(saga.SagaState):
    """A saga with its step log and the timeline of its events."""

    events: tuple[StoredEvent, ...] = ()


@router.get(
    "",
    summary="Sagas, newest first, by status and type",
    description="Items carry no step log (`steps` is empty); ask for one saga to see it.",
)
async def list_sagas(
    runtime: RuntimeDep,
    _admin: AdminPrincipal,
    status: saga.SagaStatus | None = None,
    saga_type: Annotated[str | None, Query(alias="type", max_length=120)] = None,
    limit: LimitParam = DEFAULT_LIMIT,
    cursor: CursorParam = None,
) -> Page[saga.SagaState]:
    states = await saga.list_sagas(
        runtime, status=status, saga_type=saga_type, before=_before(cursor), limit=limit + 1
    )
    items = states[:limit]
    more = len(states) > limit  # one more than asked tells whether a page follows
    return Page(items=items, next_cursor=encode_cursor([str(items[-1].id)]) if more else None)


@router.get("/{saga_id}", summary="One saga: its state, step log and the timeline of its events")
async def get_saga(runtime: RuntimeDep, _admin: AdminPrincipal, saga_id: str) -> SagaDetail:
    parsed = parse_id(saga_id)
    state = None if parsed is None else await saga.get_saga(runtime, parsed)
    if state is None:
        raise saga.SagaNotFound(details={"id": saga_id})
    events = await saga.timeline(runtime, state)
    fields = {field.name: getattr(state, field.name) for field in dataclasses.fields(state)}
    return SagaDetail(**fields, events=tuple(events))


def _before(cursor: str | None) -> uuid.UUID | None:
    values = decode_cursor(cursor, size=1)
    if values is None:
        return None
    parsed = parse_id(str(values[0]))
    if parsed is None:
        raise ValidationFailed("The cursor is not valid", details={"cursor": cursor})
    return parsed
