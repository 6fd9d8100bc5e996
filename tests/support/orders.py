"""Builders for orders tests: stocked variants, and orders placed through the facade.

item = await stocked_item(client, admin)                 # an approved vendor's variant
order = await place(runtime, buyer.id, [(item, 2)])      # holds taken, then placed, committed
"""

from __future__ import annotations

import dataclasses
import uuid
from dataclasses import dataclass
from typing import Any

import httpx

from emporium.contexts import inventory, orders, payments, shipping
from emporium.kernel.money import Money
from emporium.kernel.runtime import Runtime
from tests.support.auth import AuthedUser
from tests.support.catalog import approved_seller, published_product, variant

ADDRESS = {
    "name": "Ada Buyer",
    "line1": "1 Rue de la Paix",
    "city": "Paris",
    "postal_code": "75002",
    "country": "FR",
}


@dataclass(frozen=True)
class Item:
    """A sellable variant and who sells it."""

    variant_id: uuid.UUID
    product_id: uuid.UUID
    vendor_id: uuid.UUID
    seller: AuthedUser
    price: Money


async def stocked_item(
    client: httpx.AsyncClient,
    admin: AuthedUser,
    *,
    seller: AuthedUser | None = None,
    stock: int = 10,
    price: int = 1999,
) -> Item:
    """A published variant with stock, from a new approved vendor unless seller is given."""
    seller = seller or await approved_seller(client, admin, vendor_name=f"V {uuid.uuid4().hex[:8]}")
    product = await published_product(
        client,
        seller,
        variants=[variant(stock=stock, price={"amount": price, "currency": "EUR"})],
    )
    vendor = (await client.get("/api/v1/seller/vendor", headers=seller.headers)).json()
    return Item(
        variant_id=uuid.UUID(product["variants"][0]["id"]),
        product_id=uuid.UUID(product["id"]),
        vendor_id=uuid.UUID(vendor["id"]),
        seller=seller,
        price=Money(price, "EUR"),
    )


async def place(
    runtime: Runtime,
    buyer_id: uuid.UUID,
    items: list[tuple[Item, int]],
    *,
    checkout_id: uuid.UUID | None = None,
    payment_id: uuid.UUID | None = None,
    shipping: int = 0,
    discount_rule_ids: tuple[uuid.UUID, ...] = (),
    payment_method: str = "card",
) -> orders.PlacedOrder:
    """Hold the units, then place the order as the checkout saga would; both committed."""
    checkout_id = checkout_id or uuid.uuid4()
    async with runtime.uow() as uow:
        held = [
            await inventory.reserve(
                uow,
                variant_id=item.variant_id,
                quantity=quantity,
                owner_type="checkout",
                owner_id=checkout_id,
                ttl_seconds=900,
            )
            for item, quantity in items
        ]
        await uow.commit()
    async with runtime.uow() as uow:
        cmd = place_command(buyer_id, items, held, checkout_id, payment_id, shipping)
        placed = await orders.place_order(
            uow,
            dataclasses.replace(
                cmd, discount_rule_ids=discount_rule_ids, payment_method=payment_method
            ),
        )
        await uow.commit()
    return placed


def place_command(
    buyer_id: uuid.UUID,
    items: list[tuple[Item, int]],
    held: list[inventory.ReservationView],
    checkout_id: uuid.UUID,
    payment_id: uuid.UUID | None,
    shipping: int,
) -> orders.PlaceOrder:
    """The command the checkout saga sends for these items (no discounts, VAT left at zero)."""
    lines = tuple(
        orders.LineToPlace(
            variant_id=item.variant_id,
            product_id=item.product_id,
            vendor_id=item.vendor_id,
            sku=None,
            title="The Amazing Spider-Man #300",
            quantity=quantity,
            reservation_id=hold.id,
            unit_price=item.price,
            discount=Money(0, "EUR"),
            vat=Money(0, "EUR"),
            total=item.price * quantity,
            pricing={"unit_price": item.price.amount},
        )
        for (item, quantity), hold in zip(items, held, strict=True)
    )
    goods = sum(line.total.amount for line in lines)
    money = Money(goods + shipping, "EUR")
    return orders.PlaceOrder(
        checkout_id=checkout_id,
        buyer_id=buyer_id,
        currency="EUR",
        totals=orders.OrderTotals(
            subtotal=Money(goods, "EUR"),
            discount=Money(0, "EUR"),
            shipping=Money(shipping, "EUR"),
            vat=Money(0, "EUR"),
            total=money,
            shipping_gross=Money(shipping, "EUR"),
        ),
        shipping_address=ADDRESS,
        shipping_method_id=uuid.uuid4(),
        payment_method="card",
        payment_id=payment_id,
        lines=lines,
    )


async def confirmed(runtime: Runtime, order_id: uuid.UUID) -> None:
    """Confirm the order, as the checkout saga's last step does."""
    async with runtime.uow() as uow:
        await orders.confirm_order(uow, order_id=order_id)
        await uow.commit()


async def book_shipments(runtime: Runtime, placed: orders.PlacedOrder) -> dict[uuid.UUID, Any]:
    """Book every fulfillment's parcel with the sandbox carrier and attach it to the order."""
    booked = {}
    for fulfillment_id in placed.fulfillments.values():
        info = await shipping.create_shipment(
            runtime,
            fulfillment_id=fulfillment_id,
            address=shipping.Address(**ADDRESS),
            parcels=[shipping.Parcel(weight_grams=200)],
            key=f"test-shipment:{fulfillment_id}",
            order_id=placed.id,
        )
        booked[fulfillment_id] = info
    async with runtime.uow() as uow:
        await orders.attach_shipments(
            uow, order_id=placed.id, shipments={f: info.id for f, info in booked.items()}
        )
        await uow.commit()
    return booked


async def paid_order(
    runtime: Runtime,
    buyer_id: uuid.UUID,
    items: list[tuple[Item, int]],
    *,
    shipping: int = 0,
    discount_rule_ids: tuple[uuid.UUID, ...] = (),
) -> orders.PlacedOrder:
    """A confirmed order paid by card through the sandbox gateway (tok_visa)."""
    checkout_id = uuid.uuid4()
    amount = sum(item.price.amount * quantity for item, quantity in items) + shipping
    payment = await payments.take_payment(
        runtime,
        owner_id=checkout_id,
        amount=Money(amount, "EUR"),
        key=f"test-payment:{checkout_id}",
        token="tok_visa",
    )
    assert payment.status is payments.PaymentStatus.CAPTURED, payment
    placed = await place(
        runtime,
        buyer_id,
        items,
        checkout_id=checkout_id,
        payment_id=payment.id,
        shipping=shipping,
        discount_rule_ids=discount_rule_ids,
    )
    await confirmed(runtime, placed.id)
    return placed


async def payment_of(runtime: Runtime, order_id: uuid.UUID) -> payments.PaymentOutcome:
    """The order's payment as the gateway's record has it now."""
    async with runtime.db.read() as session:
        view = await orders.get_order_view(session, order_id)
        assert view is not None and view.payment_id is not None
        payment = await payments.get_payment(session, view.payment_id)
    assert payment is not None
    return payment
