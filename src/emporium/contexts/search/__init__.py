"""Search: typo-tolerant full text over products, behind one port with two engines.

Other contexts feed it plain SearchDocuments (upsert, delete, rebuild) and ask it
SearchQuerys; bootstrap builds the engine with build_engine(settings, db).
"""

from __future__ import annotations

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

__all__ = [
    "MAX_LIMIT",
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
]
