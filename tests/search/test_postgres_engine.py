"""What only the PostgreSQL engine promises: its unit of work, its schema, and agreement
with the embedded engine on every match."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Connection

from emporium.contexts.search import SearchEngine, SearchQuery
from emporium.contexts.search.analysis import index_tokens
from emporium.contexts.search.embedded import EmbeddedSearchEngine
from emporium.contexts.search.models import postgres_metadata
from emporium.contexts.search.postgres import PostgresSearchEngine
from emporium.kernel.db import Database
from tests.search.conftest import found
from tests.search.corpus import BY_SLUG, CORPUS

pytestmark = pytest.mark.parametrize("engine_kind", ["postgres"])


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    database = Database(database_url)
    try:
        yield database
    finally:
        await database.dispose()


async def test_writes_nothing_when_the_callers_transaction_rolls_back(db: Database) -> None:
    engine = PostgresSearchEngine(db)
    async with db.sessions() as session, session.begin():
        await engine.upsert([BY_SLUG["catan"]], session=session)
        await session.rollback()
    assert await engine.count() == 0


async def test_writes_with_the_callers_transaction_when_it_commits(db: Database) -> None:
    engine = PostgresSearchEngine(db)
    async with db.sessions() as session, session.begin():
        await engine.upsert([BY_SLUG["catan"]], session=session)
        await engine.delete(["prod-catan"], session=session)
        await engine.upsert([BY_SLUG["watchmen"]], session=session)
    assert await found(engine, "") == ["watchmen"]


def _schema_differences(connection: Connection) -> list[object]:
    ours = set(postgres_metadata.tables)
    context = MigrationContext.configure(
        connection,
        opts={"include_name": lambda name, kind, _parent: kind != "table" or name in ours},
    )
    return list(compare_metadata(context, postgres_metadata))


async def test_the_migrated_tables_match_the_models(db: Database) -> None:
    async with db.engine.connect() as connection:
        differences = await connection.run_sync(_schema_differences)
    assert differences == []


WORDS = sorted({token for doc in CORPUS for token in index_tokens(doc.title)})
LETTERS = "abcdefghijklmnopqrstuvwxyz"


@st.composite
def typed_words(draw: st.DrawFn) -> str:
    """A corpus word as a hurried shopper types it: up to two slips, maybe unfinished."""
    word = list(draw(st.sampled_from(WORDS)))
    for _ in range(draw(st.integers(0, 2))):
        at = draw(st.integers(0, max(len(word) - 1, 0)))
        slip = draw(st.sampled_from(["swap", "drop", "add", "change"]))
        if slip == "swap" and at + 1 < len(word):
            word[at], word[at + 1] = word[at + 1], word[at]
        elif slip == "drop" and len(word) > 1:
            del word[at]
        elif slip == "add":
            word.insert(at, draw(st.sampled_from(LETTERS)))
        elif slip == "change" and word:
            word[at] = draw(st.sampled_from(LETTERS))
    keep = draw(st.integers(1, max(len(word), 1)))
    return "".join(word[:keep])


@pytest.fixture
async def both(indexed: SearchEngine, tmp_path: Path) -> tuple[SearchEngine, SearchEngine]:
    embedded = EmbeddedSearchEngine(tmp_path / "agreement-index")
    await embedded.upsert(CORPUS)
    return indexed, embedded


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(words=st.lists(typed_words(), min_size=1, max_size=3))
async def test_both_engines_find_the_same_products(
    both: tuple[SearchEngine, SearchEngine], words: list[str]
) -> None:
    text = " ".join(words)
    postgres, embedded = [await e.search(SearchQuery(text=text, limit=100)) for e in both]
    assert {h.slug for h in postgres.hits} == {h.slug for h in embedded.hits}, text
    assert postgres.total == embedded.total
    assert postgres.facets == embedded.facets
