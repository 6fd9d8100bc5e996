"""Tables of the PostgreSQL engine; they exist on PostgreSQL only.

They live in their own metadata, not in `Base.metadata`: SQLite has no tsvector and uses the
embedded engine, so a schema check on SQLite must not expect them. A schema check on
PostgreSQL compares `postgres_metadata` as well.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Float,
    Index,
    MetaData,
    String,
    Table,
    Text,
)
from sqlalchemy.dialects.postgresql import ARRAY, TSVECTOR

from emporium.kernel.db import NAMING_CONVENTION, UTCDateTime

postgres_metadata = MetaData(naming_convention=NAMING_CONVENTION)

search_document = Table(
    "search_document",
    postgres_metadata,
    Column("product_id", String(64), primary_key=True),
    Column("slug", String(255), nullable=False),
    Column("title", Text, nullable=False),
    Column("vendor_id", String(64), nullable=False, index=True),
    Column("vendor_name", Text, nullable=False),
    Column("category_slug", String(255), nullable=True),
    Column("category_slugs", ARRAY(String(255)), nullable=False),
    Column("price_min", BigInteger, nullable=False),
    Column("price_max", BigInteger, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("in_stock", Boolean, nullable=False),
    Column("rating", Float, nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("image_url", Text, nullable=True),
    # Built in Python from analysis.py's tokens (weights A title, B names, C description),
    # so both engines agree on every word. The texts themselves are not kept: a hit shows
    # none of them, and narrow rows make a broad match cheaper to read.
    Column("document", TSVECTOR, nullable=False),
    Index("ix_search_document_document", "document", postgresql_using="gin"),
    Index("ix_search_document_category_slugs", "category_slugs", postgresql_using="gin"),
)

# Every indexed word long enough to be reached by a typo; typo candidates come from here.
# Words are added with their documents and only removed by a rebuild: a stale word only
# adds a candidate that matches nothing.
search_term = Table(
    "search_term",
    postgres_metadata,
    Column("term", String(64, collation="C"), primary_key=True),
    Index(
        "ix_search_term_term_trgm",
        "term",
        postgresql_using="gin",
        postgresql_ops={"term": "gin_trgm_ops"},
    ),
)
