"""bootstrap's factory picks the engine from the settings and the database."""

from __future__ import annotations

from pathlib import Path

import pytest

from emporium.contexts.search import SearchEngine, build_engine
from emporium.contexts.search.embedded import EmbeddedSearchEngine
from emporium.contexts.search.postgres import PostgresSearchEngine
from emporium.kernel.db import Database
from tests.conftest import make_settings

EXPECTED = {"embedded": EmbeddedSearchEngine, "postgres": PostgresSearchEngine}


async def test_auto_picks_the_engine_that_suits_the_database(
    engine_kind: str, database_url: str, tmp_path: Path
) -> None:
    db = Database(database_url)
    try:
        engine = build_engine(make_settings(database_url, tmp_path, search_engine="auto"), db)
    finally:
        await db.dispose()
    assert isinstance(engine, EXPECTED[engine_kind])
    assert isinstance(engine, SearchEngine)


async def test_embedded_can_be_chosen_on_any_database(database_url: str, tmp_path: Path) -> None:
    db = Database(database_url)
    try:
        settings = make_settings(database_url, tmp_path, search_engine="embedded")
        engine = build_engine(settings, db)
    finally:
        await db.dispose()
    assert isinstance(engine, EmbeddedSearchEngine)


def test_refuses_the_postgres_engine_on_sqlite(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path}/x.db"
    settings = make_settings(url, tmp_path, search_engine="postgres")
    with pytest.raises(ValueError, match="PostgreSQL"):
        build_engine(settings, Database(url))
