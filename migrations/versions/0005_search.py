"""Search: the PostgreSQL engine's documents and vocabulary (PostgreSQL only).

SQLite installs use the embedded tantivy index and get no tables here.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from emporium.kernel.db import UTCDateTime

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    # Both are trusted extensions: the database owner may create them.
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.execute("CREATE EXTENSION IF NOT EXISTS fuzzystrmatch")
    op.create_table(
        "search_document",
        sa.Column("product_id", sa.String(64), nullable=False),
        sa.Column("slug", sa.String(255), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("vendor_id", sa.String(64), nullable=False),
        sa.Column("vendor_name", sa.Text(), nullable=False),
        sa.Column("category_slug", sa.String(255), nullable=True),
        sa.Column("category_slugs", postgresql.ARRAY(sa.String(255)), nullable=False),
        sa.Column("price_min", sa.BigInteger(), nullable=False),
        sa.Column("price_max", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("in_stock", sa.Boolean(), nullable=False),
        sa.Column("rating", sa.Float(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("image_url", sa.Text(), nullable=True),
        sa.Column("document", postgresql.TSVECTOR(), nullable=False),
        sa.PrimaryKeyConstraint("product_id", name=op.f("pk_search_document")),
    )
    op.create_index(op.f("ix_search_document_vendor_id"), "search_document", ["vendor_id"])
    op.create_index(
        "ix_search_document_document", "search_document", ["document"], postgresql_using="gin"
    )
    op.create_index(
        "ix_search_document_category_slugs",
        "search_document",
        ["category_slugs"],
        postgresql_using="gin",
    )
    op.create_table(
        "search_term",
        sa.Column("term", sa.String(64, collation="C"), nullable=False),
        sa.PrimaryKeyConstraint("term", name=op.f("pk_search_term")),
    )
    op.create_index(
        "ix_search_term_term_trgm",
        "search_term",
        ["term"],
        postgresql_using="gin",
        postgresql_ops={"term": "gin_trgm_ops"},
    )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.drop_table("search_term")
    op.drop_table("search_document")
    # The extensions stay: other tables may use them by now.
