"""Search: typo-tolerant full text over products, behind one port with two engines.

Other contexts feed it plain SearchDocuments (upsert, delete, rebuild) and ask it
SearchQuerys; bootstrap builds the engine with build_engine(settings, db).
"""

from __future__ import annotations

from emporium.contexts.search.api import SEARCH, matching_product_ids, router
from emporium.contexts.search.errors import InvalidSearchQuery, SearchIndexBusy
from emporium.contexts.search.factory import build_engine
from emporium.contexts.search.port import (
    MAX_LIMIT,
    PriceRange,
    SearchDocument,
    SearchEngine,
    SearchFacets,
    SearchHit,
    SearchQuery,
    SearchResult,
)
from emporium.contexts.search.subscribers import INDEXER, indexer, reindex

__all__ = [
    "INDEXER",
    "MAX_LIMIT",
    "SEARCH",
    "InvalidSearchQuery",
    "PriceRange",
    "SearchDocument",
    "SearchEngine",
    "SearchFacets",
    "SearchHit",
    "SearchIndexBusy",
    "SearchQuery",
    "SearchResult",
    "build_engine",
    "indexer",
    "matching_product_ids",
    "reindex",
    "router",
]
