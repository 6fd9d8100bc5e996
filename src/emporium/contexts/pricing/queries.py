"""Read-side helpers shared by the pricing admin lists."""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import Select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from emporium.kernel.errors import ValidationFailed
from emporium.kernel.ids import parse_id

T = TypeVar("T")


async def page_by_id(
    session: AsyncSession,
    stmt: Select[T],
    key: InstrumentedAttribute[Any],
    *,
    limit: int,
    cursor: str | None,
) -> tuple[list[T], str | None]:
    """One page of rows in id order (ids are time-ordered: oldest first) and the next cursor."""
    if cursor:
        after = parse_id(cursor)
        if after is None:
            raise ValidationFailed("The cursor is not valid", details={"cursor": cursor})
        stmt = stmt.where(key > after)
    rows = list(await session.scalars(stmt.order_by(key).limit(limit + 1)))
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, str(getattr(rows[-1], key.key)) if more else None
