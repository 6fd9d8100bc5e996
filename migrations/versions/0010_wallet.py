"""Wallet: the double-entry ledger (immutable by trigger), escrow holds, payouts, top-ups.

Revision ID: 0010
Revises: 0007
Create Date: 2026-11-24
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from emporium.kernel.db import UTCDateTime

revision: str = "0010"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
IMMUTABLE = "posted ledger rows are immutable: post a correcting transaction instead"
# Only the balance and version of an account ever change (TigerBeetle's rule for accounts).
ACCOUNT_IDENTITY_CHANGED = (
    "OLD.id IS DISTINCT FROM NEW.id OR OLD.code IS DISTINCT FROM NEW.code "
    "OR OLD.kind IS DISTINCT FROM NEW.kind OR OLD.owner_id IS DISTINCT FROM NEW.owner_id "
    "OR OLD.currency IS DISTINCT FROM NEW.currency "
    "OR OLD.must_not_go_negative IS DISTINCT FROM NEW.must_not_go_negative"
)


def upgrade() -> None:
    _create_ledger()
    _create_escrow_payouts_top_ups()
    if op.get_bind().dialect.name == "postgresql":
        _postgres_triggers()
    else:
        _sqlite_triggers()


def _create_ledger() -> None:
    op.create_table(
        "wallet_account",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("code", sa.String(120), nullable=False),
        sa.Column("kind", sa.String(30), nullable=False),
        sa.Column("owner_id", sa.Uuid(), nullable=True),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("must_not_go_negative", sa.Boolean(), nullable=False),
        sa.Column("balance", sa.BigInteger(), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "NOT must_not_go_negative OR balance >= 0",
            name=op.f("ck_wallet_account_balance_not_negative"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_wallet_account")),
        sa.UniqueConstraint("code", name=op.f("uq_wallet_account_code")),
    )
    op.create_index(op.f("ix_wallet_account_owner_id"), "wallet_account", ["owner_id"])
    op.create_table(
        "wallet_transaction",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(30), nullable=False),
        sa.Column("cause_type", sa.String(30), nullable=False),
        sa.Column("cause_id", sa.String(120), nullable=False),
        sa.Column("posted_at", UTCDateTime(), nullable=False),
        sa.Column("metadata", JSON, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_wallet_transaction")),
        sa.UniqueConstraint(
            "kind",
            "cause_type",
            "cause_id",
            name=op.f("uq_wallet_transaction_kind_cause_type_cause_id"),
        ),
    )
    op.create_table(
        "wallet_entry",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("transaction_id", sa.Uuid(), nullable=False),
        sa.Column("account_id", sa.Uuid(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("balance_after", sa.BigInteger(), nullable=False),
        sa.Column("account_version", sa.BigInteger(), nullable=False),
        sa.CheckConstraint("amount <> 0", name=op.f("ck_wallet_entry_amount_not_zero")),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["wallet_account.id"],
            name=op.f("fk_wallet_entry_account_id_wallet_account"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["transaction_id"],
            ["wallet_transaction.id"],
            name=op.f("fk_wallet_entry_transaction_id_wallet_transaction"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_wallet_entry")),
        sa.UniqueConstraint(
            "account_id",
            "account_version",
            name=op.f("uq_wallet_entry_account_id_account_version"),
        ),
    )
    op.create_index(op.f("ix_wallet_entry_transaction_id"), "wallet_entry", ["transaction_id"])


def _create_escrow_payouts_top_ups() -> None:
    op.create_table(
        "wallet_escrow_hold",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("fulfillment_id", sa.Uuid(), nullable=False),
        sa.Column("order_id", sa.Uuid(), nullable=True),
        sa.Column("vendor_id", sa.Uuid(), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("refunded_amount", sa.BigInteger(), nullable=False),
        sa.Column("released_amount", sa.BigInteger(), nullable=False),
        sa.Column("commission_amount", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("release_reason", sa.String(20), nullable=True),
        sa.Column("locked_until", UTCDateTime(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("released_at", UTCDateTime(), nullable=True),
        sa.CheckConstraint("amount > 0", name=op.f("ck_wallet_escrow_hold_amount_positive")),
        sa.CheckConstraint(
            "refunded_amount >= 0 AND released_amount >= 0 AND commission_amount >= 0",
            name=op.f("ck_wallet_escrow_hold_parts_not_negative"),
        ),
        sa.CheckConstraint(
            "refunded_amount + released_amount + commission_amount <= amount",
            name=op.f("ck_wallet_escrow_hold_parts_within_amount"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_wallet_escrow_hold")),
        sa.UniqueConstraint("fulfillment_id", name=op.f("uq_wallet_escrow_hold_fulfillment_id")),
    )
    op.create_index(op.f("ix_wallet_escrow_hold_order_id"), "wallet_escrow_hold", ["order_id"])
    op.create_index(op.f("ix_wallet_escrow_hold_vendor_id"), "wallet_escrow_hold", ["vendor_id"])
    op.create_table(
        "wallet_payout",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("vendor_id", sa.Uuid(), nullable=False),
        sa.Column("key", sa.String(255), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("iban", sa.String(34), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(80), nullable=True),
        sa.Column("failure_reason", sa.String(80), nullable=True),
        sa.Column("requested_at", UTCDateTime(), nullable=False),
        sa.Column("completed_at", UTCDateTime(), nullable=True),
        sa.CheckConstraint("amount > 0", name=op.f("ck_wallet_payout_amount_positive")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_wallet_payout")),
        sa.UniqueConstraint("vendor_id", "key", name=op.f("uq_wallet_payout_vendor_id_key")),
    )
    op.create_table(
        "wallet_top_up",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("buyer_id", sa.Uuid(), nullable=False),
        sa.Column("key", sa.String(255), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("payment_id", sa.Uuid(), nullable=True),
        sa.Column("payment_reference", sa.String(80), nullable=True),
        sa.Column("failure_reason", sa.String(80), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("completed_at", UTCDateTime(), nullable=True),
        sa.CheckConstraint("amount > 0", name=op.f("ck_wallet_top_up_amount_positive")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_wallet_top_up")),
        sa.UniqueConstraint("buyer_id", "key", name=op.f("uq_wallet_top_up_buyer_id_key")),
    )
    op.create_table(
        "sandbox_payout_transfer",
        sa.Column("reference", sa.String(80), nullable=False),
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("iban", sa.String(34), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("failure_reason", sa.String(80), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("reference", name=op.f("pk_sandbox_payout_transfer")),
        sa.UniqueConstraint("key", name=op.f("uq_sandbox_payout_transfer_key")),
    )


def _postgres_triggers() -> None:
    op.execute(
        f"""
        CREATE FUNCTION wallet_refuse_change() RETURNS trigger AS $$
        BEGIN
          RAISE EXCEPTION '{IMMUTABLE} (% on %)', TG_OP, TG_TABLE_NAME
            USING ERRCODE = 'integrity_constraint_violation';
        END $$ LANGUAGE plpgsql;
        """
    )
    for table in ("wallet_entry", "wallet_transaction"):
        op.execute(
            f"CREATE TRIGGER {table}_immutable BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION wallet_refuse_change()"
        )
        op.execute(
            f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION wallet_refuse_change()"
        )
    op.execute(
        "CREATE TRIGGER wallet_account_identity BEFORE UPDATE ON wallet_account "
        f"FOR EACH ROW WHEN ({ACCOUNT_IDENTITY_CHANGED}) "
        "EXECUTE FUNCTION wallet_refuse_change()"
    )
    op.execute(
        "CREATE TRIGGER wallet_account_no_delete BEFORE DELETE ON wallet_account "
        "FOR EACH ROW EXECUTE FUNCTION wallet_refuse_change()"
    )


def _sqlite_triggers() -> None:
    for table in ("wallet_entry", "wallet_transaction"):
        for action in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER {table}_no_{action.lower()} BEFORE {action} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, '{IMMUTABLE}'); END"
            )
    identity_changed = ACCOUNT_IDENTITY_CHANGED.replace("IS DISTINCT FROM", "IS NOT")
    op.execute(
        "CREATE TRIGGER wallet_account_identity BEFORE UPDATE ON wallet_account "
        f"WHEN {identity_changed} "
        f"BEGIN SELECT RAISE(ABORT, '{IMMUTABLE}'); END"
    )
    op.execute(
        "CREATE TRIGGER wallet_account_no_delete BEFORE DELETE ON wallet_account "
        f"BEGIN SELECT RAISE(ABORT, '{IMMUTABLE}'); END"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in ("wallet_entry", "wallet_transaction"):
            op.execute(f"DROP TRIGGER IF EXISTS {table}_immutable ON {table}")
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}")
        op.execute("DROP TRIGGER IF EXISTS wallet_account_identity ON wallet_account")
        op.execute("DROP TRIGGER IF EXISTS wallet_account_no_delete ON wallet_account")
        op.execute("DROP FUNCTION IF EXISTS wallet_refuse_change()")
    op.drop_table("sandbox_payout_transfer")
    op.drop_table("wallet_top_up")
    op.drop_table("wallet_payout")
    op.drop_index(op.f("ix_wallet_escrow_hold_vendor_id"), table_name="wallet_escrow_hold")
    op.drop_index(op.f("ix_wallet_escrow_hold_order_id"), table_name="wallet_escrow_hold")
    op.drop_table("wallet_escrow_hold")
    op.drop_index(op.f("ix_wallet_entry_transaction_id"), table_name="wallet_entry")
    op.drop_table("wallet_entry")
    op.drop_table("wallet_transaction")
    op.drop_index(op.f("ix_wallet_account_owner_id"), table_name="wallet_account")
    op.drop_table("wallet_account")
