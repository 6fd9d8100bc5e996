"""Payments (records, refunds, webhook events), shipping (zones, methods, shipments, tracking),
the sandbox gateway's and carrier's own books, and the out-of-the-box zone "EU" (seeded).

Revision ID: 0008
Revises: 0005
Create Date: 2026-11-22
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

from emporium.kernel.db import JSONType, UTCDateTime

# A frozen copy: a migration must not change when the application's data does.
EU_COUNTRIES = [
    "AT",
    "BE",
    "BG",
    "HR",
    "CY",
    "CZ",
    "DK",
    "EE",
    "FI",
    "FR",
    "DE",
    "GR",
    "HU",
    "IE",
    "IT",
    "LV",
    "LT",
    "LU",
    "MT",
    "NL",
    "PL",
    "PT",
    "RO",
    "SK",
    "SI",
    "ES",
    "SE",
]
EU_ZONE_ID = uuid.UUID("01930000-0000-7000-8000-00000000e001")
EU_STANDARD_ID = uuid.UUID("01930000-0000-7000-8000-00000000e002")
# Weight brackets in grams, prices in euro cents: up to 2 kg, up to 10 kg, anything heavier.
EU_STANDARD_BRACKETS = [
    {"up_to": 2000, "amount": 490},
    {"up_to": 10000, "amount": 990},
    {"up_to": None, "amount": 1990},
]

revision: str = "0008"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "payments_payment",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("owner_id", sa.Uuid(), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("gateway", sa.String(length=40), nullable=False),
        sa.Column("method", sa.String(length=20), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("refunded_amount", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(length=30), nullable=False),
        sa.Column("reference", sa.String(length=80), nullable=True),
        sa.Column("failure_reason", sa.String(length=80), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint("amount > 0", name=op.f("ck_payments_payment_amount_positive")),
        sa.CheckConstraint(
            "refunded_amount >= 0 AND refunded_amount <= amount",
            name=op.f("ck_payments_payment_refunds_within_amount"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payments_payment")),
        sa.UniqueConstraint("key", name=op.f("uq_payments_payment_key")),
        sa.UniqueConstraint("reference", name=op.f("uq_payments_payment_reference")),
    )
    with op.batch_alter_table("payments_payment", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_payments_payment_owner_id"), ["owner_id"], unique=False
        )

    op.create_table(
        "payments_webhook_event",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("provider", sa.String(length=40), nullable=False),
        sa.Column("event_id", sa.String(length=120), nullable=False),
        sa.Column("type", sa.String(length=60), nullable=False),
        sa.Column("received_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payments_webhook_event")),
        sa.UniqueConstraint(
            "provider", "event_id", name=op.f("uq_payments_webhook_event_provider_event_id")
        ),
    )
    op.create_table(
        "sandbox_carrier_shipment",
        sa.Column("tracking_number", sa.String(length=80), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("address", JSONType, nullable=False),
        sa.Column("weight_grams", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("tracking_number", name=op.f("pk_sandbox_carrier_shipment")),
        sa.UniqueConstraint("key", name=op.f("uq_sandbox_carrier_shipment_key")),
    )
    op.create_table(
        "sandbox_gateway_payment",
        sa.Column("reference", sa.String(length=80), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("token", sa.String(length=80), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("refunded_amount", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(length=30), nullable=False),
        sa.Column("failure_reason", sa.String(length=80), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("reference", name=op.f("pk_sandbox_gateway_payment")),
        sa.UniqueConstraint("key", name=op.f("uq_sandbox_gateway_payment_key")),
    )
    op.create_table(
        "sandbox_gateway_refund",
        sa.Column("reference", sa.String(length=80), nullable=False),
        sa.Column("payment_reference", sa.String(length=80), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("reference", name=op.f("pk_sandbox_gateway_refund")),
        sa.UniqueConstraint("key", name=op.f("uq_sandbox_gateway_refund_key")),
    )
    with op.batch_alter_table("sandbox_gateway_refund", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_sandbox_gateway_refund_payment_reference"),
            ["payment_reference"],
            unique=False,
        )

    op.create_table(
        "sandbox_gateway_webhook",
        sa.Column("id", sa.String(length=80), nullable=False),
        sa.Column("payment_reference", sa.String(length=80), nullable=False),
        sa.Column("type", sa.String(length=60), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("delivered_at", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sandbox_gateway_webhook")),
    )
    with op.batch_alter_table("sandbox_gateway_webhook", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_sandbox_gateway_webhook_payment_reference"),
            ["payment_reference"],
            unique=False,
        )

    op.create_table(
        "shipping_shipment",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("fulfillment_id", sa.Uuid(), nullable=False),
        sa.Column("order_id", sa.Uuid(), nullable=True),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("carrier", sa.String(length=40), nullable=False),
        sa.Column("method_id", sa.Uuid(), nullable=True),
        sa.Column("tracking_number", sa.String(length=80), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("address", JSONType, nullable=False),
        sa.Column("weight_grams", sa.Integer(), nullable=False),
        sa.Column("failure_reason", sa.String(length=200), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("shipped_at", UTCDateTime(), nullable=True),
        sa.Column("delivered_at", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shipping_shipment")),
        sa.UniqueConstraint(
            "carrier", "tracking_number", name=op.f("uq_shipping_shipment_carrier_tracking_number")
        ),
        sa.UniqueConstraint("key", name=op.f("uq_shipping_shipment_key")),
    )
    with op.batch_alter_table("shipping_shipment", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_shipping_shipment_fulfillment_id"), ["fulfillment_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_shipping_shipment_order_id"), ["order_id"], unique=False
        )

    op.create_table(
        "shipping_zone",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shipping_zone")),
        sa.UniqueConstraint("name", name=op.f("uq_shipping_zone_name")),
    )
    op.create_table(
        "payments_refund",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("payment_id", sa.Uuid(), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("reference", sa.String(length=80), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint("amount > 0", name=op.f("ck_payments_refund_amount_positive")),
        sa.ForeignKeyConstraint(
            ["payment_id"],
            ["payments_payment.id"],
            name=op.f("fk_payments_refund_payment_id_payments_payment"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payments_refund")),
        sa.UniqueConstraint("key", name=op.f("uq_payments_refund_key")),
    )
    with op.batch_alter_table("payments_refund", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_payments_refund_payment_id"), ["payment_id"], unique=False
        )

    op.create_table(
        "shipping_method",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("zone_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("carrier", sa.String(length=40), nullable=False),
        sa.Column("rate_basis", sa.String(length=10), nullable=False),
        sa.Column("brackets", JSONType, nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("free_over_amount", sa.BigInteger(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["zone_id"],
            ["shipping_zone.id"],
            name=op.f("fk_shipping_method_zone_id_shipping_zone"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shipping_method")),
        sa.UniqueConstraint("zone_id", "name", name=op.f("uq_shipping_method_zone_id_name")),
    )
    with op.batch_alter_table("shipping_method", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_shipping_method_zone_id"), ["zone_id"], unique=False)

    op.create_table(
        "shipping_tracking_event",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("shipment_id", sa.Uuid(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("carrier_event_id", sa.String(length=120), nullable=True),
        sa.Column("occurred_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["shipment_id"],
            ["shipping_shipment.id"],
            name=op.f("fk_shipping_tracking_event_shipment_id_shipping_shipment"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shipping_tracking_event")),
        sa.UniqueConstraint(
            "carrier_event_id", name=op.f("uq_shipping_tracking_event_carrier_event_id")
        ),
    )
    with op.batch_alter_table("shipping_tracking_event", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_shipping_tracking_event_shipment_id"), ["shipment_id"], unique=False
        )

    op.create_table(
        "shipping_zone_country",
        sa.Column("zone_id", sa.Uuid(), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.ForeignKeyConstraint(
            ["zone_id"],
            ["shipping_zone.id"],
            name=op.f("fk_shipping_zone_country_zone_id_shipping_zone"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("zone_id", "country", name=op.f("pk_shipping_zone_country")),
    )
    with op.batch_alter_table("shipping_zone_country", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_shipping_zone_country_country"), ["country"], unique=False
        )

    _seed_eu_zone()


def _seed_eu_zone() -> None:
    """A new shop can sell at once: zone "EU" (the 27 states) with "EU Standard" (sandbox)."""
    now = datetime(2026, 1, 1, tzinfo=UTC)
    zone = sa.table(
        "shipping_zone",
        sa.column("id", sa.Uuid()),
        sa.column("name", sa.String),
        sa.column("created_at", UTCDateTime()),
        sa.column("updated_at", UTCDateTime()),
    )
    country = sa.table(
        "shipping_zone_country", sa.column("zone_id", sa.Uuid()), sa.column("country", sa.String)
    )
    method = sa.table(
        "shipping_method",
        sa.column("id", sa.Uuid()),
        sa.column("zone_id", sa.Uuid()),
        sa.column("name", sa.String),
        sa.column("carrier", sa.String),
        sa.column("rate_basis", sa.String),
        sa.column("brackets", JSONType),
        sa.column("currency", sa.String),
        sa.column("free_over_amount", sa.BigInteger),
        sa.column("active", sa.Boolean),
        sa.column("created_at", UTCDateTime()),
        sa.column("updated_at", UTCDateTime()),
    )
    op.bulk_insert(zone, [{"id": EU_ZONE_ID, "name": "EU", "created_at": now, "updated_at": now}])
    op.bulk_insert(country, [{"zone_id": EU_ZONE_ID, "country": c} for c in EU_COUNTRIES])
    op.bulk_insert(
        method,
        [
            {
                "id": EU_STANDARD_ID,
                "zone_id": EU_ZONE_ID,
                "name": "EU Standard",
                "carrier": "sandbox",
                "rate_basis": "weight",
                "brackets": EU_STANDARD_BRACKETS,
                "currency": "EUR",
                "free_over_amount": None,
                "active": True,
                "created_at": now,
                "updated_at": now,
            }
        ],
    )


def downgrade() -> None:
    with op.batch_alter_table("shipping_zone_country", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_shipping_zone_country_country"))

    op.drop_table("shipping_zone_country")
    with op.batch_alter_table("shipping_tracking_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_shipping_tracking_event_shipment_id"))

    op.drop_table("shipping_tracking_event")
    with op.batch_alter_table("shipping_method", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_shipping_method_zone_id"))

    op.drop_table("shipping_method")
    with op.batch_alter_table("payments_refund", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_payments_refund_payment_id"))

    op.drop_table("payments_refund")
    op.drop_table("shipping_zone")
    with op.batch_alter_table("shipping_shipment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_shipping_shipment_order_id"))
        batch_op.drop_index(batch_op.f("ix_shipping_shipment_fulfillment_id"))

    op.drop_table("shipping_shipment")
    with op.batch_alter_table("sandbox_gateway_webhook", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sandbox_gateway_webhook_payment_reference"))

    op.drop_table("sandbox_gateway_webhook")
    with op.batch_alter_table("sandbox_gateway_refund", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sandbox_gateway_refund_payment_reference"))

    op.drop_table("sandbox_gateway_refund")
    op.drop_table("sandbox_gateway_payment")
    op.drop_table("sandbox_carrier_shipment")
    op.drop_table("payments_webhook_event")
    with op.batch_alter_table("payments_payment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_payments_payment_owner_id"))

    op.drop_table("payments_payment")
