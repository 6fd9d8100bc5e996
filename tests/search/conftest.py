"""One suite, both engines: the embedded index once, the PostgreSQL engine on PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from emporium.contexts.search import SearchEngine, SearchQuery, build_engine
from emporium.kernel.db import Database
from tests.conftest import make_settings
from tests.search.corpus import CORPUS

ENGINES = ["embedded", "postgres"]


@pytest.fixture(params=ENGINES)
def engine_kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def backend(engine_kind: str) -> str:
    # The embedded engine never touches the database, so it runs once (beside SQLite);
    # the PostgreSQL engine runs on PostgreSQL only: "postgres on SQLite" does not exist.
    return "postgresql" if engine_kind == "postgres" else "sqlite"


@pytest.fixture
async def engine(
    engine_kind: str, database_url: str, tmp_path: Path
) -> AsyncIterator[SearchEngine]:
    """An empty engine of the kind under test, built the way bootstrap builds it."""
    settings = make_settings(database_url, tmp_path, search_engine=engine_kind)
    db = Database(settings.database_url)
    try:
        yield build_engine(settings, db)
    finally:
        await db.dispose()


@pytest.fixture
async def indexed(engine: SearchEngine) -> SearchEngine:
    """The engine holding the whole fixture corpus."""
    await engine.upsert(CORPUS)
    return engine


async def found(engine: SearchEngine, text: str = "", **filters: object) -> list[str]:
    """The slugs of the hits, best first."""
    result = await engine.search(SearchQuery(text=text, limit=100, **filters))  # type: ignore[arg-type]
    return [hit.slug for hit in result.hits]


QUERY_SET = [
    "",
    "batman",
    "spidreman",
    "marvel",
    "t-shirt",
    "watchmne",
    "batm",
    "game",
    "the",
    "cotton tee",
]


async def results(engine: SearchEngine) -> list[tuple[str, int, set[str], dict[str, object]]]:
    """What each query of the set finds: total, hits and facets (order aside)."""
    out = []
    for text in QUERY_SET:
        result = await engine.search(SearchQuery(text=text, limit=100))
        hits = {hit.slug for hit in result.hits}
        out.append((text, result.total, hits, result.facets.to_dict()))
    return out
