"""The saga's first step: the cart can be bought, shipped there, and is priced once.

Its compensation is the saga's last word on a failure: the cart goes back to the buyer and
the checkout is marked FAILED with the reason.
"""

from __future__ import annotations

import dataclasses
import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from emporium.contexts import cart, catalog, pricing, shipping
from emporium.contexts.checkout.events import CheckoutFailed
from emporium.contexts.checkout.models import CheckoutState
from emporium.contexts.checkout.plan import Plan, PlannedLine
from emporium.contexts.checkout.progress import checkout_id_of, move
from emporium.kernel.errors import DomainError
from emporium.kernel.saga import StepContext, StepFailed


async def validate_cart(ctx: StepContext) -> dict[str, Any]:
    """Check the cart and the destination, then price it with its shipping (no writes)."""
    data = ctx.data
    async with ctx.runtime.db.read() as session:
        lines = await cart.checkout_lines(session, uuid.UUID(data["cart_id"]))
        if not lines:
            raise StepFailed("VALIDATION_ERROR", "The cart is empty", {})
        infos = await catalog.variant_infos(session, [line.variant_id for line in lines])
        unavailable = [str(line.id) for line in lines if not _buyable(infos, line.variant_id)]
        if unavailable:
            raise StepFailed(
                "CONFLICT", "Some items cannot be bought now", {"item_ids": unavailable}
            )
        try:
            plan = await _price(ctx, session, lines, infos)
        except DomainError as exc:
            raise StepFailed(exc.code, exc.message, exc.details) from None
    return {"plan": plan.to_json()}


def _buyable(infos: dict[uuid.UUID, catalog.VariantInfo], variant_id: uuid.UUID) -> bool:
    info = infos.get(variant_id)
    return info is not None and info.purchasable


async def _price(
    ctx: StepContext,
    session: AsyncSession,
    lines: list[cart.CheckoutLine],
    infos: dict[uuid.UUID, catalog.VariantInfo],
) -> Plan:
    data = ctx.data
    country = str(data["address"]["country"])
    # The cart's own pricing input (its codes, its bundles' prices, the buyer's group): the
    # checkout charges exactly what the cart showed. The cart is held still while we run.
    contents = await cart.contents_of(session, uuid.UUID(data["cart_id"]))
    assert contents is not None, "the checkout holds its cart"
    goods = await cart.pricing_input(session, contents, country=country, now=ctx.now)
    subtotal = pricing.price(goods).totals.subtotal
    weight = sum(infos[line.variant_id].weight_grams * line.quantity for line in lines)
    fee = await shipping.quote(
        session,
        method_id=uuid.UUID(data["method_id"]),
        country=country,
        weight_grams=weight,
        subtotal=subtotal,
    )
    result = pricing.price(dataclasses.replace(goods, shipping=fee))
    return Plan(
        lines=tuple(_planned(result, line, infos[line.variant_id]) for line in lines),
        totals={
            "subtotal": result.totals.subtotal,
            "discount": result.totals.discount,
            "shipping": result.totals.shipping,
            "vat": result.totals.vat,
            "total": result.totals.total,
            "shipping_gross": result.shipping.gross,
        },
        rule_ids=tuple(result.applied_rule_ids()),
        pricing={"totals": result.totals.to_dict()},
    )


def _planned(
    result: pricing.PricingResult, line: cart.CheckoutLine, info: catalog.VariantInfo
) -> PlannedLine:
    priced = result.line(line.id)
    title = info.product_title if not info.title else f"{info.product_title} ({info.title})"
    return PlannedLine(
        line_id=line.id,
        variant_id=line.variant_id,
        product_id=line.product_id,
        vendor_id=line.vendor_id,
        sku=info.sku,
        title=title,
        quantity=line.quantity,
        weight_grams=info.weight_grams,
        unit_price=priced.unit_price,
        discount=priced.discount,
        vat=priced.vat,
        total=priced.gross,
        snapshot=pricing.snapshot(result, line.id),
    )


async def give_cart_back(ctx: StepContext) -> dict[str, Any]:
    """The last compensation: the cart is the buyer's again and the checkout FAILED, once."""
    failure = dict(ctx.failure or {})
    code = str(failure.get("code") or "CHECKOUT_FAILED")
    message = str(failure.get("message") or "The checkout failed")
    details: dict[str, Any] = dict(failure.get("details") or {})
    reason = {"code": code, "message": message, "details": details}
    checkout_id = checkout_id_of(ctx)
    order_id = ctx.data.get("order_id")
    async with ctx.effect() as uow:
        await cart.release_from_checkout(uow, uuid.UUID(ctx.data["cart_id"]))
        if not await move(uow, checkout_id, CheckoutState.FAILED, once=True, failure=reason):
            return {"action": "release_cart"}
        uow.record(
            CheckoutFailed(
                id=checkout_id,
                buyer_id=uuid.UUID(ctx.data["buyer_id"]),
                cart_id=uuid.UUID(ctx.data["cart_id"]),
                order_id=uuid.UUID(order_id) if order_id else None,
                code=code,
                message=message,
                details=details,
            )
        )
    return {"action": "release_cart"}
