"""Every table of every context, imported once so Alembic and tests see one metadata."""

from __future__ import annotations

from sqlalchemy import MetaData

from emporium.contexts.search.models import postgres_metadata as search_postgres_metadata
from emporium.kernel import events  # noqa: F401
from emporium.kernel.db import Base

metadata = Base.metadata
# Tables that exist on PostgreSQL only (kept out of `metadata`, which SQLite must match too);
# a schema check on PostgreSQL compares these as well.
postgres_only_metadata: list[MetaData] = [search_postgres_metadata]
