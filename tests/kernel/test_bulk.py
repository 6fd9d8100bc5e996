"""Bulk inserts (COPY on PostgreSQL, executemany on SQLite) store what the ORM would, inside
the caller's transaction, and fail the way any insert fails."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from emporium.kernel.bulk import bulk_insert
from emporium.kernel.db import table_of
from emporium.kernel.events import EventRecord
from emporium.kernel.ids import new_id
from emporium.kernel.runtime import Runtime


def _rows(runtime: Runtime, n: int) -> list[dict[str, Any]]:
    now = runtime.clock.now()
    return [
        {
            "id": new_id(),
            "type": "test.bulk_loaded",
            "version": 1,
            "aggregate_type": "thing",
            "aggregate_id": f"thing-{i}",
            "payload": {"n": i, "name": "Pokémon ✓", "tags": ["a", "b"], "none": None},
            "metadata": {"actor": "bulk"},
            "occurred_at": now + timedelta(microseconds=i),
        }
        for i in range(n)
    ]


async def test_bulk_rows_read_back_as_the_orm_stores_them(runtime: Runtime) -> None:
    rows = _rows(runtime, 250)
    async with runtime.uow() as uow:
        await bulk_insert(uow.session, table_of(EventRecord), rows)
        await uow.commit()

    async with runtime.db.read() as session:
        stored = {
            e.id: e
            for e in await session.scalars(
                select(EventRecord).where(EventRecord.type == "test.bulk_loaded")
            )
        }
    assert len(stored) == 250
    for row in rows:
        event = stored[row["id"]]
        assert event.aggregate_id == row["aggregate_id"]
        assert event.payload == row["payload"]
        assert event.meta == row["metadata"]
        assert event.occurred_at == row["occurred_at"]
    positions = sorted(e.position for e in stored.values())
    assert len(set(positions)) == 250  # the database still numbers the rows itself


async def test_bulk_rows_go_with_a_rolled_back_transaction(runtime: Runtime) -> None:
    async with runtime.uow() as uow:
        await bulk_insert(uow.session, table_of(EventRecord), _rows(runtime, 10))
        await uow.rollback()

    async with runtime.db.read() as session:
        count = await session.scalar(
            select(func.count()).where(EventRecord.type == "test.bulk_loaded")
        )
    assert count == 0


async def test_a_duplicate_key_fails_the_whole_bulk_insert_as_an_integrity_error(
    runtime: Runtime,
) -> None:
    rows = _rows(runtime, 5)
    rows.append({**rows[0], "aggregate_id": "again"})
    async with runtime.uow() as uow:
        with pytest.raises(IntegrityError):
            await bulk_insert(uow.session, table_of(EventRecord), rows)

    async with runtime.db.read() as session:
        count = await session.scalar(
            select(func.count()).where(EventRecord.type == "test.bulk_loaded")
        )
    assert count == 0
