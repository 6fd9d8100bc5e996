"""Sending payouts: a durable job per attempt, the bank call outside any transaction.

The `wallet.send_payout` job claims an attempt and schedules the next one as a fallback in
its own short transaction; the transfer is sent after it, with no transaction open (on
SQLite the write lock is process-wide, and a slow bank must not hold anyone up). The bank's
answer is recorded in a new transaction that cancels the fallback: paid moves the money
from in transit out of the platform (payouts_paid); failed returns it to available. A
transient failure (the bank unreachable, the circuit open) or a crash leaves the fallback
to try again with backoff; the transfer's key (the payout id) makes every retry safe. After
the last attempt a payout stays pending, its money in transit, for an operator to look at.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from typing import Any

import structlog

from emporium.contexts.wallet.events import PayoutFailed, PayoutPaid
from emporium.contexts.wallet.ledger import Cause, account_for, post
from emporium.contexts.wallet.models import AccountKind, Payout, PayoutStatus, TransactionKind
from emporium.contexts.wallet.payout_adapter import (
    PayoutAdapter,
    Transfer,
    TransferResult,
    TransferStatus,
)
from emporium.contexts.wallet.payouts import SEND_JOB, send_job_key
from emporium.kernel import jobs
from emporium.kernel.backoff import retry_delay
from emporium.kernel.errors import ServiceUnavailable
from emporium.kernel.uow import UnitOfWork

log = structlog.get_logger("emporium.wallet.payouts")

MAX_ATTEMPTS = 8


async def record_transfer(uow: UnitOfWork, payout_id: uuid.UUID, result: TransferResult) -> None:
    """Book the bank's answer on a pending payout (once): paid out, or returned to available."""
    payout = await uow.session.get(Payout, payout_id, with_for_update=True, populate_existing=True)
    if payout is None or payout.status != PayoutStatus.PENDING:
        return
    vendor, amount = payout.vendor_id, payout.money
    in_transit = await account_for(uow, AccountKind.PAYOUTS_IN_TRANSIT, vendor, amount.currency)
    cause = Cause.of("payout", payout.id)
    payout.reference = result.reference
    payout.completed_at = uow.clock.now()
    if result.status is TransferStatus.PAID:
        paid = await account_for(uow, AccountKind.PAYOUTS_PAID, None, amount.currency)
        legs = [(in_transit, -amount), (paid, amount)]
        await post(uow, kind=TransactionKind.PAYOUT_PAID, cause=cause, entries=legs)
        payout.status = PayoutStatus.PAID.value
        uow.record(
            PayoutPaid(
                payout_id=payout.id, vendor_id=vendor, amount=amount, reference=result.reference
            )
        )
        return
    available = await account_for(uow, AccountKind.VENDOR_AVAILABLE, vendor, amount.currency)
    legs = [(in_transit, -amount), (available, amount)]
    await post(uow, kind=TransactionKind.PAYOUT_RETURNED, cause=cause, entries=legs)
    payout.status = PayoutStatus.FAILED.value
    payout.failure_reason = result.failure_reason or "failed"
    uow.record(
        PayoutFailed(
            payout_id=payout.id, vendor_id=vendor, amount=amount, reason=payout.failure_reason
        )
    )


class PayoutSender:
    """The `wallet.send_payout` job, and the transfers it has in flight."""

    def __init__(
        self,
        uow: Callable[[], UnitOfWork],
        adapter: PayoutAdapter,
        *,
        retry_base_seconds: float = 1.0,
    ) -> None:
        self._uow = uow
        self.adapter = adapter
        self.retry_base_seconds = retry_base_seconds
        self._sending: set[asyncio.Task[None]] = set()

    async def job(self, payload: dict[str, Any], uow: UnitOfWork) -> None:
        """Job handler: claim one attempt and schedule the fallback; the transfer runs after."""
        payout_id = uuid.UUID(str(payload["payout_id"]))
        payout = await uow.session.get(Payout, payout_id, with_for_update=True)
        if payout is None or payout.status != PayoutStatus.PENDING:
            return
        payout.attempts += 1
        attempt = payout.attempts
        if attempt < MAX_ATTEMPTS:
            await jobs.schedule(
                uow,
                kind=SEND_JOB,
                due_at=uow.clock.now() + retry_delay(attempt, base_seconds=self.retry_base_seconds),
                payload={"payout_id": str(payout_id)},
                key=send_job_key(payout_id, attempt + 1),
            )
        transfer = Transfer(
            key=str(payout.id),
            amount=payout.money,
            iban=payout.iban,
            description=f"Emporium payout {payout.id}",
        )
        task = asyncio.create_task(self._send(payout_id, transfer, attempt))
        self._sending.add(task)
        task.add_done_callback(self._sending.discard)

    async def drain(self) -> None:
        """Wait for the transfers in flight (tests, and a clean shutdown)."""
        while self._sending:
            await asyncio.gather(*list(self._sending), return_exceptions=True)

    async def _send(self, payout_id: uuid.UUID, transfer: Transfer, attempt: int) -> None:
        context = {"payout_id": str(payout_id), "attempt": attempt}
        try:
            result = await self.adapter.send(transfer)
        except ServiceUnavailable as exc:
            if attempt >= MAX_ATTEMPTS:
                log.error("payout_stuck_in_transit", **context, error=exc.message)
            else:
                log.warning("payout_attempt_failed", **context, error=exc.message)
            return
        except Exception:
            log.exception("payout_attempt_crashed", **context)
            return
        try:
            async with self._uow() as uow:
                await record_transfer(uow, payout_id, result)
                await jobs.cancel(uow, key=send_job_key(payout_id, attempt + 1))
                await uow.commit()
        except Exception:
            # The fallback attempt asks the bank again; the same key gets the same answer.
            log.exception("payout_result_not_recorded", **context)
