"""Bundles on the wire."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field, model_validator

from emporium.contexts.pricing.bundle_terms import BundlePricing
from emporium.contexts.pricing.schemas import DecimalOut, Percent
from emporium.kernel.http.schemas import MoneyIn, MoneyOut, Strict


class BundleSetIn(Strict):
    title: str = Field(min_length=1, max_length=200)
    min_quantity: int = Field(1, ge=0, le=1000)
    max_quantity: int = Field(1, ge=1, le=1000)
    variant_ids: list[uuid.UUID] = Field(min_length=1, max_length=100)

    @model_validator(mode="after")
    def _sane(self) -> BundleSetIn:
        if self.max_quantity < self.min_quantity:
            raise ValueError("max_quantity cannot be below min_quantity")
        if len(set(self.variant_ids)) != len(self.variant_ids):
            raise ValueError("a set lists each variant once")
        return self


class BundleUpdate(Strict):
    title: str | None = Field(None, min_length=1, max_length=200)
    description: str | None = Field(None, max_length=5000)
    pricing: BundlePricing | None = None
    price: MoneyIn | None = Field(None, description="The bundle's price (pricing: fixed)")
    percent: Percent | None = Field(None, description="Off the items (pricing: percentage)")
    active: bool | None = None
    sets: list[BundleSetIn] | None = Field(None, min_length=1, max_length=20)


class BundleCreate(BundleUpdate):
    title: str = Field(min_length=1, max_length=200)
    description: str = Field("", max_length=5000)
    pricing: BundlePricing
    active: bool = True
    sets: list[BundleSetIn] = Field(min_length=1, max_length=20)

    @model_validator(mode="after")
    def _priced(self) -> BundleCreate:
        if self.pricing is BundlePricing.FIXED and (self.price is None or self.percent is not None):
            raise ValueError("a fixed bundle has a price and no percent")
        if self.pricing is BundlePricing.PERCENTAGE and (
            self.percent is None or self.price is not None
        ):
            raise ValueError("a percentage bundle has a percent and no price")
        return self


class BundleSetRead(BaseModel):
    id: uuid.UUID
    title: str
    position: int
    min_quantity: int
    max_quantity: int
    variant_ids: list[uuid.UUID]


class BundleRead(BaseModel):
    id: uuid.UUID
    title: str
    description: str
    pricing: BundlePricing
    price: MoneyOut | None
    percent: DecimalOut | None
    active: bool
    sets: list[BundleSetRead]
    created_at: datetime
    updated_at: datetime

    def as_create(self) -> dict[str, Any]:
        data = self.model_dump(mode="json", exclude={"id", "created_at", "updated_at"})
        data["sets"] = [
            {k: v for k, v in s.items() if k not in {"id", "position"}} for s in data["sets"]
        ]
        return data


class ChoiceIn(Strict):
    set_id: uuid.UUID
    variant_id: uuid.UUID
    quantity: int = Field(1, ge=1, le=1000)


class BundleChoices(Strict):
    choices: list[ChoiceIn] = Field(min_length=1, max_length=200)


class BundleLineRead(BaseModel):
    variant_id: uuid.UUID
    quantity: int
    unit_price: MoneyOut
    amount: MoneyOut


class BundleQuote(BaseModel):
    bundle_id: uuid.UUID
    items_total: MoneyOut
    price: MoneyOut
    saving: MoneyOut
    lines: list[BundleLineRead]
