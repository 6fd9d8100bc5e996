"""The saga's payment steps: charge the card (or the wallet) with no transaction open.

Every gateway call carries the step's idempotency key, so a retry after a crash gets the
first charge back instead of making a second one. A 3-D Secure card rests the saga until the
gateway's signed webhook (or the deadline, EMPORIUM_PAYMENT_TIMEOUT_SECONDS).
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from emporium.contexts import payments, wallet
from emporium.contexts.checkout.models import CheckoutState, PaymentChoice
from emporium.contexts.checkout.plan import Plan
from emporium.contexts.checkout.progress import checkout_id_of, move_fenced
from emporium.kernel.errors import PaymentFailed
from emporium.kernel.events import StoredEvent
from emporium.kernel.money import Money
from emporium.kernel.saga import StepContext, StepFailed, Wait, WaitFor

Status = payments.PaymentStatus
PAID = (Status.CAPTURED, Status.AUTHORIZED)
UNDO_BY_VOID = (Status.REQUIRES_ACTION, Status.AUTHORIZED)
UNDO_BY_REFUND = (Status.CAPTURED, Status.PARTIALLY_REFUNDED)


class PaymentUndecided(Exception):
    """The gateway has not answered yet (an outage): the engine retries the step, same key."""


def _declined(outcome: payments.PaymentOutcome) -> StepFailed:
    reason = outcome.reason or "declined"
    return StepFailed("PAYMENT_FAILED", "The payment was declined", {"reason": reason})


def _failed_event(event: StoredEvent) -> StepFailed:
    reason = str(event.payload.get("reason") or "declined")
    return StepFailed("PAYMENT_FAILED", "The payment was not confirmed", {"reason": reason})


def payment_deadline(ctx: StepContext) -> timedelta:
    return timedelta(seconds=ctx.runtime.settings.payment_timeout_seconds)


WAIT_FOR_CONFIRMATION = WaitFor(
    payments.PaymentSucceeded.type,
    failure_types=[payments.PaymentFailed.type],
    deadline=payment_deadline,
    correlation_field="reference",
    on_failure=_failed_event,
    timeout_code="PAYMENT_TIMEOUT",
)


async def take_payment(ctx: StepContext) -> dict[str, Any] | Wait:
    """PAYMENT_PENDING, then the charge; a decline fails the saga, 3-D Secure makes it wait."""
    await move_fenced(ctx, CheckoutState.PAYMENT_PENDING)
    amount = Plan.of(ctx.data["plan"]).total
    if not amount:
        return {"payment_id": None}
    if ctx.data["payment"]["method"] == PaymentChoice.WALLET:
        return await _pay_from_wallet(ctx, amount)
    outcome = await payments.take_payment(
        ctx.runtime,
        owner_id=checkout_id_of(ctx),
        amount=amount,
        key=ctx.idempotency_key,
        token=ctx.data["payment"].get("token"),
    )
    result = {"payment_id": str(outcome.id), "payment_reference": outcome.reference}
    if outcome.status is Status.FAILED:
        raise _declined(outcome)
    if outcome.status is Status.REQUIRES_ACTION and outcome.reference:
        await move_fenced(
            ctx,
            CheckoutState.PAYMENT_PENDING,
            payment_id=outcome.id,
            payment_reference=outcome.reference,
        )
        return Wait(correlation=outcome.reference, result=result)
    if outcome.status in PAID:
        return result
    raise PaymentUndecided(f"payment {outcome.id} is {outcome.status}")


async def _pay_from_wallet(ctx: StepContext, amount: Money) -> dict[str, Any]:
    cause = wallet.Cause.of("checkout", checkout_id_of(ctx))
    try:
        async with ctx.effect() as uow:
            await wallet.pay_from_wallet(
                uow, buyer_id=uuid.UUID(ctx.data["buyer_id"]), amount=amount, cause=cause
            )
    except PaymentFailed as exc:
        raise StepFailed(exc.code, exc.message, exc.details) from None
    return {"payment_id": None, "paid_from_wallet": True}


async def undo_payment(ctx: StepContext) -> dict[str, Any]:
    """Refund a capture, void a pending authorization; nothing paid, nothing to undo."""
    if ctx.data["payment"]["method"] == PaymentChoice.WALLET:
        return await _return_to_wallet(ctx)
    async with ctx.runtime.db.read() as session:
        outcome = await payments.payment_for(session, checkout_id_of(ctx))
    if outcome is not None and outcome.status is Status.PENDING:
        # The forward call was cut off before our record of its answer: ask again (same key).
        outcome = await payments.take_payment(
            ctx.runtime,
            owner_id=checkout_id_of(ctx),
            amount=outcome.amount,
            key=ctx.action_key,
            token=ctx.data["payment"].get("token"),
        )
    if outcome is None or outcome.status not in (*UNDO_BY_VOID, *UNDO_BY_REFUND):
        return {"action": "none"}
    if outcome.status in UNDO_BY_VOID:
        await payments.void(ctx.runtime, payment_id=outcome.id, key=ctx.idempotency_key)
        return {"action": "void", "payment_id": str(outcome.id)}
    await payments.refund(
        ctx.runtime, payment_id=outcome.id, key=ctx.idempotency_key, reason="checkout failed"
    )
    return {"action": "refund", "payment_id": str(outcome.id)}


async def _return_to_wallet(ctx: StepContext) -> dict[str, Any]:
    cause = wallet.Cause.of("checkout", checkout_id_of(ctx))
    async with ctx.effect() as uow:
        paid = await wallet.find_transaction(
            uow.session, wallet.TransactionKind.WALLET_PAYMENT, cause
        )
        if paid is None:
            return {"action": "none"}
        amount = Plan.of(ctx.data["plan"]).total
        await wallet.return_wallet_payment(
            uow, buyer_id=uuid.UUID(ctx.data["buyer_id"]), amount=amount, cause=cause
        )
    return {"action": "refund"}


async def confirm_payment(ctx: StepContext) -> dict[str, Any]:
    """PAYMENT_CONFIRMED: the money is ours (at once, or by the gateway's webhook)."""
    payment_id = ctx.data.get("payment_id")
    await move_fenced(
        ctx,
        CheckoutState.PAYMENT_CONFIRMED,
        payment_id=uuid.UUID(payment_id) if payment_id else None,
    )
    return {}
