"""The `sandbox` payout adapter: a bank in test mode that keeps its own books.

Its table (`sandbox_payout_transfer`) is "the bank's database", written in its own
transactions, never in the caller's unit of work. It answers a known key with the first
transfer. Test IBANs (all valid, so they pass our validation):

| IBAN | outcome |
| --- | --- |
| `DE52370400440532013666` | failed, `account_closed` |
| `DE88370400440532013503` | the bank is unreachable (a 503-like outage; nothing recorded) |
| any amount over 100,000.00 | failed, `limit_exceeded` |
| any other valid IBAN | paid |
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime

from sqlalchemy import BigInteger, String, select
from sqlalchemy.orm import Mapped, mapped_column

from emporium.contexts.wallet.payout_adapter import Transfer, TransferResult, TransferStatus
from emporium.kernel.db import Base, UTCDateTime
from emporium.kernel.errors import Conflict
from emporium.kernel.resilience import DependencyUnavailable
from emporium.kernel.uow import UnitOfWork
from emporium.kernel.upsert import insert_if_absent

NAME = "sandbox"
CLOSED_ACCOUNTS = frozenset({"DE52370400440532013666"})
UNREACHABLE = frozenset({"DE88370400440532013503"})
LIMIT = 10_000_000  # minor units per transfer


class SandboxTransfer(Base):
    """A transfer in the sandbox bank's own books."""

    __tablename__ = "sandbox_payout_transfer"

    reference: Mapped[str] = mapped_column(String(80), primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    iban: Mapped[str] = mapped_column(String(34))
    amount: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    status: Mapped[str] = mapped_column(String(20))
    failure_reason: Mapped[str | None] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    def result(self) -> TransferResult:
        return TransferResult(self.reference, TransferStatus(self.status), self.failure_reason)


class TransferKeyReused(Conflict):
    default_message = "The sandbox bank has another transfer under this key"


def _outcome(transfer: Transfer) -> tuple[TransferStatus, str | None]:
    if transfer.iban in CLOSED_ACCOUNTS:
        return TransferStatus.FAILED, "account_closed"
    if transfer.amount.amount > LIMIT:
        return TransferStatus.FAILED, "limit_exceeded"
    return TransferStatus.PAID, None


class SandboxPayoutAdapter:
    """The sandbox bank; `uow` opens a transaction of its own (never the caller's)."""

    name = NAME

    def __init__(self, uow: Callable[[], UnitOfWork]) -> None:
        self._uow = uow

    async def send(self, transfer: Transfer) -> TransferResult:
        if transfer.iban in UNREACHABLE:
            raise DependencyUnavailable("The sandbox bank is unreachable (test IBAN)")
        status, reason = _outcome(transfer)
        async with self._uow() as uow:
            await insert_if_absent(
                uow.session,
                SandboxTransfer,
                {
                    "reference": f"po_sbx_{uuid.uuid4().hex}",
                    "key": transfer.key,
                    "iban": transfer.iban,
                    "amount": transfer.amount.amount,
                    "currency": transfer.amount.currency,
                    "status": status.value,
                    "failure_reason": reason,
                    "created_at": uow.clock.now(),
                },
            )
            row = await uow.session.scalar(
                select(SandboxTransfer).where(SandboxTransfer.key == transfer.key)
            )
            assert row is not None
            if (row.iban, row.amount, row.currency) != (
                transfer.iban,
                transfer.amount.amount,
                transfer.amount.currency,
            ):
                raise TransferKeyReused(details={"key": transfer.key})
            await uow.commit()
        return row.result()
