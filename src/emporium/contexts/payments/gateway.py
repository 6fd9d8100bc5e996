"""The payment gateway port, and the guard (timeout, circuit breaker, retries) around any adapter.

Every call that changes something carries an idempotency key derived from our own ids
(`f"{checkout_id}:take_payment"`): a gateway that sees a key again answers with the first
result, so a crash between its answer and our commit, followed by a retry, never charges twice.
That also makes every call safe to retry, which is why the guard may retry all of them.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol, runtime_checkable

from emporium.contexts.payments.models import PaymentMethod
from emporium.kernel.errors import Conflict
from emporium.kernel.money import Money
from emporium.kernel.resilience import Guard


class GatewayStatus(StrEnum):
    REQUIRES_ACTION = "requires_action"
    AUTHORIZED = "authorized"
    CAPTURED = "captured"
    VOIDED = "voided"
    FAILED = "failed"


@dataclass(frozen=True)
class Charge:
    """Take (or, with capture=False, only authorize) amount from a card token or a wallet."""

    key: str
    amount: Money
    method: PaymentMethod
    token: str | None
    capture: bool = True
    description: str = ""


@dataclass(frozen=True)
class GatewayPayment:
    """A payment as the gateway sees it."""

    reference: str
    status: GatewayStatus
    amount: Money
    refunded: Money
    failure_reason: str | None = None


@dataclass(frozen=True)
class GatewayRefund:
    reference: str
    payment_reference: str
    amount: Money


class GatewayRefused(Conflict):
    """The gateway refused a request that is wrong for the payment's state (not transient)."""

    default_message = "The payment gateway refused the request"


@runtime_checkable
class PaymentGateway(Protocol):
    """A card processor (or wallet) seen through the calls Emporium needs."""

    name: str

    async def charge(self, charge: Charge) -> GatewayPayment:
        """Authorize (and capture) a payment; a known key returns the first result."""
        ...

    async def capture(self, reference: str, *, key: str) -> GatewayPayment:
        """Capture an authorized payment in full."""
        ...

    async def refund(self, reference: str, *, amount: Money, key: str) -> GatewayRefund:
        """Return amount of a captured payment; a known key returns the first refund."""
        ...

    async def void(self, reference: str, *, key: str) -> GatewayPayment:
        """Cancel a payment that has not been captured (authorized or awaiting action)."""
        ...

    async def retrieve(self, reference: str) -> GatewayPayment:
        """The payment's state at the gateway now."""
        ...


class GuardedGateway:
    """Any gateway behind a timeout, a circuit breaker and retries (all calls are idempotent)."""

    def __init__(self, inner: PaymentGateway, guard: Guard) -> None:
        self.inner = inner
        self.guard = guard
        self.name = inner.name

    async def charge(self, charge: Charge) -> GatewayPayment:
        return await self.guard.call(lambda: self.inner.charge(charge))

    async def capture(self, reference: str, *, key: str) -> GatewayPayment:
        return await self.guard.call(lambda: self.inner.capture(reference, key=key))

    async def refund(self, reference: str, *, amount: Money, key: str) -> GatewayRefund:
        return await self.guard.call(lambda: self.inner.refund(reference, amount=amount, key=key))

    async def void(self, reference: str, *, key: str) -> GatewayPayment:
        return await self.guard.call(lambda: self.inner.void(reference, key=key))

    async def retrieve(self, reference: str) -> GatewayPayment:
        return await self.guard.call(lambda: self.inner.retrieve(reference))
