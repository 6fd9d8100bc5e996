"""Tracking through the sandbox carrier's signed webhooks: forward only, each step once."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from emporium.contexts import shipping
from emporium.contexts.shipping import ShipmentStatus
from emporium.kernel.clock import FakeClock
from emporium.kernel.runtime import Runtime
from tests.shipping.builders import book
from tests.support.webhooks import events_of, post_signed_json

WEBHOOK = "/api/v1/shipping/webhooks/sandbox"


def advance_url(tracking_number: str | None) -> str:
    return f"/api/v1/shipping/sandbox/shipments/{tracking_number}/advance"


def tracking_body(tracking_number: str | None, status: str, event_id: str) -> dict[str, Any]:
    return {
        "id": event_id,
        "type": f"shipment.{status}",
        "data": {"tracking_number": tracking_number},
    }


async def current(runtime: Runtime, shipment: shipping.ShipmentInfo) -> ShipmentStatus:
    async with runtime.db.read() as session:
        found = await shipping.get_shipment(session, shipment.id)
    assert found is not None
    return found.status


@pytest.mark.usefixtures("carrier_reaches_app")
async def test_the_carrier_reports_in_transit_then_delivered(
    runtime: Runtime, client: httpx.AsyncClient
) -> None:
    shipment = await book(runtime)
    async with runtime.uow() as uow:
        await shipping.mark_shipped(uow, shipment.id)
        await uow.commit()
    moved = await client.post(advance_url(shipment.tracking_number), json={"status": "in_transit"})
    assert moved.status_code == 200, moved.text
    assert moved.json()["webhook_status"] == 200
    assert await current(runtime, shipment) is ShipmentStatus.IN_TRANSIT
    await client.post(advance_url(shipment.tracking_number), json={"status": "delivered"})
    assert await current(runtime, shipment) is ShipmentStatus.DELIVERED
    [in_transit] = await events_of(runtime, "shipping.shipment_in_transit")
    [delivered] = await events_of(runtime, "shipping.shipment_delivered")
    assert in_transit.position < delivered.position
    assert delivered.payload["fulfillment_id"] == str(shipment.fulfillment_id)
    async with runtime.db.read() as session:
        history = await shipping.tracking_history(session, shipment.id)
    assert [step.status for step in history] == ["shipped", "in_transit", "delivered"]


@pytest.mark.usefixtures("carrier_reaches_app")
async def test_a_parcel_scanned_before_it_was_marked_shipped_passes_through_shipped(
    runtime: Runtime, client: httpx.AsyncClient
) -> None:
    shipment = await book(runtime)
    await client.post(advance_url(shipment.tracking_number), json={"status": "delivered"})
    types = [e.type for e in await events_of(runtime, *_TRACKING_TYPES)]
    assert types == [
        "shipping.shipment_shipped",
        "shipping.shipment_in_transit",
        "shipping.shipment_delivered",
    ]


_TRACKING_TYPES = (
    "shipping.shipment_shipped",
    "shipping.shipment_in_transit",
    "shipping.shipment_delivered",
)


async def test_a_duplicate_tracking_webhook_is_harmless(
    runtime: Runtime, client: httpx.AsyncClient, clock: FakeClock
) -> None:
    shipment = await book(runtime)
    body = tracking_body(shipment.tracking_number, "in_transit", "evt_track_1")
    secret = runtime.settings.resolved_carrier_webhook_secret
    first = await post_signed_json(client, WEBHOOK, body, secret=secret, at=clock.now())
    again = await post_signed_json(client, WEBHOOK, body, secret=secret, at=clock.now())
    assert (first.status_code, again.status_code) == (200, 200)
    assert (first.json()["changed"], again.json()["changed"]) == (True, False)
    assert len(await events_of(runtime, "shipping.shipment_in_transit")) == 1


async def test_a_late_status_does_not_move_tracking_back(
    runtime: Runtime, client: httpx.AsyncClient, clock: FakeClock
) -> None:
    shipment = await book(runtime)
    secret = runtime.settings.resolved_carrier_webhook_secret
    delivered = tracking_body(shipment.tracking_number, "delivered", "evt_a")
    late = tracking_body(shipment.tracking_number, "in_transit", "evt_b")
    await post_signed_json(client, WEBHOOK, delivered, secret=secret, at=clock.now())
    response = await post_signed_json(client, WEBHOOK, late, secret=secret, at=clock.now())
    assert response.json()["changed"] is False
    assert await current(runtime, shipment) is ShipmentStatus.DELIVERED


async def test_a_tracking_webhook_with_a_wrong_signature_is_refused(
    runtime: Runtime, client: httpx.AsyncClient, clock: FakeClock
) -> None:
    shipment = await book(runtime)
    body = tracking_body(shipment.tracking_number, "in_transit", "evt_c")
    response = await post_signed_json(client, WEBHOOK, body, secret="forged", at=clock.now())
    assert response.status_code == 400
    assert await current(runtime, shipment) is ShipmentStatus.PENDING


async def test_an_old_tracking_webhook_is_refused(
    runtime: Runtime, client: httpx.AsyncClient, clock: FakeClock
) -> None:
    shipment = await book(runtime)
    body = tracking_body(shipment.tracking_number, "in_transit", "evt_d")
    signed_at = clock.now()
    clock.advance(minutes=10)
    secret = runtime.settings.resolved_carrier_webhook_secret
    response = await post_signed_json(client, WEBHOOK, body, secret=secret, at=signed_at)
    assert response.status_code == 400


async def test_a_tracking_webhook_for_an_unknown_parcel_is_not_found(
    runtime: Runtime, client: httpx.AsyncClient, clock: FakeClock
) -> None:
    body = tracking_body("SBXNOPE", "in_transit", "evt_e")
    secret = runtime.settings.resolved_carrier_webhook_secret
    response = await post_signed_json(client, WEBHOOK, body, secret=secret, at=clock.now())
    assert response.status_code == 404


@pytest.mark.usefixtures("carrier_reaches_app")
async def test_the_sandbox_carrier_refuses_to_move_a_parcel_back(
    runtime: Runtime, client: httpx.AsyncClient
) -> None:
    shipment = await book(runtime)
    await client.post(advance_url(shipment.tracking_number), json={"status": "delivered"})
    back = await client.post(advance_url(shipment.tracking_number), json={"status": "in_transit"})
    assert back.status_code == 409
    assert back.json()["error"]["code"] == "INVALID_STATE_TRANSITION"


async def test_advancing_to_an_unknown_status_is_a_validation_error(
    runtime: Runtime, client: httpx.AsyncClient
) -> None:
    shipment = await book(runtime)
    response = await client.post(advance_url(shipment.tracking_number), json={"status": "lost"})
    assert response.status_code == 422
