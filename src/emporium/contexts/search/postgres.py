"""The PostgreSQL engine: full-text search shared by every API process of a deployment.

Documents are stored with a tsvector built from analysis.py's tokens, so a word means the
same here as in the embedded engine. A query word with a typo budget is expanded into the
indexed words within that many typos: pg_trgm finds candidates through its GIN index,
fuzzystrmatch's levenshtein trims them, and analysis.typo_distance (transpositions count
once, as in tantivy) has the last word. The words become one tsquery: AND over the query
words, OR over each word's candidates, plus a prefix match for the last word.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Float,
    Integer,
    String,
    cast,
    delete,
    func,
    literal,
    literal_column,
    select,
    text,
    tuple_,
)
from sqlalchemy.dialects.postgresql import TSQUERY, insert
from sqlalchemy.ext.asyncio import AsyncSession

from emporium.contexts.search.analysis import QueryPlan, Term, parse_query, typo_distance
from emporium.contexts.search.models import search_document, search_term
from emporium.contexts.search.port import (
    PriceRange,
    SearchDocument,
    SearchFacets,
    SearchHit,
    SearchQuery,
    SearchResult,
    batches,
    top_buckets,
)
from emporium.contexts.search.postgres_text import (
    document_row,
    trigram_threshold,
    tsquery_text,
)
from emporium.kernel.db import Database

# ts_rank weights for D, C, B, A: title (A) outranks names (B) outranks description (C).
RANK_WEIGHTS: ColumnElement[Any] = literal_column("'{0.1, 0.2, 0.4, 1.0}'::float4[]")
# A query word expands to at most this many indexed words (closest first).
MAX_EXPANSIONS = 200
WRITE_BATCH = 500
TERM_BATCH = 5000
REBUILD_BATCH = 2000
_HIT_COLUMNS = (
    "product_id",
    "slug",
    "title",
    "price_min",
    "price_max",
    "currency",
    "vendor_id",
    "vendor_name",
    "category_slug",
    "image_url",
)


class PostgresSearchEngine:
    """The SearchEngine port on PostgreSQL tables (see models.py and migration 0005).

    Given a session, writes join the caller's transaction (exactly-once with a subscriber's
    checkpoint); without one they commit on their own.
    """

    def __init__(self, db: Database) -> None:
        self._db = db

    @asynccontextmanager
    async def _writing(self, session: AsyncSession | None) -> AsyncIterator[AsyncSession]:
        if session is not None:
            yield session
            return
        async with self._db.sessions() as own, own.begin():
            yield own

    @staticmethod
    async def _store(session: AsyncSession, docs: Sequence[SearchDocument]) -> None:
        """Write rows, then their words, each in ascending order.

        Concurrent writers so take row locks in one global order (all documents before any
        word) and can never deadlock on each other.
        """
        rows: list[dict[str, Any]] = []
        words: set[str] = set()
        for doc in sorted(docs, key=lambda d: d.product_id):
            row, doc_words = document_row(doc)
            rows.append(row)
            words |= doc_words
        statement = insert(search_document)
        updates = {name: statement.excluded[name] for name in rows[0] if name != "product_id"}
        upsert_rows = statement.on_conflict_do_update(index_elements=["product_id"], set_=updates)
        for start in range(0, len(rows), WRITE_BATCH):
            await session.execute(upsert_rows, rows[start : start + WRITE_BATCH])
        ordered = [{"term": word} for word in sorted(words)]
        for start in range(0, len(ordered), TERM_BATCH):
            await session.execute(
                insert(search_term).on_conflict_do_nothing(), ordered[start : start + TERM_BATCH]
            )

    async def upsert(
        self, docs: Sequence[SearchDocument], *, session: AsyncSession | None = None
    ) -> None:
        """Add or replace documents; the last of a repeated id wins."""
        latest = list({doc.product_id: doc for doc in docs}.values())
        if not latest:
            return
        async with self._writing(session) as writing:
            await self._store(writing, latest)

    async def delete(
        self, product_ids: Sequence[str], *, session: AsyncSession | None = None
    ) -> None:
        """Remove products; their words stay in the vocabulary until the next rebuild."""
        if not product_ids:
            return
        async with self._writing(session) as writing:
            await writing.execute(
                delete(search_document).where(
                    search_document.c.product_id.in_(sorted(set(product_ids)))
                )
            )

    async def rebuild(
        self,
        docs: AsyncIterator[SearchDocument] | Iterable[SearchDocument],
        *,
        session: AsyncSession | None = None,
    ) -> int:
        """Replace everything in one transaction; readers see the old rows until it commits.

        Writers wait for it (a table lock that readers do not take): interleaved with a
        rebuild's inserts, an upsert could otherwise deadlock with it.
        """
        seen: set[str] = set()
        async with self._writing(session) as writing:
            await writing.execute(text("LOCK TABLE search_document IN SHARE ROW EXCLUSIVE MODE"))
            await writing.execute(delete(search_document))
            await writing.execute(delete(search_term))
            async for batch in batches(docs, REBUILD_BATCH):
                latest = list({doc.product_id: doc for doc in batch}.values())
                await self._store(writing, latest)
                seen.update(doc.product_id for doc in latest)
        return len(seen)

    async def count(self) -> int:
        """Documents in the index."""
        async with self._db.read() as session:
            total = await session.scalar(select(func.count()).select_from(search_document))
        return int(total or 0)

    async def search(self, query: SearchQuery) -> SearchResult:
        """Expand the words, then one query for the page and one for total and facets."""
        started = time.perf_counter()
        plan = parse_query(query.text)
        async with self._db.read() as session:
            tsquery = await self._tsquery(session, plan)
            conditions = _filters(query)
            if tsquery is not None:
                conditions.append(search_document.c.document.bool_op("@@")(tsquery))
            hits = await self._page(session, plan, query, tsquery, conditions)
            total, facets = await self._facets(session, conditions)
        elapsed = (time.perf_counter() - started) * 1000
        return SearchResult(hits=hits, total=total, facets=facets, processing_time_ms=elapsed)

    async def _tsquery(self, session: AsyncSession, plan: QueryPlan) -> ColumnElement[Any] | None:
        if plan.is_browse:
            return None
        # The planner prices @@ as cheap and scans the whole table once a word is common;
        # the GIN bitmap skips that per-row check and is faster even for broad matches.
        await session.execute(
            select(
                func.set_config("enable_seqscan", "off", True),
                func.set_config("plan_cache_mode", "force_custom_plan", True),
            )
        )
        expansions: dict[Term, list[str]] = {}
        for term in plan.terms():
            if term.distance and term not in expansions:
                expansions[term] = await self._typo_candidates(session, term)
        return cast(literal(tsquery_text(plan, expansions), String), TSQUERY)

    @staticmethod
    async def _typo_candidates(session: AsyncSession, term: Term) -> list[str]:
        word, distance = term.text, term.distance
        column = search_term.c.term
        # Plain Levenshtein counts a transposition twice, hence the doubled bound here.
        conditions = [
            func.length(column).between(len(word) - distance, len(word) + distance),
            func.levenshtein_less_equal(column, word, 2 * distance) <= 2 * distance,
        ]
        threshold = trigram_threshold(word, distance)
        if threshold is not None:
            await session.execute(
                select(func.set_config("pg_trgm.similarity_threshold", f"{threshold:.4f}", True))
            )
            conditions.append(column.bool_op("%")(word))
        found = await session.scalars(select(column).where(*conditions))
        ranked = sorted(
            (typo_distance(candidate, word, distance), candidate) for candidate in found
        )
        return [c for d, c in ranked if d <= distance and c != word][:MAX_EXPANSIONS]

    @staticmethod
    async def _page(
        session: AsyncSession,
        plan: QueryPlan,
        query: SearchQuery,
        tsquery: ColumnElement[Any] | None,
        conditions: list[ColumnElement[bool]],
    ) -> list[SearchHit]:
        d = search_document.c
        columns = [d[name] for name in _HIT_COLUMNS]
        if tsquery is None:
            score = literal(0.0, Float).label("score")
            order = [d.created_at.desc(), d.product_id]
        else:
            # A product all of whose words match without typo or completion ranks first, as
            # fewer typos come before better fields (and so in the embedded engine). ts_rank,
            # not ts_rank_cd: it ranks a broad match set several times faster.
            exact = cast(literal(tsquery_text(plan, {}, exact=True), String), TSQUERY)
            score = (
                func.ts_rank(RANK_WEIGHTS, d.document, tsquery)
                + cast(d.document.bool_op("@@")(exact), Integer)
            ).label("score")
            order = [score.desc(), d.product_id]
        statement = (
            select(*columns, score)
            .where(*conditions)
            .order_by(*order)
            .limit(query.limit)
            .offset(query.offset)
        )
        rows = (await session.execute(statement)).mappings()
        return [
            SearchHit(score=float(row["score"]), **{name: row[name] for name in _HIT_COLUMNS})
            for row in rows
        ]

    @staticmethod
    async def _facets(
        session: AsyncSession, conditions: list[ColumnElement[bool]]
    ) -> tuple[int, SearchFacets]:
        d = search_document.c
        # One pass over the matches: the grand total, by own category, and by vendor.
        statement = (
            select(
                func.grouping(d.category_slug, d.vendor_id).label("grouping"),
                d.category_slug,
                d.vendor_id,
                func.count().label("n"),
                func.min(d.price_min).label("low"),
                func.max(d.price_max).label("high"),
            )
            .where(*conditions)
            .group_by(func.grouping_sets(tuple_(), tuple_(d.category_slug), tuple_(d.vendor_id)))
        )
        total, prices = 0, None
        categories: list[tuple[str, int]] = []
        vendors: list[tuple[str, int]] = []
        for row in (await session.execute(statement)).mappings():
            if row["grouping"] == 3:
                total = int(row["n"])
                if total:
                    prices = PriceRange(min=int(row["low"]), max=int(row["high"]))
            elif row["grouping"] == 1 and row["category_slug"] is not None:
                categories.append((row["category_slug"], int(row["n"])))
            elif row["grouping"] == 2:
                vendors.append((row["vendor_id"], int(row["n"])))
        facets = SearchFacets(
            category=top_buckets(categories), vendor=top_buckets(vendors), price_range=prices
        )
        return total, facets


def _filters(query: SearchQuery) -> list[ColumnElement[bool]]:
    d = search_document.c
    conditions: list[ColumnElement[bool]] = []
    if query.category is not None:
        conditions.append(d.category_slugs.contains([query.category]))
    if query.vendor_id is not None:
        conditions.append(d.vendor_id == query.vendor_id)
    if query.min_price is not None:
        conditions.append(d.price_max >= query.min_price)
    if query.max_price is not None:
        conditions.append(d.price_min <= query.max_price)
    if query.in_stock is not None:
        conditions.append(d.in_stock == query.in_stock)
    if query.exclude_vendor_ids:
        conditions.append(d.vendor_id.not_in(query.exclude_vendor_ids))
    return conditions
