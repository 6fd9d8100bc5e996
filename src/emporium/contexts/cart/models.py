"""Cart tables: a cart (a guest's, by token, or a signed-in buyer's) and its lines."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from emporium.kernel.db import Base, UTCDateTime, UUIDType


class CartStatus(StrEnum):
    ACTIVE = "active"
    MERGED = "merged"  # its lines moved into the buyer's cart at login
    CHECKING_OUT = "checking_out"  # a checkout holds it: its lines cannot change
    CONVERTED = "converted"  # its checkout placed an order


class Cart(Base):
    """A cart. A guest's is reached with its token (only its hash is kept); a buyer's by login."""

    __tablename__ = "cart_cart"

    id: Mapped[uuid.UUID] = mapped_column(UUIDType, primary_key=True)
    user_id: Mapped[uuid.UUID | None] = mapped_column(UUIDType, index=True)
    token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    status: Mapped[str] = mapped_column(String(20))
    currency: Mapped[str] = mapped_column(String(3))
    merged_into_id: Mapped[uuid.UUID | None] = mapped_column(UUIDType)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class CartLine(Base):
    """Units of one variant in a cart, held by one inventory reservation (owner: this line)."""

    __tablename__ = "cart_line"

    id: Mapped[uuid.UUID] = mapped_column(UUIDType, primary_key=True)
    cart_id: Mapped[uuid.UUID] = mapped_column(
        UUIDType, ForeignKey("cart_cart.id", ondelete="CASCADE"), index=True
    )
    variant_id: Mapped[uuid.UUID] = mapped_column(UUIDType)
    product_id: Mapped[uuid.UUID] = mapped_column(UUIDType, index=True)
    vendor_id: Mapped[uuid.UUID] = mapped_column(UUIDType)
    quantity: Mapped[int] = mapped_column(Integer)
    reservation_id: Mapped[uuid.UUID | None] = mapped_column(UUIDType)
    # Lines of a chosen bundle: which bundle, which time it was added (its lines come and go
    # together) and the line's share of the bundle's price, in minor units.
    bundle_id: Mapped[uuid.UUID | None] = mapped_column(UUIDType)
    bundle_group_id: Mapped[uuid.UUID | None] = mapped_column(UUIDType, index=True)
    bundle_amount: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)

    __table_args__ = (CheckConstraint("quantity > 0", name="quantity_positive"),)


class CartDiscountCode(Base):
    """A code the buyer entered on a cart; whether it still applies is priced on every read."""

    __tablename__ = "cart_discount_code"

    cart_id: Mapped[uuid.UUID] = mapped_column(
        UUIDType, ForeignKey("cart_cart.id", ondelete="CASCADE"), primary_key=True
    )
    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    added_at: Mapped[datetime] = mapped_column(UTCDateTime)
