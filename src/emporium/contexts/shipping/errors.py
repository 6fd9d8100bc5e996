"""Shipping errors with stable codes."""

from __future__ import annotations

from emporium.kernel.errors import Conflict, DomainError, NotFound, ValidationFailed


class ShippingUnavailable(DomainError):
    """The carrier cannot ship there (the checkout saga's third compensation scenario)."""

    code = "SHIPPING_UNAVAILABLE"
    status = 422
    default_message = "The carrier cannot ship to this address"


class ZoneNotFound(NotFound):
    default_message = "Shipping zone not found"


class MethodNotFound(NotFound):
    default_message = "Shipping method not found"


class ShipmentNotFound(NotFound):
    default_message = "Shipment not found"


class UnknownCarrier(NotFound):
    default_message = "No carrier has this name"


class ZoneInUse(Conflict):
    default_message = "Delete or move the zone's shipping methods first"


class NameTaken(Conflict):
    default_message = "This name is already taken"


class MethodDoesNotServe(ValidationFailed):
    default_message = "This shipping method does not ship to this country"


class NoRateForCart(ValidationFailed):
    default_message = "This shipping method has no rate for a cart this heavy or this large"


class UnknownCountry(ValidationFailed):
    default_message = "Not an ISO 3166-1 alpha-2 country code"
