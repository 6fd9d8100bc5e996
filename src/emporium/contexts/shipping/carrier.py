"""The carrier port, and the guard (timeout, circuit breaker, retries) around any carrier.

Creating and cancelling shipments carry an idempotency key derived from our own ids (the
fulfillment's), so a retry after a crash gets the first label instead of a second parcel.
A carrier that refuses an address raises ShippingUnavailable: an answer, not an outage, so it
neither trips the circuit breaker nor is retried.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from emporium.contexts.shipping.models import ShipmentStatus
from emporium.kernel.resilience import Guard
from emporium.kernel.runtime import Runtime

CARRIERS = "shipping.carriers"


@dataclass(frozen=True)
class Address:
    name: str
    line1: str
    city: str
    postal_code: str
    country: str
    line2: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "line1": self.line1,
            "line2": self.line2,
            "city": self.city,
            "postal_code": self.postal_code,
            "country": self.country,
        }


@dataclass(frozen=True)
class Parcel:
    weight_grams: int
    contents: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class CarrierShipment:
    """A shipment as the carrier sees it."""

    carrier: str
    tracking_number: str
    status: ShipmentStatus


@runtime_checkable
class Carrier(Protocol):
    name: str

    async def create_shipment(
        self, *, address: Address, parcels: Sequence[Parcel], key: str
    ) -> CarrierShipment:
        """Book a shipment (a label); a known key returns the first one."""
        ...

    async def cancel_shipment(self, tracking_number: str, *, key: str) -> CarrierShipment:
        """Cancel a shipment not handed over yet."""
        ...

    async def track(self, tracking_number: str) -> CarrierShipment:
        """Where the shipment is now."""
        ...


class GuardedCarrier:
    """Any carrier behind a timeout, a circuit breaker and retries (all calls are idempotent)."""

    def __init__(self, inner: Carrier, guard: Guard) -> None:
        self.inner = inner
        self.guard = guard
        self.name = inner.name

    async def create_shipment(
        self, *, address: Address, parcels: Sequence[Parcel], key: str
    ) -> CarrierShipment:
        return await self.guard.call(
            lambda: self.inner.create_shipment(address=address, parcels=parcels, key=key)
        )

    async def cancel_shipment(self, tracking_number: str, *, key: str) -> CarrierShipment:
        return await self.guard.call(lambda: self.inner.cancel_shipment(tracking_number, key=key))

    async def track(self, tracking_number: str) -> CarrierShipment:
        return await self.guard.call(lambda: self.inner.track(tracking_number))


def carriers_of(runtime: Runtime) -> dict[str, Carrier]:
    """The carriers this process can book, by name."""
    carriers: dict[str, Carrier] = runtime.services.get(CARRIERS, {})
    return carriers
