"""The migrations and the ORM models describe the same schema, on both databases."""

from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Connection, MetaData
from sqlalchemy.ext.asyncio import create_async_engine

from emporium.kernel import migrate
from emporium.models import metadata, postgres_only_metadata


def _expected(dialect: str) -> MetaData:
    """Every table the models declare for this database (some exist on PostgreSQL only)."""
    if dialect != "postgresql":
        return metadata
    merged = MetaData()
    for source in (metadata, *postgres_only_metadata):
        for table in source.tables.values():
            table.to_metadata(merged)
    return merged


def _diff(connection: Connection) -> list[Any]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return list(compare_metadata(context, _expected(connection.dialect.name)))


async def _schema_diff(url: str) -> list[Any]:
    engine = create_async_engine(url)
    try:
        async with engine.connect() as conn:
            return await conn.run_sync(_diff)
    finally:
        await engine.dispose()


async def test_migrated_schema_matches_the_models(database_url: str) -> None:
    assert await _schema_diff(database_url) == []


async def test_migrations_go_down_to_nothing_and_back_up(database_url: str) -> None:
    migrate.downgrade(database_url, "base")
    migrate.upgrade(database_url, "head")
    assert await _schema_diff(database_url) == []


async def test_database_reports_itself_current_after_upgrade(database_url: str) -> None:
    engine = create_async_engine(database_url)
    try:
        assert await migrate.is_current(engine)
    finally:
        await engine.dispose()
