"""Start a checkout: hold the cart, record the checkout under its Idempotency-Key, run the saga.

The checkout row, the cart's `checking_out` status and the saga's first row commit together,
so a retry with the same key (after a timeout, a crash, or at the same moment) finds this
checkout and its one saga, never a second order. The saga is then driven within the request
as far as it goes: to the end, or to a 3-D Secure wait (202).
"""

from __future__ import annotations

import contextlib
import uuid
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy import select

from emporium.contexts import cart, shipping
from emporium.contexts.checkout.errors import EmptyCart
from emporium.contexts.checkout.events import CheckoutStarted
from emporium.contexts.checkout.models import Checkout, CheckoutState, PaymentChoice
from emporium.contexts.checkout.place_order import PLACE_ORDER, saga_key
from emporium.contexts.checkout.queries import checkout_read
from emporium.contexts.checkout.schemas import CardPayment, CheckoutCreate, CheckoutRead
from emporium.kernel import saga
from emporium.kernel.errors import IdempotencyKeyInUse, InvalidStateTransition
from emporium.kernel.http.auth import BuyerPrincipal
from emporium.kernel.http.deps import RuntimeDep
from emporium.kernel.http.idempotency import IdempotencyKeyHeader
from emporium.kernel.ids import new_id
from emporium.kernel.money import Money
from emporium.kernel.runtime import Runtime
from emporium.kernel.uow import UnitOfWork
from emporium.kernel.upsert import insert_if_absent


@dataclass(frozen=True)
class StartCheckout:
    buyer_id: uuid.UUID
    idempotency_key: str
    cart_id: uuid.UUID
    address: dict[str, Any]
    shipping_method_id: uuid.UUID
    payment_method: PaymentChoice
    token: str | None = None


async def _existing(uow: UnitOfWork, cmd: StartCheckout) -> Checkout | None:
    found: Checkout | None = await uow.session.scalar(
        select(Checkout).where(
            Checkout.buyer_id == cmd.buyer_id, Checkout.idempotency_key == cmd.idempotency_key
        )
    )
    return found


async def _check_destination(uow: UnitOfWork, cmd: StartCheckout, currency: str) -> None:
    """A method that does not exist or does not ship there is a 404/422 now, not a saga."""
    # No rate at weight 0 is no verdict: the cart's real weight decides, in the saga.
    with contextlib.suppress(shipping.NoRateForCart):
        await shipping.quote(
            uow.session,
            method_id=cmd.shipping_method_id,
            country=str(cmd.address["country"]),
            weight_grams=0,
            subtotal=Money.zero(currency),
        )


async def open_checkout(uow: UnitOfWork, cmd: StartCheckout) -> Checkout:
    """The checkout of this key: the one recorded before, or a new one holding the cart."""
    existing = await _existing(uow, cmd)
    if existing is not None:
        return existing
    try:
        currency, lines = await cart.hold_for_checkout(uow, cmd.cart_id, buyer_id=cmd.buyer_id)
    except InvalidStateTransition:
        # A concurrent retry with this key held the cart first: its checkout is ours.
        existing = await _existing(uow, cmd)
        if existing is not None:
            return existing
        raise
    if not lines:
        raise EmptyCart(details={"cart_id": str(cmd.cart_id)})
    await _check_destination(uow, cmd, currency)
    return await _insert(uow, cmd, currency)


async def _insert(uow: UnitOfWork, cmd: StartCheckout, currency: str) -> Checkout:
    checkout_id = new_id()
    address = {**cmd.address, "country": str(cmd.address["country"]).upper()}
    saga_id = await saga.begin(
        uow,
        PLACE_ORDER,
        key=saga_key(checkout_id),
        data={
            "checkout_id": checkout_id,
            "buyer_id": cmd.buyer_id,
            "cart_id": cmd.cart_id,
            "currency": currency,
            "address": address,
            "method_id": cmd.shipping_method_id,
            "payment": {"method": cmd.payment_method.value, "token": cmd.token},
        },
    )
    now = uow.clock.now()
    values = {
        "id": checkout_id,
        "buyer_id": cmd.buyer_id,
        "idempotency_key": cmd.idempotency_key,
        "cart_id": cmd.cart_id,
        "saga_id": saga_id,
        "state": CheckoutState.CREATED.value,
        "currency": currency,
        "shipping_address": address,
        "shipping_method_id": cmd.shipping_method_id,
        "payment_method": cmd.payment_method.value,
        "created_at": now,
        "updated_at": now,
    }
    if not await insert_if_absent(uow.session, Checkout, values):
        raise IdempotencyKeyInUse(details={"idempotency_key": cmd.idempotency_key})
    uow.record(
        CheckoutStarted(id=checkout_id, buyer_id=cmd.buyer_id, cart_id=cmd.cart_id, saga_id=saga_id)
    )
    row = await uow.session.get(Checkout, checkout_id)
    assert row is not None
    return row


async def start_checkout(runtime: Runtime, cmd: StartCheckout) -> Checkout:
    """Open (or find) the checkout and drive its saga as far as it goes now."""
    async with runtime.uow() as uow:
        row = await open_checkout(uow, cmd)
        checkout_id, saga_id = row.id, row.saga_id
        await uow.commit()
    await saga.run(runtime, saga_id)  # never inside a unit of work: the engine opens its own
    async with runtime.db.read() as session:
        fresh = await session.get(Checkout, checkout_id)
    assert fresh is not None
    return fresh


router = APIRouter(tags=["checkout"])


@router.post(
    "/store/checkouts",
    status_code=201,
    response_model=CheckoutRead,
    responses={202: {"model": CheckoutRead, "description": "Waiting for 3-D Secure"}},
)
async def post_checkout(
    body: CheckoutCreate,
    principal: BuyerPrincipal,
    idempotency_key: IdempotencyKeyHeader,
    runtime: RuntimeDep,
) -> JSONResponse:
    cmd = StartCheckout(
        buyer_id=principal.user_id,
        idempotency_key=idempotency_key,
        cart_id=body.cart_id,
        address=body.shipping_address.model_dump(),
        shipping_method_id=body.shipping_method_id,
        payment_method=PaymentChoice(body.payment.method),
        token=body.payment.token if isinstance(body.payment, CardPayment) else None,
    )
    read = await checkout_read(runtime, await start_checkout(runtime, cmd))
    content = read.model_dump(mode="json", exclude_none=True)
    content.setdefault("order_id", None)
    finished = CheckoutState(read.state).finished
    return JSONResponse(content, status_code=201 if finished else 202)
