"""The payout adapter port (a bank transfer to a vendor's IBAN), and its guard.

Every transfer carries our key (the payout's id): an adapter that sees a key again answers
with the first transfer, so a retry after a timeout or a crash never pays twice, and the
guard (timeout, circuit breaker, retries) may retry every call.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol, runtime_checkable

from emporium.kernel.money import Money
from emporium.kernel.resilience import Guard


class TransferStatus(StrEnum):
    PAID = "paid"
    FAILED = "failed"


@dataclass(frozen=True)
class Transfer:
    key: str
    amount: Money
    iban: str
    description: str


@dataclass(frozen=True)
class TransferResult:
    reference: str
    status: TransferStatus
    failure_reason: str | None = None


@runtime_checkable
class PayoutAdapter(Protocol):
    """A bank (or payout provider) seen through the one call payouts need."""

    name: str

    async def send(self, transfer: Transfer) -> TransferResult:
        """Pay amount to iban once per key; a known key returns the first result."""
        ...


class GuardedPayoutAdapter:
    """Any payout adapter behind a timeout, a circuit breaker and retries."""

    def __init__(self, inner: PayoutAdapter, guard: Guard) -> None:
        self.inner = inner
        self.guard = guard
        self.name = inner.name

    async def send(self, transfer: Transfer) -> TransferResult:
        return await self.guard.call(lambda: self.inner.send(transfer))
