"""Wire shapes of the cart routes."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, Field

from emporium.contexts.cart.lines import MAX_QUANTITY
from emporium.kernel.http.schemas import MoneyOut, Strict


class CartItemCreate(Strict):
    variant_id: uuid.UUID
    quantity: int = Field(1, ge=1, le=MAX_QUANTITY)


class CartItemUpdate(Strict):
    quantity: int = Field(ge=0, le=MAX_QUANTITY, description="0 removes the item")


class VendorRef(BaseModel):
    id: uuid.UUID
    name: str


class CartItemRead(BaseModel):
    id: uuid.UUID
    variant_id: uuid.UUID
    product_id: uuid.UUID
    quantity: int
    unit_price: MoneyOut | None = Field(description="Gross; null while the item is not for sale")
    discount: MoneyOut | None = Field(None, description="What discounts take off this line")
    line_total: MoneyOut | None = Field(description="Gross after discounts")
    vat: MoneyOut | None
    reserved_until: datetime | None
    expired: bool = Field(description="The hold ended: the units are not kept for this cart")
    purchasable: bool = Field(description="False once the product is archived or withdrawn")
    product_title: str | None
    product_slug: str | None
    variant_title: str | None
    sku: str | None
    unique: bool
    vendor: VendorRef | None
    bundle_id: uuid.UUID | None = None
    bundle_group_id: uuid.UUID | None = Field(
        None, description="Items added together as one bundle share it and go together"
    )


class CartDiscountRead(BaseModel):
    code: str | None = Field(description="Null for a rule that applies by itself")
    rule_id: uuid.UUID | None
    name: str | None
    applied: bool
    amount: MoneyOut
    reason: str | None = Field(None, description="Why an entered code takes nothing off now")
    message: str | None = None


class DiscountCodeIn(Strict):
    code: str = Field(min_length=1, max_length=40)


class BundleChoiceIn(Strict):
    set_id: uuid.UUID
    variant_id: uuid.UUID
    quantity: int = Field(1, ge=1, le=MAX_QUANTITY)


class CartBundleCreate(Strict):
    bundle_id: uuid.UUID
    choices: list[BundleChoiceIn] = Field(min_length=1, max_length=100)


class CartTotalsRead(BaseModel):
    subtotal: MoneyOut
    discount: MoneyOut
    shipping: MoneyOut
    vat: MoneyOut
    total: MoneyOut


class CartRead(BaseModel):
    id: uuid.UUID
    status: str
    currency: str
    items: list[CartItemRead]
    discounts: list[CartDiscountRead] = Field(default_factory=list)
    totals: CartTotalsRead
    merged_into_id: uuid.UUID | None = None
    created_at: datetime
    updated_at: datetime


class CartCreatedRead(CartRead):
    cart_token: str | None = Field(
        description="A guest cart's token, shown this once: send it as X-Cart-Token"
    )


class MergeConflictRead(BaseModel):
    variant_id: uuid.UUID
    requested: int
    quantity: int
    reserved: int


class CartMergedRead(CartRead):
    conflicts: list[MergeConflictRead]
