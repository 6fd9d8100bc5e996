"""The embedded engine: a tantivy index in a local directory, for the default install.

Text arrives already analysed (analysis.py), one token per whitespace-separated word, so
tantivy's own tokenizer never second-guesses what a word is. Searches and writes run in
worker threads; the event loop never waits on the index.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

import structlog
import tantivy
from sqlalchemy.ext.asyncio import AsyncSession
from tantivy import FieldType, Occur, Query

from emporium.contexts.search.analysis import QueryPlan, Term, parse_query
from emporium.contexts.search.embedded_index import (
    SCHEMA_VERSION,
    TEXT_FIELDS,
    add_all,
    build_schema,
    close_writer,
    index_document,
    open_index,
    open_writer,
)
from emporium.contexts.search.embedded_rebuild import build_in_child
from emporium.contexts.search.errors import SearchIndexBusy
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

log = structlog.get_logger(__name__)

# Typo and prefix matches score a constant; an exact word (BM25) must outrank them.
TYPO_WEIGHT = 0.3
PREFIX_WEIGHT = 0.5
# Terms aggregations are exact below this many distinct values; facets show FACET_SIZE.
FACET_FETCH = 1000
REBUILD_BATCH = 1000
# A rebuild of at least this many documents runs in a child process. Starting one costs
# 0.1-0.5 s (a Python start; spawn imports the parent's main module again), about what
# analysing 5,000 documents costs.
PROCESS_THRESHOLD = 5000


class EmbeddedSearchEngine:
    """The SearchEngine port on a tantivy index under index_dir.

    Writes are idempotent upserts (at-least-once with the subscriber checkpoint is enough).
    One writer at a time per directory: within a process writers queue on a lock, across
    processes on tantivy's lock file, retried for up to lock_timeout_seconds.
    """

    def __init__(
        self,
        index_dir: Path,
        *,
        lock_timeout_seconds: float = 10.0,
        process_threshold: int = PROCESS_THRESHOLD,
    ) -> None:
        self.path = Path(index_dir) / f"v{SCHEMA_VERSION}"
        self._lock_timeout = lock_timeout_seconds
        self._process_threshold = process_threshold
        self._schema = build_schema()
        self._index: tantivy.Index | None = None
        self._open_lock = threading.Lock()
        self._write_lock = asyncio.Lock()

    def _open(self) -> tantivy.Index:
        with self._open_lock:
            if self._index is None:
                self._index = open_index(self.path)
            return self._index

    def _writer(self) -> tantivy.IndexWriter:
        try:
            return open_writer(self._open(), timeout=self._lock_timeout, threads=1)
        except SearchIndexBusy:
            log.warning("search.index_locked", path=str(self.path))
            raise

    def _write_sync(self, apply: Callable[[tantivy.IndexWriter], None]) -> None:
        writer = self._writer()
        try:
            apply(writer)
        except BaseException:
            close_writer(writer, commit=False)
            raise
        else:
            close_writer(writer, commit=True)
        finally:
            self._reload()

    def _reload(self) -> None:
        self._open().reload()

    async def _write(self, apply: Callable[[tantivy.IndexWriter], None]) -> None:
        async with self._write_lock:
            await asyncio.to_thread(self._write_sync, apply)

    async def upsert(
        self, docs: Sequence[SearchDocument], *, session: AsyncSession | None = None
    ) -> None:
        """Add or replace documents in one commit; the last of a repeated id wins."""
        latest = {doc.product_id: doc for doc in docs}
        if not latest:
            return

        def apply(writer: tantivy.IndexWriter) -> None:
            for product_id, doc in latest.items():
                writer.delete_documents_by_term("product_id", product_id)
                writer.add_document(index_document(doc))

        await self._write(apply)

    async def delete(
        self, product_ids: Sequence[str], *, session: AsyncSession | None = None
    ) -> None:
        """Remove products in one commit."""
        if not product_ids:
            return

        def apply(writer: tantivy.IndexWriter) -> None:
            for product_id in set(product_ids):
                writer.delete_documents_by_term("product_id", product_id)

        await self._write(apply)

    async def rebuild(
        self,
        docs: AsyncIterator[SearchDocument] | Iterable[SearchDocument],
        *,
        session: AsyncSession | None = None,
    ) -> int:
        """Replace everything in one commit: readers see the old index until it lands.

        From process_threshold documents on, a child process analyses and writes them
        while this one reads the rest (embedded_rebuild); a smaller rebuild is not worth
        starting one, and runs in a thread once its documents are all read.
        """
        async with self._write_lock:
            source = aiter(batches(docs, REBUILD_BATCH))
            head: list[list[SearchDocument]] = []
            read = 0
            async for batch in source:
                head.append(batch)
                read += len(batch)
                if read >= self._process_threshold:
                    break
            else:
                return await asyncio.to_thread(self._rebuild_sync, head)
            try:
                count = await build_in_child(
                    self.path, head, source, lock_timeout=self._lock_timeout
                )
            except SearchIndexBusy:
                log.warning("search.index_locked", path=str(self.path))
                raise
            await asyncio.to_thread(self._reload)
            return count

    def _rebuild_sync(self, head: list[list[SearchDocument]]) -> int:
        seen: set[str] = set()

        def apply(writer: tantivy.IndexWriter) -> None:
            writer.delete_all_documents()
            for batch in head:
                add_all(writer, batch, seen)

        self._write_sync(apply)
        return len(seen)

    async def count(self) -> int:
        """Documents in the index as this process last saw it."""
        return await asyncio.to_thread(lambda: int(self._open().searcher().num_docs))

    async def search(self, query: SearchQuery) -> SearchResult:
        """Run the query in a worker thread."""
        started = time.perf_counter()
        plan = parse_query(query.text)
        hits, total, facets = await asyncio.to_thread(self._search_sync, plan, query)
        elapsed = (time.perf_counter() - started) * 1000
        return SearchResult(hits=hits, total=total, facets=facets, processing_time_ms=elapsed)

    def _search_sync(
        self, plan: QueryPlan, query: SearchQuery
    ) -> tuple[list[SearchHit], int, SearchFacets]:
        searcher = self._open().searcher()
        compiled = self._compile(plan, query)
        if plan.is_browse:
            found = searcher.search(
                compiled,
                query.limit,
                count=True,
                offset=query.offset,
                order_by_field="created_us",
                order=tantivy.Order.Desc,
            )
        else:
            found = searcher.search(compiled, query.limit, count=True, offset=query.offset)
        hits = [
            _hit(searcher.doc(address), 0.0 if plan.is_browse else float(score))
            for score, address in found.hits
        ]
        total = int(found.count)  # type: ignore[attr-defined]  # missing from the stubs
        facets = self._facets(searcher, compiled) if total else SearchFacets()
        return hits, total, facets

    def _compile(self, plan: QueryPlan, query: SearchQuery) -> Query:
        musts: list[Query] = []
        for clause in plan.clauses:
            word = self._term(clause.word)
            if clause.parts:
                parts = [(Occur.Must, self._term(part)) for part in clause.parts]
                word = Query.boolean_query(
                    [(Occur.Should, word), (Occur.Should, Query.boolean_query(parts))]
                )
            musts.append(word)
        # Filters decide membership only; they must not move the ranking.
        musts.extend(Query.const_score_query(f, 0.0) for f in self._filters(query))
        excluded = [
            (Occur.MustNot, Query.term_query(self._schema, "vendor_id", vendor_id))
            for vendor_id in query.exclude_vendor_ids
        ]
        if not musts and not excluded:
            return Query.all_query()
        clauses = [(Occur.Must, q) for q in musts] or [(Occur.Must, Query.all_query())]
        return Query.boolean_query(clauses + excluded)

    def _term(self, term: Term) -> Query:
        schema = self._schema
        options: list[Query] = []
        for field, boost in TEXT_FIELDS:
            options.append(Query.boost_query(Query.term_query(schema, field, term.text), boost))
            if term.distance:
                fuzzy = Query.fuzzy_term_query(schema, field, term.text, distance=term.distance)
                options.append(Query.boost_query(fuzzy, boost * TYPO_WEIGHT))
            if term.prefix:
                prefix = Query.fuzzy_term_query(schema, field, term.text, distance=0, prefix=True)
                options.append(Query.boost_query(prefix, boost * PREFIX_WEIGHT))
        return Query.boolean_query([(Occur.Should, q) for q in options])

    def _filters(self, query: SearchQuery) -> list[Query]:
        schema = self._schema
        filters: list[Query] = []
        if query.category is not None:
            filters.append(Query.term_query(schema, "category_slugs", query.category))
        if query.vendor_id is not None:
            filters.append(Query.term_query(schema, "vendor_id", query.vendor_id))
        if query.min_price is not None:
            filters.append(
                Query.range_query(
                    schema, "price_max", FieldType.Integer, lower_bound=query.min_price
                )
            )
        if query.max_price is not None:
            filters.append(
                Query.range_query(
                    schema, "price_min", FieldType.Integer, upper_bound=query.max_price
                )
            )
        if query.in_stock is not None:
            filters.append(Query.term_query(schema, "in_stock", query.in_stock))
        return filters

    @staticmethod
    def _facets(searcher: tantivy.Searcher, compiled: Query) -> SearchFacets:
        found = searcher.aggregate(compiled, _FACET_AGGREGATIONS)
        low, high = found["price_min"]["value"], found["price_max"]["value"]
        return SearchFacets(
            category=top_buckets(_buckets(found["category"])),
            vendor=top_buckets(_buckets(found["vendor"])),
            price_range=None if low is None else PriceRange(min=int(low), max=int(high)),
        )


_FACET_AGGREGATIONS = {
    "category": {"terms": {"field": "category_slug", "size": FACET_FETCH}},
    "vendor": {"terms": {"field": "vendor_id", "size": FACET_FETCH}},
    "price_min": {"min": {"field": "price_min"}},
    "price_max": {"max": {"field": "price_max"}},
}


def _buckets(aggregation: dict[str, Any]) -> list[tuple[str, int]]:
    return [(str(b["key"]), int(b["doc_count"])) for b in aggregation["buckets"]]


def _hit(stored: tantivy.Document, score: float) -> SearchHit:
    data = json.loads(bytes(stored.get_first("hit") or b"{}"))
    return SearchHit(score=score, **data)
