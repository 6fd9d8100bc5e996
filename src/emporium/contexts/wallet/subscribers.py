"""The wallet's reactions: top-ups paid (or failed) later, and the daily balance check."""

from __future__ import annotations

import uuid
from typing import Any

import structlog

from emporium.contexts import payments
from emporium.contexts.wallet.queries import check_balances, trial_balance
from emporium.contexts.wallet.top_up import PaymentNews, settle_top_up
from emporium.kernel.events import StoredEvent
from emporium.kernel.registry import Subscriber
from emporium.kernel.uow import UnitOfWork

log = structlog.get_logger("emporium.wallet")

TOP_UPS = "wallet.top_ups"
CHECK_JOB = "wallet.check_ledger"

_STATUS_OF = {
    payments.PaymentCaptured.type: payments.PaymentStatus.CAPTURED,
    payments.PaymentSucceeded.type: payments.PaymentStatus.CAPTURED,
    payments.PaymentFailed.type: payments.PaymentStatus.FAILED,
    payments.PaymentVoided.type: payments.PaymentStatus.VOIDED,
}


def top_ups() -> Subscriber:
    """Credit (or fail) a top-up when its payment's outcome arrives by event."""

    async def handle(event: StoredEvent, uow: UnitOfWork) -> None:
        data = event.payload
        news = PaymentNews(
            payment_id=uuid.UUID(str(data["id"])),
            status=_STATUS_OF[event.type],
            reference=data.get("reference"),
            reason=data.get("reason"),
        )
        # The payment's owner is the top-up; any other payment is not ours and is skipped.
        await settle_top_up(uow, uuid.UUID(str(data["owner_id"])), news)

    return Subscriber(name=TOP_UPS, handle=handle, types=list(_STATUS_OF))


async def check_ledger_job(payload: dict[str, Any], uow: UnitOfWork) -> None:
    """The daily check: every balance is the sum of its entries; every currency sums to zero."""
    mismatches = await check_balances(uow.session)
    for bad in mismatches:
        log.error(
            "ledger_balance_mismatch",
            account_id=str(bad.account_id),
            account=bad.code,
            balance=bad.balance,
            entries_sum=bad.entries_sum,
        )
    unbalanced = {c: t for c, t in (await trial_balance(uow.session)).items() if t}
    if unbalanced:
        log.error("ledger_trial_balance_not_zero", totals=unbalanced)
    if not mismatches and not unbalanced:
        log.info("ledger_checked")
