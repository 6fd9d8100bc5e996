"""Schema migrations through Alembic: upgrade, and whether a database is at head."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from emporium.kernel.db import ensure_sqlite_dir

# The migrations live beside src/ in the repository (an editable install, as `make` does).
ROOT = Path(__file__).resolve().parents[3]


def alembic_config(url: str) -> Config:
    config = Config(str(ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(ROOT / "migrations"))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(url: str, revision: str = "head") -> None:
    """Bring the database at url to revision (blocking; runs its own event loop)."""
    ensure_sqlite_dir(url)
    _off_loop(command.upgrade, alembic_config(url), revision)


def downgrade(url: str, revision: str) -> None:
    _off_loop(command.downgrade, alembic_config(url), revision)


def _off_loop(fn: Callable[[Config, str], None], config: Config, revision: str) -> None:
    """Alembic's env runs its own event loop, so never call it on a thread that has one."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        fn(config, revision)
        return
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(fn, config, revision).result()


async def upgrade_async(url: str, revision: str = "head") -> None:
    await asyncio.to_thread(upgrade, url, revision)


@lru_cache(maxsize=1)
def head_revision() -> str | None:
    """The newest migration's revision id."""
    return ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()


def _current(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


async def is_current(engine: AsyncEngine) -> bool:
    """True when the database's revision is the newest migration."""
    async with engine.connect() as conn:
        current = await conn.run_sync(_current)
    return current is not None and current == head_revision()
