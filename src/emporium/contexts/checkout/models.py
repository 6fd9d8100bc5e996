"""The checkout table: one row per buyer's checkout attempt, keyed by its Idempotency-Key."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from emporium.kernel.db import Base, JSONType, UTCDateTime, UUIDType


class CheckoutState(StrEnum):
    CREATED = "CREATED"
    LOCKED = "LOCKED"  # the cart's holds last past the payment's deadline
    PAYMENT_PENDING = "PAYMENT_PENDING"
    PAYMENT_CONFIRMED = "PAYMENT_CONFIRMED"
    ORDER_CREATED = "ORDER_CREATED"
    COMPLETED = "COMPLETED"
    FAILED = "FAILED"

    @property
    def finished(self) -> bool:
        return self in (CheckoutState.COMPLETED, CheckoutState.FAILED)


class PaymentChoice(StrEnum):
    CARD = "card"
    WALLET = "wallet"


class Checkout(Base):
    """A buyer's checkout of one cart; its saga (key `checkout:<id>`) moves it along."""

    __tablename__ = "checkout_checkout"

    id: Mapped[uuid.UUID] = mapped_column(UUIDType, primary_key=True)
    buyer_id: Mapped[uuid.UUID] = mapped_column(UUIDType)
    # The client's Idempotency-Key: a retry after a crash finds this row, never a second one.
    idempotency_key: Mapped[str] = mapped_column(String(255))
    cart_id: Mapped[uuid.UUID] = mapped_column(UUIDType, index=True)
    saga_id: Mapped[uuid.UUID] = mapped_column(UUIDType)
    state: Mapped[str] = mapped_column(String(20))
    currency: Mapped[str] = mapped_column(String(3))
    shipping_address: Mapped[dict[str, Any]] = mapped_column(JSONType)
    shipping_method_id: Mapped[uuid.UUID] = mapped_column(UUIDType)
    payment_method: Mapped[str] = mapped_column(String(20))
    payment_id: Mapped[uuid.UUID | None] = mapped_column(UUIDType)
    payment_reference: Mapped[str | None] = mapped_column(String(120))
    order_id: Mapped[uuid.UUID | None] = mapped_column(UUIDType)
    failure: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)

    __table_args__ = (UniqueConstraint("buyer_id", "idempotency_key"),)
