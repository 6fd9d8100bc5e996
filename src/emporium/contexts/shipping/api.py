"""Shipping routes: admin zones and methods, the store's methods, carrier webhooks, the sandbox."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Request
from pydantic import BaseModel

from emporium.contexts.shipping import methods, zones
from emporium.contexts.shipping.carrier import carriers_of
from emporium.contexts.shipping.errors import UnknownCarrier
from emporium.contexts.shipping.models import ShipmentStatus
from emporium.contexts.shipping.sandbox import NAME as SANDBOX
from emporium.contexts.shipping.sandbox import SandboxCarrier
from emporium.contexts.shipping.tracking import TrackingWebhook, receive_tracking
from emporium.kernel.errors import NotFound
from emporium.kernel.http.deps import RuntimeDep
from emporium.kernel.http.schemas import Strict
from emporium.kernel.signing import SIGNATURE_HEADER, verified_body

SANDBOX_CARRIER = "shipping.sandbox_carrier"

router = APIRouter()
router.include_router(zones.router)
router.include_router(methods.router)


class TrackingReceived(BaseModel):
    received: bool = True
    changed: bool


@router.post("/shipping/webhooks/{carrier}", response_model=TrackingReceived, tags=["shipping"])
async def post_tracking_webhook(
    carrier: str, request: Request, runtime: RuntimeDep
) -> TrackingReceived:
    if carrier not in carriers_of(runtime):
        raise UnknownCarrier(details={"carrier": carrier})
    event = verified_body(
        TrackingWebhook,
        await request.body(),
        secret=runtime.settings.resolved_carrier_webhook_secret,
        header=request.headers.get(SIGNATURE_HEADER),
        now=runtime.clock.now(),
    )
    async with runtime.uow() as uow:
        changed = await receive_tracking(uow, carrier, event)
        await uow.commit()
    return TrackingReceived(changed=changed)


class Advance(Strict):
    status: Literal["in_transit", "delivered"]


class Advanced(BaseModel):
    tracking_number: str
    status: str
    webhook_status: int | None


@router.post(
    "/shipping/sandbox/shipments/{tracking_number}/advance",
    response_model=Advanced,
    tags=["shipping"],
)
async def advance_sandbox_shipment(
    tracking_number: str, body: Advance, runtime: RuntimeDep
) -> Advanced:
    """The sandbox carrier scans the parcel: record it and send the shop a signed webhook."""
    carrier = runtime.services.get(SANDBOX_CARRIER)
    if not isinstance(carrier, SandboxCarrier) or not runtime.settings.sandbox_endpoints:
        raise NotFound()
    answer = await carrier.advance(tracking_number[:80], ShipmentStatus(body.status))
    return Advanced(tracking_number=tracking_number, status=body.status, webhook_status=answer)


__all__ = ["SANDBOX", "SANDBOX_CARRIER", "router"]
