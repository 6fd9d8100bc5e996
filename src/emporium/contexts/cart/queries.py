"""Read side of the cart: the cart as the buyer sees it, holds and prices included."""

from __future__ import annotations

import uuid
from datetime import datetime

from fastapi import APIRouter
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from emporium.contexts import catalog, inventory
from emporium.contexts.cart.access import CallerDep, cart_for_read
from emporium.contexts.cart.errors import CartItemNotFound, CartNotFound
from emporium.contexts.cart.lines import lines_of
from emporium.contexts.cart.models import Cart, CartDiscountCode, CartLine
from emporium.contexts.cart.schemas import (
    CartDiscountRead,
    CartItemRead,
    CartRead,
    CartTotalsRead,
    VendorRef,
)
from emporium.contexts.cart.totals import (
    CartContents,
    CartDiscount,
    CartLineRef,
    CartTotals,
    LineTotals,
    cart_totals,
)
from emporium.kernel.http.deps import RuntimeDep
from emporium.kernel.http.schemas import MoneyOut
from emporium.kernel.money import Money
from emporium.kernel.runtime import Runtime

router = APIRouter(tags=["cart"])


def contents(cart: Cart, lines: list[CartLine], codes: list[str]) -> CartContents:
    """What cart_totals needs to know of a cart."""
    return CartContents(
        id=cart.id,
        user_id=cart.user_id,
        currency=cart.currency,
        lines=tuple(
            CartLineRef(
                line.id,
                line.variant_id,
                line.quantity,
                line.bundle_id,
                Money(line.bundle_amount, cart.currency)
                if line.bundle_amount is not None
                else None,
            )
            for line in lines
        ),
        codes=tuple(codes),
    )


async def load_contents(session: AsyncSession, cart: Cart) -> CartContents:
    """A cart's lines (in the order they were added) and codes, as cart_totals wants them."""
    lines = await lines_of(session, cart.id)
    return contents(cart, lines, await codes_of(session, cart.id))


async def contents_of(session: AsyncSession, cart_id: uuid.UUID) -> CartContents | None:
    """What a cart's price depends on, by id (None when there is no such cart)."""
    cart = await session.get(Cart, cart_id)
    return await load_contents(session, cart) if cart is not None else None


async def codes_of(session: AsyncSession, cart_id: uuid.UUID) -> list[str]:
    """The discount codes entered on a cart, in the order they were entered."""
    rows = await session.scalars(
        select(CartDiscountCode.code)
        .where(CartDiscountCode.cart_id == cart_id)
        .order_by(CartDiscountCode.added_at, CartDiscountCode.code)
    )
    return list(rows)


async def read_cart(session: AsyncSession, cart: Cart, *, now: datetime, country: str) -> CartRead:
    """The cart with its items, their holds and prices, and its totals."""
    items, totals = await _items(session, cart, now=now, country=country)
    return CartRead(
        id=cart.id,
        status=cart.status,
        currency=cart.currency,
        items=items,
        discounts=[_discount(discount) for discount in totals.discounts],
        totals=CartTotalsRead(
            subtotal=MoneyOut.of(totals.subtotal),
            discount=MoneyOut.of(totals.discount),
            shipping=MoneyOut.of(totals.shipping),
            vat=MoneyOut.of(totals.vat),
            total=MoneyOut.of(totals.total),
        ),
        merged_into_id=cart.merged_into_id,
        created_at=cart.created_at,
        updated_at=cart.updated_at,
    )


async def _items(
    session: AsyncSession,
    cart: Cart,
    *,
    now: datetime,
    country: str,
    only: uuid.UUID | None = None,
) -> tuple[list[CartItemRead], CartTotals]:
    """The cart's items (or only one of them) and the totals of the whole cart.

    Totals are always the whole cart's: a line's price may depend on the others (discounts).
    """
    lines = await lines_of(session, cart.id)
    codes = await codes_of(session, cart.id)
    totals = await cart_totals(session, contents(cart, lines, codes), country=country, now=now)
    shown = [line for line in lines if only is None or line.id == only]
    infos = await catalog.variant_infos(session, [line.variant_id for line in shown])
    holds = await inventory.reservations(
        session, [line.reservation_id for line in shown if line.reservation_id]
    )
    vendors = await catalog.vendor_infos(session, [line.vendor_id for line in shown])
    items = []
    for line in shown:
        info = infos.get(line.variant_id)
        held = holds.get(line.reservation_id) if line.reservation_id else None
        vendor = vendors.get(line.vendor_id)
        items.append(_item(line, info, held, totals.lines.get(line.id), vendor, now))
    return items, totals


async def cart_read(runtime: Runtime, cart_id: uuid.UUID) -> CartRead:
    """A cart as it is now, for the answer of a route that has just changed it."""
    async with runtime.db.read() as session:
        cart = await session.get(Cart, cart_id)
        if cart is None:
            raise CartNotFound()
        return await read_cart(
            session, cart, now=runtime.clock.now(), country=runtime.settings.default_country
        )


async def item_read(runtime: Runtime, cart_id: uuid.UUID, item_id: uuid.UUID) -> CartItemRead:
    """One item of a cart as it is now (404 if a concurrent request removed it meanwhile)."""
    async with runtime.db.read() as session:
        cart = await session.get(Cart, cart_id)
        if cart is None:
            raise CartNotFound()
        items, _ = await _items(
            session,
            cart,
            now=runtime.clock.now(),
            country=runtime.settings.default_country,
            only=item_id,
        )
    if not items:
        raise CartItemNotFound()
    return items[0]


def _item(
    line: CartLine,
    info: catalog.VariantInfo | None,
    held: inventory.ReservationView | None,
    priced: LineTotals | None,
    vendor: catalog.VendorInfo | None,
    now: datetime,
) -> CartItemRead:
    return CartItemRead(
        id=line.id,
        variant_id=line.variant_id,
        product_id=line.product_id,
        quantity=line.quantity,
        unit_price=MoneyOut.of(priced.unit_price) if priced else None,
        discount=MoneyOut.of(priced.discount) if priced else None,
        line_total=MoneyOut.of(priced.total) if priced else None,
        vat=MoneyOut.of(priced.vat) if priced else None,
        reserved_until=_held_until(held),
        expired=held is None or not held.holds_at(now),
        purchasable=info is not None and info.purchasable,
        product_title=info.product_title if info else None,
        product_slug=info.product_slug if info else None,
        variant_title=info.title if info else None,
        sku=info.sku if info else None,
        unique=info.is_unique if info else False,
        vendor=VendorRef(id=vendor.id, name=vendor.name) if vendor else None,
        bundle_id=line.bundle_id,
        bundle_group_id=line.bundle_group_id,
    )


def _discount(discount: CartDiscount) -> CartDiscountRead:
    return CartDiscountRead(
        code=discount.code,
        rule_id=discount.rule_id,
        name=discount.name,
        applied=discount.applied,
        amount=MoneyOut.of(discount.amount),
        reason=discount.reason,
        message=discount.message,
    )


def _held_until(held: inventory.ReservationView | None) -> datetime | None:
    """Until when the units were (or are) kept: a released hold ended before its expiry."""
    if held is None:
        return None
    if held.ended_at is not None and held.ended_at < held.expires_at:
        return held.ended_at
    return held.expires_at


@router.get("/store/carts/{cart_id}", response_model=CartRead)
async def get_cart(cart_id: str, caller: CallerDep, runtime: RuntimeDep) -> CartRead:
    async with runtime.db.read() as session:
        cart = await cart_for_read(session, cart_id, caller)
        return await read_cart(
            session, cart, now=runtime.clock.now(), country=runtime.settings.default_country
        )
