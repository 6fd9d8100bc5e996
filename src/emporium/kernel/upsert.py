"""Insert-unless-present on both databases, for rows that several processes may create at once."""

from __future__ import annotations

from typing import Any

from sqlalchemy import inspect
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession


async def insert_if_absent(session: AsyncSession, model: type[Any], values: dict[str, Any]) -> bool:
    """Insert one row unless a unique key already holds one; True when this call inserted it."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    key = inspect(model).primary_key[0]
    stmt = insert(model).values(**values).on_conflict_do_nothing().returning(key)
    result = await session.execute(stmt)
    return result.first() is not None
