"""Discount rules on the wire, and which fields each kind of rule needs."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import AwareDatetime, BaseModel, Field, model_validator

from emporium.contexts.pricing.schemas import CODE_PATTERN, DecimalOut, Percent
from emporium.contexts.pricing.terms import RuleKind, TierBasis
from emporium.kernel.http.schemas import MoneyIn, MoneyOut, Strict

IdList = list[uuid.UUID]


class TierIn(Strict):
    threshold: int = Field(ge=0, le=10**12, description="Minor units (spend) or units (quantity)")
    amount: MoneyIn | None = None
    percent: Percent | None = None

    @model_validator(mode="after")
    def _one_value(self) -> TierIn:
        if (self.amount is None) == (self.percent is None):
            raise ValueError("a tier takes off either an amount or a percent")
        if self.amount is not None and self.amount.amount == 0:
            raise ValueError("a tier's amount must be more than 0")
        return self


class ConditionsIn(Strict):
    product_ids: IdList = Field(default_factory=list, max_length=1000)
    category_ids: IdList = Field(default_factory=list, max_length=1000)
    collection_ids: IdList = Field(default_factory=list, max_length=1000)
    vendor_ids: IdList = Field(default_factory=list, max_length=1000)
    customer_group_ids: IdList = Field(default_factory=list, max_length=1000)

    @property
    def names_items(self) -> bool:
        return bool(self.product_ids or self.category_ids or self.collection_ids or self.vendor_ids)


class DiscountUpdate(Strict):
    """Every field optional; an explicit null clears an optional one."""

    name: str | None = Field(None, min_length=1, max_length=120)
    description: str | None = Field(None, max_length=2000)
    kind: RuleKind | None = None
    amount: MoneyIn | None = None
    percent: Percent | None = None
    buy_quantity: int | None = Field(None, ge=1, le=1000)
    get_quantity: int | None = Field(None, ge=1, le=1000)
    tier_basis: TierBasis | None = None
    tiers: list[TierIn] | None = Field(None, max_length=20)
    conditions: ConditionsIn | None = None
    min_subtotal: MoneyIn | None = None
    vendor_id: uuid.UUID | None = Field(None, description="Only this vendor's items qualify")
    priority: int | None = Field(None, ge=-1000, le=1000, description="Higher applies first")
    exclusive: bool | None = None
    code: str | None = Field(None, pattern=CODE_PATTERN, description="None: automatic")
    starts_at: AwareDatetime | None = None
    ends_at: AwareDatetime | None = None
    usage_limit: int | None = Field(None, ge=1)
    usage_limit_per_customer: int | None = Field(None, ge=1)
    active: bool | None = None


def _only(rule: DiscountCreate, allowed: set[str]) -> None:
    """Refuse the value fields that this kind of rule does not use."""
    fields = {
        "amount": rule.amount,
        "percent": rule.percent,
        "buy_quantity": rule.buy_quantity,
        "get_quantity": rule.get_quantity,
        "tier_basis": rule.tier_basis,
        "tiers": rule.tiers or None,
    }
    extra = sorted(
        name for name, value in fields.items() if value is not None and name not in allowed
    )
    if extra:
        raise ValueError(f"a {rule.kind.value} rule does not take {', '.join(extra)}")


def _kind_needs(rule: DiscountCreate) -> None:
    kind = rule.kind
    if kind is RuleKind.FIXED and rule.amount is None:
        raise ValueError("a fixed rule needs an amount")
    if kind is RuleKind.PERCENTAGE and rule.percent is None:
        raise ValueError("a percentage rule needs a percent")
    if kind is RuleKind.CART and (rule.amount is None) == (rule.percent is None):
        raise ValueError("a cart rule takes off either an amount or a percent")
    if kind is RuleKind.CART and rule.conditions.names_items:
        raise ValueError("a cart rule is about the whole order: use fixed or percentage for items")
    if kind is RuleKind.BUY_X_GET_Y and (rule.buy_quantity is None or rule.get_quantity is None):
        raise ValueError("a buy_x_get_y rule needs buy_quantity and get_quantity")
    if kind is RuleKind.TIERED:
        if rule.tier_basis is None or not rule.tiers:
            raise ValueError("a tiered rule needs a tier_basis and at least one tier")
        if len({t.threshold for t in rule.tiers}) != len(rule.tiers):
            raise ValueError("tier thresholds must differ")
        if rule.tier_basis is TierBasis.QUANTITY and any(t.threshold < 1 for t in rule.tiers):
            raise ValueError("quantity thresholds start at 1")
    if rule.amount is not None and rule.amount.amount == 0:
        raise ValueError("amount must be more than 0")


class DiscountCreate(DiscountUpdate):
    name: str = Field(min_length=1, max_length=120)
    kind: RuleKind
    description: str = Field("", max_length=2000)
    tiers: list[TierIn] = Field(default_factory=list, max_length=20)
    conditions: ConditionsIn = Field(default_factory=ConditionsIn)
    priority: int = Field(0, ge=-1000, le=1000, description="Higher applies first")
    exclusive: bool = False
    active: bool = True

    @model_validator(mode="after")
    def _consistent(self) -> DiscountCreate:
        uses = {
            RuleKind.FIXED: {"amount"},
            RuleKind.PERCENTAGE: {"percent"},
            RuleKind.CART: {"amount", "percent"},
            RuleKind.BUY_X_GET_Y: {"buy_quantity", "get_quantity", "percent"},
            RuleKind.TIERED: {"tier_basis", "tiers"},
            RuleKind.FREE_SHIPPING: set(),
        }
        _only(self, uses[self.kind])
        _kind_needs(self)
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValueError("ends_at must be after starts_at")
        limit, per_customer = self.usage_limit, self.usage_limit_per_customer
        if limit is not None and per_customer is not None and per_customer > limit:
            raise ValueError("usage_limit_per_customer cannot exceed usage_limit")
        return self

    def currencies(self) -> set[str]:
        amounts = [self.amount, self.min_subtotal, *(t.amount for t in self.tiers)]
        return {m.currency for m in amounts if m is not None}


class TierOut(BaseModel):
    threshold: int
    amount: MoneyOut | None = None
    percent: DecimalOut | None = None


class DiscountRead(BaseModel):
    id: uuid.UUID
    name: str
    description: str
    kind: RuleKind
    amount: MoneyOut | None
    percent: DecimalOut | None
    buy_quantity: int | None
    get_quantity: int | None
    tier_basis: TierBasis | None
    tiers: list[TierOut]
    conditions: dict[str, list[uuid.UUID]]
    min_subtotal: MoneyOut | None
    vendor_id: uuid.UUID | None
    priority: int
    exclusive: bool
    code: str | None
    starts_at: datetime | None
    ends_at: datetime | None
    usage_limit: int | None
    usage_limit_per_customer: int | None
    used: int
    active: bool
    created_at: datetime
    updated_at: datetime

    def as_create(self) -> dict[str, Any]:
        """The rule as a create body (what a patch is merged into before validation)."""
        data = self.model_dump(
            mode="json", exclude={"id", "used", "created_at", "updated_at"}, exclude_none=True
        )
        data["tiers"] = [{k: v for k, v in t.items() if v is not None} for t in data["tiers"]]
        return data
