"""The search port: plain documents in, ranked hits with facets out, whatever the engine."""

from __future__ import annotations

from collections.abc import AsyncIterable, AsyncIterator, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from emporium.contexts.search.errors import InvalidSearchQuery

if TYPE_CHECKING:  # a rebuild's child process imports this module: no database in it
    from sqlalchemy.ext.asyncio import AsyncSession

MAX_LIMIT = 100
# Deep pages cost the engine limit + offset hits; nobody reads past this (nor does Elastic).
MAX_OFFSET = 10_000
# Prices beyond this are no real price, and would overflow the engines' 64-bit fields.
MAX_PRICE = 2**53
# Facets list the most frequent values first, at most this many per facet.
FACET_SIZE = 100


@dataclass(frozen=True)
class SearchDocument:
    """One product as the search index sees it; built by the catalog from its own tables."""

    product_id: str
    slug: str
    title: str
    description: str
    attributes: dict[str, str]
    vendor_id: str
    vendor_name: str
    category_slugs: list[str]  # the product's category and all its ancestors
    category_names: list[str]
    category_slug: str | None  # the product's own category, counted in the category facet
    price_min: int  # gross minor units over its variants
    price_max: int
    currency: str
    in_stock: bool
    rating: float
    created_at: datetime
    image_url: str | None = None


@dataclass(frozen=True)
class SearchQuery:
    """A search request; an empty text browses the filtered set, newest first.

    The price filters keep a product whose price range [price_min, price_max] overlaps
    [min_price, max_price], i.e. one with some variant that may be in the range.
    """

    text: str = ""
    category: str | None = None
    vendor_id: str | None = None
    min_price: int | None = None
    max_price: int | None = None
    in_stock: bool | None = None
    limit: int = 20
    offset: int = 0
    # Vendors hidden from the store right now (suspended): their products leave the results
    # the moment the suspension commits, before the indexer has caught up.
    exclude_vendor_ids: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        problems: dict[str, str] = {}
        if not 1 <= self.limit <= MAX_LIMIT:
            problems["limit"] = f"must be between 1 and {MAX_LIMIT}"
        if not 0 <= self.offset <= MAX_OFFSET:
            problems["offset"] = f"must be between 0 and {MAX_OFFSET}"
        for name in ("min_price", "max_price"):
            value = getattr(self, name)
            if value is not None and not 0 <= value <= MAX_PRICE:
                problems[name] = f"must be between 0 and {MAX_PRICE}"
        low, high = self.min_price, self.max_price
        if low is not None and high is not None and high < low:
            problems["max_price"] = "must not be below min_price"
        if problems:
            raise InvalidSearchQuery(
                details={"fields": [{"field": k, "message": v} for k, v in problems.items()]}
            )


@dataclass(frozen=True)
class SearchHit:
    """A matching product, with what a result list shows."""

    product_id: str
    slug: str
    title: str
    price_min: int
    price_max: int
    currency: str
    vendor_id: str
    vendor_name: str
    category_slug: str | None
    score: float
    image_url: str | None = None


@dataclass(frozen=True)
class PriceRange:
    """The lowest and highest price over a result set (gross minor units)."""

    min: int
    max: int


@dataclass(frozen=True)
class SearchFacets:
    """Counts over the whole filtered result set, not only the page."""

    category: dict[str, int] = field(default_factory=dict)  # own category slug → products
    vendor: dict[str, int] = field(default_factory=dict)  # vendor id → products
    price_range: PriceRange | None = None  # None when nothing matched

    def to_dict(self) -> dict[str, Any]:
        """The wire shape of API.md: {"category": {...}, "vendor": {...}, "price_range": {...}}."""
        prices = self.price_range
        return {
            "category": dict(self.category),
            "vendor": dict(self.vendor),
            "price_range": {
                "min": prices.min if prices else None,
                "max": prices.max if prices else None,
            },
        }


@dataclass(frozen=True)
class SearchResult:
    """One page of hits, the total number of matches and the facets."""

    hits: list[SearchHit]
    total: int
    facets: SearchFacets
    processing_time_ms: float


def top_buckets(counts: Iterable[tuple[str, int]]) -> dict[str, int]:
    """A facet's buckets, most frequent first (ties by value), at most FACET_SIZE."""
    ordered = sorted(counts, key=lambda bucket: (-bucket[1], bucket[0]))
    return dict(ordered[:FACET_SIZE])


async def _each(docs: Iterable[SearchDocument]) -> AsyncIterator[SearchDocument]:
    for doc in docs:
        yield doc


async def batches(
    docs: AsyncIterator[SearchDocument] | Iterable[SearchDocument], size: int
) -> AsyncIterator[list[SearchDocument]]:
    """The documents of a rebuild in lists of at most size, from a sync or async source."""
    source = docs if isinstance(docs, AsyncIterable) else _each(docs)
    batch: list[SearchDocument] = []
    async for doc in source:
        batch.append(doc)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


@runtime_checkable
class SearchEngine(Protocol):
    """What both engines do. `session` lets a database engine write in the caller's unit of
    work (committed with the subscriber's checkpoint); the embedded engine ignores it.

    Runtime-checkable, so `runtime.service("search", SearchEngine)` can check what it gets.
    """

    async def upsert(
        self, docs: Sequence[SearchDocument], *, session: AsyncSession | None = None
    ) -> None:
        """Add or replace these documents (by product_id)."""
        ...

    async def delete(
        self, product_ids: Sequence[str], *, session: AsyncSession | None = None
    ) -> None:
        """Remove these products; unknown ids are ignored."""
        ...

    async def rebuild(
        self,
        docs: AsyncIterator[SearchDocument] | Iterable[SearchDocument],
        *,
        session: AsyncSession | None = None,
    ) -> int:
        """Replace the whole index with docs at once; returns how many were indexed."""
        ...

    async def search(self, query: SearchQuery) -> SearchResult:
        """Hits, total and facets for a query; never raises on odd text."""
        ...

    async def count(self) -> int:
        """How many documents the index holds."""
        ...
