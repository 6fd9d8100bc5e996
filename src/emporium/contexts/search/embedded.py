"""The embedded engine: a tantivy index in a local directory, for the default install.

Text arrives already analysed (analysis.py), one token per whitespace-separated word, so
tantivy's own tokenizer never second-guesses what a word is. Searches and writes run in
worker threads; the event loop never waits on the index.
"""

from __future__ import annotations

import asyncio
import fcntl
import json
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import structlog
import tantivy
from sqlalchemy.ext.asyncio import AsyncSession
from tantivy import FieldType, Occur, Query
from tenacity import (
    RetryError,
    Retrying,
    retry_if_exception,
    stop_after_delay,
    wait_random_exponential,
)

from emporium.contexts.search.analysis import QueryPlan, Term, document_tokens, parse_query
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
from emporium.kernel.clock import utc

log = structlog.get_logger(__name__)

# Bump when the schema changes: the index then starts empty in a new directory (reindex).
SCHEMA_VERSION = 1
TEXT_FIELDS = (("title", 3.0), ("names", 1.5), ("description", 1.0))
# Typo and prefix matches score a constant; an exact word (BM25) must outrank them.
TYPO_WEIGHT = 0.3
PREFIX_WEIGHT = 0.5
# Terms aggregations are exact below this many distinct values; facets show FACET_SIZE.
FACET_FETCH = 1000
WRITER_HEAP_BYTES = 64_000_000
REBUILD_BATCH = 1000


def build_schema() -> tantivy.Schema:
    """Analysed text fields, raw filter fields and one stored blob with what a hit shows."""
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("product_id", tokenizer_name="raw", index_option="basic")
    for name, _boost in TEXT_FIELDS:
        builder.add_text_field(name, tokenizer_name="whitespace", index_option="freq")
    builder.add_text_field("category_slugs", tokenizer_name="raw", index_option="basic")
    builder.add_text_field("category_slug", tokenizer_name="raw", fast=True, index_option="basic")
    builder.add_text_field("vendor_id", tokenizer_name="raw", fast=True, index_option="basic")
    builder.add_integer_field("price_min", indexed=True, fast=True)
    builder.add_integer_field("price_max", indexed=True, fast=True)
    builder.add_boolean_field("in_stock", indexed=True)
    builder.add_integer_field("created_us", fast=True)
    builder.add_bytes_field("hit", stored=True)
    return builder.build()


def _document(doc: SearchDocument) -> tantivy.Document:
    tokens = document_tokens(doc)
    out = tantivy.Document()
    out.add_text("product_id", doc.product_id)
    out.add_text("title", " ".join(tokens.title))
    out.add_text("names", " ".join(tokens.names))
    out.add_text("description", " ".join(tokens.description))
    for slug in doc.category_slugs:
        out.add_text("category_slugs", slug)
    if doc.category_slug is not None:
        out.add_text("category_slug", doc.category_slug)
    out.add_text("vendor_id", doc.vendor_id)
    out.add_integer("price_min", doc.price_min)
    out.add_integer("price_max", doc.price_max)
    out.add_boolean("in_stock", doc.in_stock)
    out.add_integer("created_us", int(utc(doc.created_at).timestamp() * 1_000_000))
    hit = {
        "product_id": doc.product_id,
        "slug": doc.slug,
        "title": doc.title,
        "price_min": doc.price_min,
        "price_max": doc.price_max,
        "currency": doc.currency,
        "vendor_id": doc.vendor_id,
        "vendor_name": doc.vendor_name,
        "category_slug": doc.category_slug,
        "image_url": doc.image_url,
    }
    out.add_bytes("hit", json.dumps(hit).encode())
    return out


def _is_lock_busy(error: BaseException) -> bool:
    return isinstance(error, ValueError) and "LockBusy" in str(error)


@contextmanager
def _file_lock(path: Path) -> Iterator[None]:
    """Serialise index creation between processes sharing the directory."""
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


class EmbeddedSearchEngine:
    """The SearchEngine port on a tantivy index under index_dir.

    Writes are idempotent upserts (at-least-once with the subscriber checkpoint is enough).
    One writer at a time per directory: within a process writers queue on a lock, across
    processes on tantivy's lock file, retried for up to lock_timeout_seconds.
    """

    def __init__(self, index_dir: Path, *, lock_timeout_seconds: float = 10.0) -> None:
        self.path = Path(index_dir) / f"v{SCHEMA_VERSION}"
        self._lock_timeout = lock_timeout_seconds
        self._schema = build_schema()
        self._index: tantivy.Index | None = None
        self._open_lock = threading.Lock()
        self._write_lock = asyncio.Lock()

    def _open(self) -> tantivy.Index:
        with self._open_lock:
            if self._index is None:
                self.path.mkdir(parents=True, exist_ok=True)
                with _file_lock(self.path.parent / f".{self.path.name}.lock"):
                    self._index = tantivy.Index(self._schema, path=str(self.path), reuse=True)
            return self._index

    def _writer(self, *, threads: int = 1) -> tantivy.IndexWriter:
        index = self._open()
        retrying = Retrying(
            stop=stop_after_delay(self._lock_timeout),
            wait=wait_random_exponential(multiplier=0.01, max=0.25),
            retry=retry_if_exception(_is_lock_busy),
        )
        try:
            writer: tantivy.IndexWriter = retrying(
                index.writer, heap_size=WRITER_HEAP_BYTES * threads, num_threads=threads
            )
        except RetryError as error:
            log.warning("search.index_locked", path=str(self.path))
            raise SearchIndexBusy() from error
        return writer

    def _finish(self, writer: tantivy.IndexWriter, *, commit: bool) -> None:
        try:
            if commit:
                writer.commit()
            else:
                writer.rollback()
        finally:
            # Lets pending merges end and releases the directory's writer lock.
            writer.wait_merging_threads()
        self._open().reload()

    def _write_sync(self, apply: Callable[[tantivy.IndexWriter], None]) -> None:
        writer = self._writer()
        try:
            apply(writer)
        except BaseException:
            self._finish(writer, commit=False)
            raise
        self._finish(writer, commit=True)

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
                writer.add_document(_document(doc))

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
        """Replace everything in one commit: readers see the old index until it lands."""
        async with self._write_lock:
            writer = await asyncio.to_thread(self._writer, threads=2)
            seen: set[str] = set()
            adding: asyncio.Future[None] | None = None
            try:
                await asyncio.to_thread(writer.delete_all_documents)
                # Analyse one batch in a thread while the source reads the next.
                async for batch in batches(docs, REBUILD_BATCH):
                    if adding is not None:
                        await adding
                    adding = asyncio.ensure_future(
                        asyncio.to_thread(self._add_batch, writer, batch, seen)
                    )
                if adding is not None:
                    await adding
            except BaseException:
                if adding is not None:
                    await asyncio.wait([adding])
                await asyncio.to_thread(self._finish, writer, commit=False)
                raise
            await asyncio.to_thread(self._finish, writer, commit=True)
            return len(seen)

    @staticmethod
    def _add_batch(
        writer: tantivy.IndexWriter, batch: list[SearchDocument], seen: set[str]
    ) -> None:
        for doc in batch:
            if doc.product_id in seen:
                writer.delete_documents_by_term("product_id", doc.product_id)
            seen.add(doc.product_id)
            writer.add_document(_document(doc))

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
