"""Admins preview how lines would be priced for a customer, with codes, to a destination."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter
from pydantic import Field

from emporium.contexts.pricing.engine import price
from emporium.contexts.pricing.loading import LineRequest, build_input
from emporium.contexts.pricing.schemas import CODE_PATTERN
from emporium.contexts.pricing.snapshot import result_dict
from emporium.kernel.http.auth import AdminPrincipal
from emporium.kernel.http.deps import RuntimeDep
from emporium.kernel.http.schemas import MoneyIn, Strict
from emporium.kernel.ids import new_id
from emporium.kernel.money import Money

router = APIRouter(prefix="/admin/pricing", tags=["admin: pricing"])


class PreviewLine(Strict):
    variant_id: uuid.UUID
    quantity: int = Field(ge=1, le=10_000)
    id: uuid.UUID | None = Field(None, description="Default: a new id")


class PricingPreview(Strict):
    items: list[PreviewLine] = Field(max_length=200)
    customer_id: uuid.UUID | None = None
    codes: list[Annotated[str, Field(pattern=CODE_PATTERN)]] = Field(
        default_factory=list, max_length=10
    )
    country: str | None = Field(None, pattern=r"^[A-Za-z]{2}$", description="Default: the store's")
    shipping: MoneyIn | None = None

    def lines(self) -> list[LineRequest]:
        return [
            LineRequest(item.id or new_id(), item.variant_id, item.quantity) for item in self.items
        ]


@router.post("/preview")
async def preview(body: PricingPreview, _: AdminPrincipal, runtime: RuntimeDep) -> dict[str, Any]:
    """The full pricing of these lines: unit prices, discounts per rule, VAT, why and why not."""
    settings = runtime.settings
    shipping = body.shipping.to_money() if body.shipping else Money.zero(settings.default_currency)
    async with runtime.db.read() as session:
        data = await build_input(
            session,
            body.lines(),
            customer_id=body.customer_id,
            codes=body.codes,
            country=body.country or settings.default_country,
            shipping=shipping,
            now=runtime.clock.now(),
        )
    result = result_dict(price(data))
    result["unpriced_line_ids"] = [str(i) for i in data.unpriced_line_ids]
    return result
