"""Database engines for SQLite (embedded) and PostgreSQL (production), and shared column types."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import datetime
from pathlib import Path
from typing import Any, cast

from sqlalchemy import (
    JSON,
    DateTime,
    Engine,
    Executable,
    MetaData,
    Table,
    TypeDecorator,
    create_engine,
    event,
    make_url,
    text,
)
from sqlalchemy.dialects import sqlite
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.pool import StaticPool
from sqlalchemy.types import TypeEngine, Uuid

from emporium.kernel.clock import utc

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
# How long an inline SQLite read may wait for a lock before going asynchronous instead.
INLINE_BUSY_MS = 5
_BUSY = (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)


class Base(DeclarativeBase):
    """Declarative base for every context's tables; one metadata, one migration history."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class _SQLiteText(sqlite.DATETIME):
    """DATETIME in SQLite's DDL, with values passed through as the text UTCDateTime makes.

    SQLAlchemy's own SQLite DATETIME formats with a %-template and parses with a regex,
    about 5 µs a value each way; datetime.isoformat and fromisoformat write and read the
    same 'YYYY-MM-DD HH:MM:SS.ffffff' text several times faster.
    """

    def bind_processor(self, dialect: Dialect) -> None:
        return None

    def result_processor(self, dialect: Dialect, coltype: object) -> None:
        return None


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on both databases (SQLite stores naive UTC text)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(_SQLiteText())  # type: ignore[no-untyped-call]
        return dialect.type_descriptor(self.impl)

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        value = utc(value)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None).isoformat(" ", "microseconds")
        return value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if isinstance(value, str):  # SQLite's text, read without SQLAlchemy's regex
            value = datetime.fromisoformat(value)
        return utc(value)


JSONType = JSON().with_variant(JSONB(), "postgresql")
UUIDType = Uuid(as_uuid=True)


def is_postgres_url(url: str) -> bool:
    return url.startswith("postgresql")


class Database:
    """One engine per URL, plus the write discipline each database needs.

    SQLite: every write transaction starts with BEGIN IMMEDIATE, so two writers can never
    both hold a read lock and deadlock when they upgrade to write; within one process
    writers also queue on an asyncio lock, so they wait in line instead of spinning in
    SQLite's busy handler. Reads use deferred transactions and never wait for writers (WAL).
    """

    def __init__(
        self, url: str, *, pool_size: int = 10, pool_timeout: float = 30.0, echo: bool = False
    ) -> None:
        self.url = url
        self.dialect = "postgresql" if is_postgres_url(url) else "sqlite"
        kwargs: dict[str, Any] = {
            "echo": echo,
            "pool_pre_ping": False,
            "pool_timeout": pool_timeout,
        }
        if self.dialect == "sqlite":
            ensure_sqlite_dir(url)
            kwargs["connect_args"] = {"timeout": 30}
            kwargs["pool_size"] = pool_size
            kwargs["max_overflow"] = pool_size * 2
        else:
            kwargs["pool_size"] = pool_size
            kwargs["max_overflow"] = pool_size * 2
            kwargs["connect_args"] = {
                "server_settings": {"application_name": "emporium", "jit": "off"}
            }
        self.engine: AsyncEngine = create_async_engine(url, **kwargs)
        self.read_engine: AsyncEngine = self.engine.execution_options(emporium_readonly=True)
        # One statement needs no transaction around it: on SQLite no BEGIN (and its trips to
        # the driver's thread), on PostgreSQL no BEGIN/ROLLBACK round trips.
        self.statement_engine: AsyncEngine = self.engine.execution_options(
            emporium_readonly=True,
            emporium_autocommit=True,
            **({"isolation_level": "AUTOCOMMIT"} if self.dialect == "postgresql" else {}),
        )
        if self.dialect == "sqlite":
            _install_sqlite_discipline(self.engine)
        self.sessions = async_sessionmaker(self.engine, expire_on_commit=False, autoflush=False)
        self.read_sessions = async_sessionmaker(
            self.read_engine, expire_on_commit=False, autoflush=False
        )
        self._inline = _inline_sqlite_engine(url) if self.dialect == "sqlite" else None
        self._write_lock: asyncio.Lock | None = None
        self.committed = asyncio.Event()  # set after any commit that appended events

    @property
    def is_sqlite(self) -> bool:
        return self.dialect == "sqlite"

    @property
    def is_postgres(self) -> bool:
        return self.dialect == "postgresql"

    @asynccontextmanager
    async def write_slot(self) -> AsyncIterator[None]:
        """Queue in-process writers on SQLite; a no-op on PostgreSQL (row locks do the work)."""
        if not self.is_sqlite:
            yield
            return
        if self._write_lock is None:
            self._write_lock = asyncio.Lock()
        async with self._write_lock:
            yield

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncSession]:
        """A read-only session; never commits (closing it ends the transaction)."""
        async with self.read_sessions() as session:
            yield session

    async def read_rows(self, statement: Executable, params: dict[str, Any]) -> list[Sequence[Any]]:
        """The rows of one read-only statement, outside any transaction (for hot reads).

        On a SQLite file it runs inline on the event loop: an indexed read takes tens of
        microseconds, less than the trips to aiosqlite's thread (and their context switches)
        that it saves. In WAL mode a reader never waits for writers; if it ever finds the
        file busy it goes the asynchronous way instead of blocking the loop.
        """
        if self._inline is not None:
            try:
                with self._inline.connect() as connection:
                    rows: list[Sequence[Any]] = list(connection.execute(statement, params))
                    return rows
            except OperationalError as error:
                if getattr(error.orig, "sqlite_errorcode", None) not in _BUSY:
                    raise
        async with self.statement_engine.connect() as connection:
            rows = list(await connection.execute(statement, params))
        return rows

    async def refresh_statistics(self) -> None:
        """After a bulk load, give PostgreSQL's planner the new tables' real sizes at once.

        Autovacuum would analyse them within a minute or so; until then the planner works
        from an empty table's guesses. SQLite keeps no statistics unless asked to, and its
        plans here were chosen without them, so it is left as it is.
        """
        if not self.is_postgres:
            return
        async with self.engine.connect() as connection:
            await connection.execute(text("ANALYZE"))
            await connection.commit()

    async def dispose(self) -> None:
        await self.engine.dispose()
        if self._inline is not None:
            self._inline.dispose()


def ensure_sqlite_dir(url: str) -> None:
    """Create the folder of a SQLite database file, so a fresh checkout just works."""
    marker = ":///"
    if marker not in url:
        return
    path = url.split(marker, 1)[1].split("?", 1)[0]
    if path and path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)


def _inline_sqlite_engine(url: str) -> Engine | None:
    """A synchronous read-only connection to the same SQLite file, for Database.read_rows."""
    target = make_url(url)
    if target.database in (None, "", ":memory:") or "memory" in str(target.query):
        return None  # another connection would see another database
    engine = create_engine(
        target.set(drivername="sqlite+pysqlite"),
        poolclass=StaticPool,  # used only between two awaits, so one connection is enough
        connect_args={"check_same_thread": False},
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # autocommit: each SELECT is its own snapshot
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA query_only=ON")
        cursor.execute(f"PRAGMA busy_timeout={INLINE_BUSY_MS}")
        cursor.close()

    return engine


def _install_sqlite_discipline(engine: AsyncEngine) -> None:
    sync_engine = engine.sync_engine

    @event.listens_for(sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let us issue BEGIN ourselves (pysqlite's implicit BEGIN is DEFERRED).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA synchronous=NORMAL")
        # 64 MiB of page cache (the default is 2 MiB): bulk loads and index upkeep on a
        # 100k-product catalog re-read far fewer pages. Pages are taken only as used.
        cursor.execute("PRAGMA cache_size=-65536")
        cursor.close()

    @event.listens_for(sync_engine, "begin")
    def _on_begin(conn: Any) -> None:
        options = conn.get_execution_options()
        if options.get("emporium_autocommit"):
            return  # the driver is in autocommit mode: each statement is its own
        if options.get("emporium_readonly"):
            conn.exec_driver_sql("BEGIN")
        else:
            conn.exec_driver_sql("BEGIN IMMEDIATE")


def is_unique_violation(exc: Exception, table: str, column: str) -> bool:
    """Whether exc is a unique-constraint failure on table.column (SQLite or PostgreSQL)."""
    text = str(getattr(exc, "orig", exc))
    return f"{table}.{column}" in text or f"uq_{table}_{column}" in text


def table_of(model: type[Base]) -> Table:
    """The Core table behind a mapped class, for bulk executemany without ORM bookkeeping."""
    return cast(Table, model.__table__)
