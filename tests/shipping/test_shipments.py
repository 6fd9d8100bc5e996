"""Booking shipments with the sandbox carrier: once per key, refused for postal code 99999."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import func, select

from emporium.contexts import shipping
from emporium.contexts.shipping import ShipmentStatus
from emporium.contexts.shipping.sandbox import SandboxShipment
from emporium.kernel.errors import InvalidStateTransition
from emporium.kernel.runtime import Runtime
from tests.shipping.builders import book
from tests.support.webhooks import events_of


async def carrier_bookings(runtime: Runtime) -> int:
    async with runtime.db.read() as session:
        return int(await session.scalar(select(func.count()).select_from(SandboxShipment)) or 0)


async def test_a_shipment_is_booked_with_a_tracking_number(runtime: Runtime) -> None:
    shipment = await book(runtime)
    assert shipment.status is ShipmentStatus.PENDING
    assert shipment.carrier == "sandbox"
    assert shipment.tracking_number is not None and shipment.tracking_number.startswith("SBX")
    [event] = await events_of(runtime, "shipping.shipment_created")
    assert event.payload["tracking_number"] == shipment.tracking_number
    async with runtime.db.read() as session:
        assert await shipping.shipment_of(session, shipment.fulfillment_id) == shipment


async def test_booking_again_with_the_same_key_books_once(runtime: Runtime) -> None:
    fulfillment = uuid.uuid4()
    first = await book(runtime, fulfillment_id=fulfillment)
    again = await book(runtime, fulfillment_id=fulfillment)
    assert again == first
    assert await carrier_bookings(runtime) == 1


async def test_the_carrier_refuses_postal_code_99999(runtime: Runtime) -> None:
    fulfillment = uuid.uuid4()
    with pytest.raises(shipping.ShippingUnavailable) as raised:
        await book(runtime, postal_code="99999", fulfillment_id=fulfillment)
    assert raised.value.code == "SHIPPING_UNAVAILABLE"
    assert await carrier_bookings(runtime) == 0
    [event] = await events_of(runtime, "shipping.shipment_refused")
    assert "99999" in event.payload["reason"]
    async with runtime.db.read() as session:
        assert await shipping.shipment_of(session, fulfillment) is None
    with pytest.raises(shipping.ShippingUnavailable):  # a retry of the step fails the same way
        await book(runtime, postal_code="99999", fulfillment_id=fulfillment)


async def test_a_seller_marks_the_shipment_shipped(runtime: Runtime) -> None:
    shipment = await book(runtime)
    async with runtime.uow() as uow:
        shipped = await shipping.mark_shipped(uow, shipment.id)
        await uow.commit()
    assert shipped.status is ShipmentStatus.SHIPPED
    async with runtime.uow() as uow:
        again = await shipping.mark_shipped(uow, shipment.id)
        await uow.commit()
    assert again.status is ShipmentStatus.SHIPPED
    assert len(await events_of(runtime, "shipping.shipment_shipped")) == 1


async def test_a_seller_ships_with_a_carrier_of_their_own(runtime: Runtime) -> None:
    shipment = await book(runtime)
    async with runtime.uow() as uow:
        shipped = await shipping.mark_shipped(
            uow, shipment.id, carrier="dhl", tracking_number="JD0123456789"
        )
        await uow.commit()
    assert (shipped.carrier, shipped.tracking_number) == ("dhl", "JD0123456789")


async def test_a_booked_shipment_is_cancelled_once(runtime: Runtime) -> None:
    shipment = await book(runtime)
    cancelled = await shipping.cancel_shipment(runtime, shipment_id=shipment.id, key="c")
    again = await shipping.cancel_shipment(runtime, shipment_id=shipment.id, key="c")
    assert cancelled.status is again.status is ShipmentStatus.CANCELLED
    assert len(await events_of(runtime, "shipping.shipment_cancelled")) == 1
    async with runtime.uow() as uow:
        with pytest.raises(InvalidStateTransition):
            await shipping.mark_shipped(uow, shipment.id)


async def test_a_shipped_parcel_cannot_be_cancelled(runtime: Runtime) -> None:
    shipment = await book(runtime)
    async with runtime.uow() as uow:
        await shipping.mark_shipped(uow, shipment.id)
        await uow.commit()
    with pytest.raises(InvalidStateTransition):
        await shipping.cancel_shipment(runtime, shipment_id=shipment.id, key="c")
