"""Which engine a process uses: settings.search_engine, or the database's kind on "auto"."""

from __future__ import annotations

from emporium.contexts.search.embedded import EmbeddedSearchEngine
from emporium.contexts.search.port import SearchEngine
from emporium.contexts.search.postgres import PostgresSearchEngine
from emporium.kernel.db import Database
from emporium.settings import Settings


def build_engine(settings: Settings, db: Database) -> SearchEngine:
    """The configured engine; "auto" picks PostgreSQL when the database is PostgreSQL."""
    kind = settings.search_engine
    if kind == "auto":
        kind = "postgres" if db.is_postgres else "embedded"
    if kind == "postgres":
        if not db.is_postgres:
            raise ValueError("EMPORIUM_SEARCH_ENGINE=postgres needs a PostgreSQL database")
        return PostgresSearchEngine(db)
    return EmbeddedSearchEngine(settings.search_index_dir)
