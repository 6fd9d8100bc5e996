"""Catalog: PostgreSQL statistics on attribute (key, value) pairs together.

The planner treated key and value as independent, so "publisher = marvel" looked like a
0.01 % filter instead of 10 % of the products: a listing filtered by an attribute then read
every visible product and sorted them (about 100 ms at 100,000 products) instead of walking
the sort order's index and stopping after one page (under 1 ms). A most-common-values list
over both columns gives it the real frequency of each pair. SQLite has no such statistics;
its plans do not depend on them.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STATISTICS = "st_catalog_attribute_value_key_value"


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(
        f"CREATE STATISTICS {STATISTICS} (mcv, dependencies) "
        "ON key, value FROM catalog_attribute_value"
    )
    op.execute("ANALYZE catalog_attribute_value")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(f"DROP STATISTICS IF EXISTS {STATISTICS}")
