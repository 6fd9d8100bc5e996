"""Events the checkout publishes (aggregate `checkout`)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from emporium.kernel.events import DomainEvent


@dataclass(frozen=True, kw_only=True)
class CheckoutEvent(DomainEvent):
    aggregate_type = "checkout"
    id: uuid.UUID
    buyer_id: uuid.UUID
    cart_id: uuid.UUID


@dataclass(frozen=True, kw_only=True)
class CheckoutStarted(CheckoutEvent):
    type = "checkout.started"
    saga_id: uuid.UUID


@dataclass(frozen=True, kw_only=True)
class CheckoutCompleted(CheckoutEvent):
    type = "checkout.completed"
    order_id: uuid.UUID


@dataclass(frozen=True, kw_only=True)
class CheckoutFailed(CheckoutEvent):
    type = "checkout.failed"
    code: str
    message: str
    details: dict[str, Any] = field(default_factory=dict)
    order_id: uuid.UUID | None = None
