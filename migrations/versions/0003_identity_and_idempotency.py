"""Identity (users, refresh tokens, API keys) and idempotency keys.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from emporium.kernel.db import UTCDateTime

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
ROLE = sa.Enum("buyer", "seller", "admin", name="identity_role", native_enum=False, length=16)
IDEMPOTENCY_STATUS = sa.Enum(
    "in_progress", "completed", name="idempotency_status", native_enum=False, length=16
)


def upgrade() -> None:
    op.create_table(
        "identity_user",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("email", sa.String(320), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("role", ROLE, nullable=False),
        sa.Column("vendor_name", sa.String(200), nullable=True),
        sa.Column("vendor_id", sa.Uuid(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("disabled_at", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_identity_user")),
        sa.UniqueConstraint("email", name=op.f("uq_identity_user_email")),
    )
    op.create_table(
        "identity_refresh_token",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("family_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("issued_at", UTCDateTime(), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
        sa.Column("used_at", UTCDateTime(), nullable=True),
        sa.Column("revoked_at", UTCDateTime(), nullable=True),
        sa.Column("replaced_by", sa.Uuid(), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["identity_user.id"],
            name=op.f("fk_identity_refresh_token_user_id_identity_user"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_identity_refresh_token")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_identity_refresh_token_token_hash")),
    )
    op.create_index(
        op.f("ix_identity_refresh_token_family_id"), "identity_refresh_token", ["family_id"]
    )
    op.create_index(
        op.f("ix_identity_refresh_token_user_id"), "identity_refresh_token", ["user_id"]
    )
    op.create_table(
        "identity_api_key",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("prefix", sa.String(16), nullable=False),
        sa.Column("key_hash", sa.String(64), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("last_used_at", UTCDateTime(), nullable=True),
        sa.Column("revoked_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["identity_user.id"],
            name=op.f("fk_identity_api_key_user_id_identity_user"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_identity_api_key")),
        sa.UniqueConstraint("key_hash", name=op.f("uq_identity_api_key_key_hash")),
    )
    op.create_index(op.f("ix_identity_api_key_user_id"), "identity_api_key", ["user_id"])
    op.create_table(
        "kernel_idempotency_key",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("scope", sa.String(64), nullable=False),
        sa.Column("key", sa.String(255), nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("status", IDEMPOTENCY_STATUS, nullable=False),
        sa.Column("response_status", sa.Integer(), nullable=True),
        sa.Column("response_headers", JSON, nullable=True),
        sa.Column("response_body", sa.LargeBinary(), nullable=True),
        sa.Column("locked_until", UTCDateTime(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kernel_idempotency_key")),
        sa.UniqueConstraint("scope", "key", name=op.f("uq_kernel_idempotency_key_scope_key")),
    )
    op.create_index(
        op.f("ix_kernel_idempotency_key_expires_at"), "kernel_idempotency_key", ["expires_at"]
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_kernel_idempotency_key_expires_at"), table_name="kernel_idempotency_key")
    op.drop_table("kernel_idempotency_key")
    op.drop_index(op.f("ix_identity_api_key_user_id"), table_name="identity_api_key")
    op.drop_table("identity_api_key")
    op.drop_index(op.f("ix_identity_refresh_token_user_id"), table_name="identity_refresh_token")
    op.drop_index(op.f("ix_identity_refresh_token_family_id"), table_name="identity_refresh_token")
    op.drop_table("identity_refresh_token")
    op.drop_table("identity_user")
