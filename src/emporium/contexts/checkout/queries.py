"""The read side: a checkout as its buyer sees it, with its saga's steps and compensations."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter
from sqlalchemy.ext.asyncio import AsyncSession

from emporium.contexts.checkout.errors import CheckoutNotFound
from emporium.contexts.checkout.models import Checkout, CheckoutState
from emporium.contexts.checkout.place_order import COMPENSATION_ACTIONS
from emporium.contexts.checkout.schemas import (
    CheckoutRead,
    CompensationRead,
    FailureRead,
    PaymentRead,
    StepRead,
)
from emporium.kernel import saga
from emporium.kernel.http.auth import BuyerPrincipal
from emporium.kernel.http.deps import RuntimeDep
from emporium.kernel.ids import parse_id
from emporium.kernel.runtime import Runtime


async def checkout_of(
    session: AsyncSession, checkout_id: uuid.UUID | str, *, buyer_id: uuid.UUID
) -> Checkout:
    """The buyer's checkout; 404 for an unknown id or another buyer's."""
    key = parse_id(checkout_id)
    row = await session.get(Checkout, key) if key else None
    if row is None or row.buyer_id != buyer_id:
        raise CheckoutNotFound()
    return row


def _compensations(state: saga.SagaState) -> list[CompensationRead]:
    undone = [
        step
        for step in state.steps
        if step.phase is saga.Phase.COMPENSATE and step.name in COMPENSATION_ACTIONS
    ]
    return [
        CompensationRead(
            step=step.name,
            action=str((step.result or {}).get("action") or COMPENSATION_ACTIONS[step.name]),
            status=str(step.status),
        )
        for step in undone
    ]


def _failure(row: Checkout, state: saga.SagaState | None) -> FailureRead | None:
    reason: dict[str, Any] | None = row.failure
    if reason is None and state is not None and state.finished and state.failure:
        reason = state.failure  # the last compensation has not recorded it yet
    if reason is None:
        return None
    return FailureRead(
        code=str(reason.get("code")),
        message=str(reason.get("message")),
        details=dict(reason.get("details") or {}),
        compensations=_compensations(state) if state else [],
    )


async def checkout_read(
    runtime: Runtime, row: Checkout, *, with_steps: bool = False
) -> CheckoutRead:
    """The checkout's answer: its state, order, failure, and pending payment or steps."""
    state = await saga.get_saga(runtime, row.saga_id)
    current = CheckoutState(row.state)
    if state is not None and state.finished and state.status is not saga.SagaStatus.COMPLETED:
        current = CheckoutState.FAILED
    payment = None
    if current is CheckoutState.PAYMENT_PENDING and row.payment_reference:
        payment = PaymentRead(reference=row.payment_reference, status="requires_action")
    steps = None
    if with_steps and state is not None:
        steps = [
            StepRead(
                name=step.name, status=str(step.status), at=step.finished_at or step.started_at
            )
            for step in state.steps
            if step.phase is saga.Phase.FORWARD
        ]
    return CheckoutRead(
        id=row.id,
        state=current.value,
        order_id=row.order_id,
        failure=_failure(row, state) if current is CheckoutState.FAILED else None,
        payment=payment,
        steps=steps,
    )


router = APIRouter(tags=["checkout"])


@router.get(
    "/store/checkouts/{checkout_id}", response_model=CheckoutRead, response_model_exclude_none=True
)
async def get_checkout(
    checkout_id: str, principal: BuyerPrincipal, runtime: RuntimeDep
) -> CheckoutRead:
    async with runtime.db.read() as session:
        row = await checkout_of(session, checkout_id, buyer_id=principal.user_id)
    return await checkout_read(runtime, row, with_steps=True)
