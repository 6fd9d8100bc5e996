"""Checkout request and response shapes (API.md, "Checkout")."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field

from emporium.kernel.http.schemas import Strict


class AddressIn(Strict):
    name: str = Field(min_length=1, max_length=200)
    line1: str = Field(min_length=1, max_length=200)
    line2: str | None = Field(default=None, max_length=200)
    city: str = Field(min_length=1, max_length=100)
    postal_code: str = Field(min_length=1, max_length=20)
    country: str = Field(pattern=r"^[A-Za-z]{2}$", examples=["DE"])


class CardPayment(Strict):
    method: Literal["card"]
    token: str = Field(min_length=1, max_length=80, examples=["tok_visa"])


class WalletPayment(Strict):
    method: Literal["wallet"]


class CheckoutCreate(Strict):
    cart_id: uuid.UUID
    shipping_address: AddressIn
    shipping_method_id: uuid.UUID
    payment: Annotated[CardPayment | WalletPayment, Field(discriminator="method")]


class CompensationRead(BaseModel):
    step: str
    action: str
    status: str


class FailureRead(BaseModel):
    code: str
    message: str
    details: dict[str, Any] = Field(default_factory=dict)
    compensations: list[CompensationRead] = Field(default_factory=list)


class StepRead(BaseModel):
    name: str
    status: str
    at: datetime


class PaymentRead(BaseModel):
    reference: str
    status: str


class CheckoutRead(BaseModel):
    """A checkout; `failure`, `payment` and `steps` appear only when they apply."""

    id: uuid.UUID
    state: str
    order_id: uuid.UUID | None = None
    failure: FailureRead | None = None
    payment: PaymentRead | None = None
    steps: list[StepRead] | None = None
