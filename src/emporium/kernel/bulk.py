"""Bulk inserts for imports and demo data: rows turned into one driver call each.

Preparing (compiling the INSERT, converting every value to what the driver takes) needs
only a dialect, not a connection, so it can run in another process: a large load makes its
inserts in a worker and the process holding the transaction only executes them.

On PostgreSQL (asyncpg) the rows go in with COPY, in the caller's transaction: an
executemany binds and executes each row as a statement of its own, which made the
server's side of a 100k-product load about 17 s; COPY takes the same rows as one stream.
SQLite has no COPY; its executemany runs in C.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from asyncpg import IntegrityConstraintViolationError, PostgresError
from sqlalchemy import Table, bindparam, insert, make_url
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession


@dataclass(frozen=True)
class PreparedInsert:
    """One table's rows in the driver's own terms; plain data, so it pickles cheaply."""

    sql: str
    table: str
    schema: str | None
    columns: tuple[str, ...]  # the database names of the params' columns, in their order
    params: list[tuple[Any, ...]]


def driver_of(dialect: Dialect) -> str:
    """What dialect_for needs to make the same dialect elsewhere: "sqlite+aiosqlite"."""
    return f"{dialect.name}+{dialect.driver}"


def dialect_for(driver: str) -> Dialect:
    """A fresh dialect for a driver_of name, for preparing inserts away from any connection."""
    dialect: Dialect = make_url(f"{driver}://").get_dialect()()
    return dialect


def prepare_insert(dialect: Dialect, table: Table, rows: list[dict[str, Any]]) -> PreparedInsert:
    """rows as one INSERT and its parameters, each value object converted once per column.

    Every row needs every column key of the first row.
    """
    columns = {c.key: c for c in table.columns if c.key in rows[0]}
    compiled = (
        insert(table).values({key: bindparam(key) for key in columns}).compile(dialect=dialect)
    )
    order = compiled.positiontup or list(columns)
    converted = [_convert(columns[key], [row[key] for row in rows], dialect) for key in order]
    return PreparedInsert(
        sql=str(compiled),
        table=table.name,
        schema=table.schema,
        columns=tuple(columns[key].name for key in order),
        params=list(zip(*converted, strict=True)),
    )


async def run_prepared(session: AsyncSession, inserts: Iterable[PreparedInsert]) -> None:
    """Execute prepared inserts in the session's transaction, in order."""
    connection = await session.connection()
    if connection.dialect.driver == "asyncpg":
        await _copy(connection, inserts)
        return
    for prepared in inserts:
        await connection.exec_driver_sql(prepared.sql, prepared.params)


async def bulk_insert(session: AsyncSession, table: Table, rows: list[dict[str, Any]]) -> None:
    """Insert many rows with one driver call (COPY or executemany), each value converted once.

    It skips SQLAlchemy's per-row parameter bookkeeping, which is most of the cost at
    hundreds of thousands of rows.
    """
    if not rows:
        return
    connection = await session.connection()
    await run_prepared(session, [prepare_insert(connection.dialect, table, rows)])


async def _copy(connection: AsyncConnection, inserts: Iterable[PreparedInsert]) -> None:
    """COPY each insert's rows on the driver's own connection, in the session's transaction."""
    # SQLAlchemy's asyncpg adapter sends BEGIN lazily, before the first statement it runs
    # itself. COPY goes around it: without a statement first, the rows would commit alone,
    # whatever the session did later.
    await connection.exec_driver_sql("SELECT 1")
    driver = (await connection.get_raw_connection()).driver_connection
    if driver is None:  # only once the pool has closed it, which a live session cannot see
        raise RuntimeError("the session's connection is closed")
    for prepared in inserts:
        try:
            await driver.copy_records_to_table(
                prepared.table,
                schema_name=prepared.schema,
                columns=prepared.columns,
                records=prepared.params,
            )
        except IntegrityConstraintViolationError as error:
            # What the same rows through executemany would raise.
            raise IntegrityError(f"COPY {prepared.table}", None, error) from error
        except PostgresError as error:
            raise DBAPIError(f"COPY {prepared.table}", None, error) from error


def _convert(column: Any, values: list[Any], dialect: Dialect) -> list[Any]:
    """One column's values as the driver takes them, each value object converted once.

    Bulk rows share objects (a product's id in each of its variants, one timestamp for a
    whole batch). Repeats are found by object identity, not equality: hashing a UUID is a
    Python-level call, and three hashes per value were most of a 100k-product load's
    conversion time; identity also covers unhashable JSON values. Equal values held in
    distinct objects are simply converted once each.
    """
    process = column.type._cached_bind_processor(dialect)
    if process is None:
        return values
    keys = list(map(id, values))  # the values list keeps every object alive meanwhile
    unique = dict(zip(keys, values, strict=True))
    converted = {key: process(value) for key, value in unique.items()}
    return list(map(converted.__getitem__, keys))
