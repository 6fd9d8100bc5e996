"""Refunds against an escrow hold: from escrow before release, from the vendor after it.

Before release the money is still in escrow: a refund moves it from escrow to where the
buyer is paid back (gateway clearing for a card, whose refund the payments context then
sends; or the buyer's wallet). A partial refund splits the hold: the rest stays held and is
released (or refunded) later.

After release the money is the vendor's: the refund takes it back from the vendor, and the
platform returns its commission in proportion (a full refund returns all of it), so the
vendor gives back exactly what it got for that part. If the vendor's available balance does
not cover it, the rest is recorded as the vendor's debt on its `vendor_receivable` account
(the buyer is refunded in full all the same); later releases pay the debt off first. See
docs/wallet.md, "Refunds after release".
"""

from __future__ import annotations

import uuid

from emporium.contexts.wallet.errors import HoldAlreadyResolved, RefundExceedsHold
from emporium.contexts.wallet.escrow import (
    HoldView,
    hold_event_fields,
    hold_metadata,
    load_hold,
    timer_key,
)
from emporium.contexts.wallet.events import Refunded
from emporium.contexts.wallet.ledger import (
    AccountRef,
    Cause,
    account_for,
    find_transaction,
    lock_accounts,
    post,
)
from emporium.contexts.wallet.models import (
    OPEN_HOLD,
    AccountKind,
    EscrowHold,
    HoldStatus,
    TransactionKind,
)
from emporium.contexts.wallet.wallet_payment import positive
from emporium.kernel import jobs
from emporium.kernel.errors import ValidationFailed
from emporium.kernel.money import Money
from emporium.kernel.uow import UnitOfWork

REFUND_KINDS = (TransactionKind.ESCROW_REFUND, TransactionKind.REFUND_AFTER_RELEASE)


async def refund_hold(
    uow: UnitOfWork,
    hold_id: uuid.UUID,
    amount: Money,
    *,
    refund_id: uuid.UUID | str,
    to_wallet_of: uuid.UUID | None = None,
) -> HoldView:
    """Refund part or all of a hold to the buyer (card: via clearing; or a wallet), once per id."""
    positive(amount)
    hold = await load_hold(uow.session, hold_id=hold_id, lock=True)
    cause = Cause.of("refund", refund_id)
    for kind in REFUND_KINDS:
        if await find_transaction(uow.session, kind, cause) is not None:
            return HoldView.of(hold)  # this refund was made before
    if amount.currency != hold.currency:
        raise ValidationFailed(
            "The refund is in another currency than the hold",
            details={"currency": amount.currency, "hold_currency": hold.currency},
        )
    if hold.status == HoldStatus.REFUNDED:
        raise HoldAlreadyResolved(details={"hold_id": str(hold.id), "status": hold.status})
    refundable = hold.amount - hold.refunded_amount
    if amount.amount > refundable:
        raise RefundExceedsHold(
            details={"requested": amount.to_dict(), "refundable": hold.money(refundable).to_dict()}
        )
    to = AccountKind.BUYER_WALLET if to_wallet_of else AccountKind.GATEWAY_CLEARING
    destination = await account_for(uow, to, to_wallet_of, amount.currency)
    if HoldStatus(hold.status) in OPEN_HOLD:
        await _from_escrow(uow, hold, amount, cause, destination)
    else:
        await _from_vendor(uow, hold, amount, cause, destination)
    hold.updated_at = uow.clock.now()
    return HoldView.of(hold)


async def _from_escrow(
    uow: UnitOfWork, hold: EscrowHold, amount: Money, cause: Cause, destination: AccountRef
) -> None:
    escrow = await account_for(uow, AccountKind.ESCROW, hold.vendor_id, amount.currency)
    await post(
        uow,
        kind=TransactionKind.ESCROW_REFUND,
        cause=cause,
        entries=[(escrow, -amount), (destination, amount)],
        metadata=hold_metadata(hold),
    )
    hold.refunded_amount += amount.amount
    if hold.refunded_amount == hold.amount:
        hold.status = HoldStatus.REFUNDED.value
        await jobs.cancel(uow, key=timer_key(hold.id))
    elif hold.status != HoldStatus.DISPUTED:
        hold.status = HoldStatus.PARTIALLY_REFUNDED.value
    zero = Money.zero(amount.currency)
    _record(uow, hold, cause, amount, destination, after_release=False, vendor=zero, debt=zero)


async def _from_vendor(
    uow: UnitOfWork, hold: EscrowHold, amount: Money, cause: Cause, destination: AccountRef
) -> None:
    vendor, currency = hold.vendor_id, amount.currency
    earned = await account_for(uow, AccountKind.PLATFORM_COMMISSION, None, currency)
    available = await account_for(uow, AccountKind.VENDOR_AVAILABLE, vendor, currency)
    receivable = await account_for(uow, AccountKind.VENDOR_RECEIVABLE, vendor, currency)
    balances = await lock_accounts(uow.session, [earned, available, receivable, destination])
    commission = hold.money(_commission_share(hold, amount.amount))
    from_vendor = amount - commission
    from_available = hold.money(min(balances[available.id].amount, from_vendor.amount))
    debt = from_vendor - from_available
    legs = [(earned, -commission), (available, -from_available), (receivable, -debt)]
    await post(
        uow,
        kind=TransactionKind.REFUND_AFTER_RELEASE,
        cause=cause,
        entries=[*((a, m) for a, m in legs if m), (destination, amount)],
        metadata=hold_metadata(hold),
    )
    hold.refunded_amount += amount.amount
    hold.released_amount -= from_vendor.amount
    hold.commission_amount -= commission.amount
    if hold.refunded_amount == hold.amount:
        hold.status = HoldStatus.REFUNDED.value
    _record(
        uow, hold, cause, amount, destination, after_release=True, vendor=from_vendor, debt=debt
    )


def _commission_share(hold: EscrowHold, refund: int) -> int:
    """The commission returned with a refund after release: in proportion, half-up.

    The last refund returns whatever commission is left, so a hold refunded in parts
    returns exactly the commission it paid.
    """
    released = hold.released_amount + hold.commission_amount
    if refund >= released:
        return hold.commission_amount
    share = (2 * hold.commission_amount * refund + released) // (2 * released)
    return min(share, hold.commission_amount)


def _record(
    uow: UnitOfWork,
    hold: EscrowHold,
    cause: Cause,
    amount: Money,
    destination: AccountRef,
    *,
    after_release: bool,
    vendor: Money,
    debt: Money,
) -> None:
    commission = amount - vendor if after_release else vendor
    uow.record(
        Refunded(
            **hold_event_fields(hold),
            refund_id=cause.id,
            amount=amount,
            after_release=after_release,
            to_wallet_of=destination.owner_id,
            vendor_debited=vendor,
            commission_returned=commission,
            debt_recorded=debt,
        )
    )
