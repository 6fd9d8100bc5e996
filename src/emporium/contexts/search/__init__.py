"""Search: typo-tolerant full text over products, behind one port with two engines.

Other contexts feed it plain SearchDocuments (upsert, delete, rebuild) and ask it
SearchQuerys; bootstrap builds the engine with build_engine(settings, db).

The facade's names load on first use (PEP 562): a rebuild's child process imports
embedded_build, and through this package, without the application behind the api.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
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

_HOMES = {
    "api": ("SEARCH", "matching_product_ids", "router"),
    "errors": ("InvalidSearchQuery", "SearchIndexBusy"),
    "factory": ("build_engine",),
    "port": (
        "MAX_LIMIT",
        "PriceRange",
        "SearchDocument",
        "SearchEngine",
        "SearchFacets",
        "SearchHit",
        "SearchQuery",
        "SearchResult",
    ),
    "subscribers": ("INDEXER", "indexer", "reindex"),
}
_HOME_OF = {name: module for module, names in _HOMES.items() for name in names}


if not TYPE_CHECKING:  # mypy reads the imports above; a typo must stay an error there

    def __getattr__(name: str) -> Any:
        module = _HOME_OF.get(name)
        if module is None:
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
        value = getattr(import_module(f"{__name__}.{module}"), name)
        globals()[name] = value
        return value
