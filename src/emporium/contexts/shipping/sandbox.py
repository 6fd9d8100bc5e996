"""The `sandbox` carrier: books shipments in its own table and reports tracking by signed webhook.

Like the sandbox gateway, it writes its table (`sandbox_carrier_shipment`, "the carrier's
database") in its own transactions. For postal code `99999` it refuses every shipment
(`SHIPPING_UNAVAILABLE`), which drives the checkout saga's third compensation scenario.
`advance()` stands for the parcel being scanned on its way: it records the new status, then
POSTs a signed webhook `{"id", "type": "shipment.in_transit"|"shipment.delivered",
"data": {"tracking_number"}}` to the shop, with no transaction open.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

import httpx
import structlog
from sqlalchemy import Integer, String, select
from sqlalchemy.orm import Mapped, mapped_column

from emporium.contexts.shipping.carrier import Address, CarrierShipment, Parcel
from emporium.contexts.shipping.errors import ShipmentNotFound, ShippingUnavailable
from emporium.contexts.shipping.models import PROGRESSION, ShipmentStatus
from emporium.kernel.clock import Clock
from emporium.kernel.db import Base, JSONType, UTCDateTime
from emporium.kernel.errors import InvalidStateTransition
from emporium.kernel.signing import post_signed
from emporium.kernel.uow import UnitOfWork
from emporium.kernel.upsert import insert_if_absent

log = structlog.get_logger("emporium.shipping.sandbox")

NAME = "sandbox"
REFUSED_POSTAL_CODE = "99999"


class SandboxShipment(Base):
    """A shipment in the sandbox carrier's own books."""

    __tablename__ = "sandbox_carrier_shipment"

    tracking_number: Mapped[str] = mapped_column(String(80), primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    address: Mapped[dict[str, Any]] = mapped_column(JSONType)
    weight_grams: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)

    def view(self) -> CarrierShipment:
        return CarrierShipment(
            carrier=NAME, tracking_number=self.tracking_number, status=ShipmentStatus(self.status)
        )


class SandboxCarrier:
    """The sandbox carrier; `uow` opens a transaction of its own (never the caller's)."""

    name = NAME

    def __init__(
        self,
        uow: Callable[[], UnitOfWork],
        *,
        clock: Clock,
        secret: str,
        url: str,
        transport: Callable[[], httpx.AsyncBaseTransport | None],
    ) -> None:
        self._uow = uow
        self.clock = clock
        self.secret = secret
        self.url = url
        self._transport = transport

    async def create_shipment(
        self, *, address: Address, parcels: Sequence[Parcel], key: str
    ) -> CarrierShipment:
        if address.postal_code.strip() == REFUSED_POSTAL_CODE:
            raise ShippingUnavailable(
                "The sandbox carrier does not deliver to postal code 99999",
                details={"postal_code": address.postal_code, "carrier": NAME},
            )
        async with self._uow() as uow:
            now = uow.clock.now()
            await insert_if_absent(
                uow.session,
                SandboxShipment,
                {
                    "tracking_number": f"SBX{uuid.uuid4().hex[:16].upper()}",
                    "key": key,
                    "address": address.to_dict(),
                    "weight_grams": sum(p.weight_grams for p in parcels),
                    "status": ShipmentStatus.PENDING.value,
                    "created_at": now,
                    "updated_at": now,
                },
            )
            row = await uow.session.scalar(
                select(SandboxShipment).where(SandboxShipment.key == key)
            )
            assert row is not None
            await uow.commit()
        return row.view()

    async def cancel_shipment(self, tracking_number: str, *, key: str) -> CarrierShipment:
        async with self._uow() as uow:
            row = await self._get(uow, tracking_number)
            if row.status == ShipmentStatus.PENDING:
                row.status = ShipmentStatus.CANCELLED.value
                row.updated_at = uow.clock.now()
            elif row.status != ShipmentStatus.CANCELLED:
                raise InvalidStateTransition("The parcel is already on its way")
            await uow.commit()
        return row.view()

    async def track(self, tracking_number: str) -> CarrierShipment:
        async with self._uow() as uow:
            return (await self._get(uow, tracking_number)).view()

    async def advance(self, tracking_number: str, status: ShipmentStatus) -> int | None:
        """Move the parcel on and tell the shop; the shop's HTTP status (None: not reached)."""
        async with self._uow() as uow:
            row = await self._get(uow, tracking_number)
            if row.status == status:
                return None  # nothing happened to the parcel: nothing to report
            if row.status not in PROGRESSION or PROGRESSION.index(
                ShipmentStatus(row.status)
            ) > PROGRESSION.index(status):
                raise InvalidStateTransition(
                    "Tracking only moves forward", details={"from": row.status, "to": status.value}
                )
            row.status = status.value
            row.updated_at = uow.clock.now()
            await uow.commit()
        body = {
            "id": f"evt_{uuid.uuid4().hex}",
            "type": f"shipment.{status.value}",
            "data": {"tracking_number": tracking_number},
        }
        try:
            return await post_signed(
                self.url,
                json.dumps(body, separators=(",", ":")).encode(),
                secret=self.secret,
                at=self.clock.now(),
                transport=self._transport(),
            )
        except (httpx.HTTPError, OSError) as exc:
            log.warning("sandbox_carrier_webhook_failed", error=str(exc), url=self.url)
            return None

    async def _get(self, uow: UnitOfWork, tracking_number: str) -> SandboxShipment:
        row = await uow.session.get(SandboxShipment, tracking_number, with_for_update=True)
        if row is None:
            raise ShipmentNotFound(details={"tracking_number": tracking_number})
        return row
