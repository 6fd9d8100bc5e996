"""Merge a guest's cart into the buyer's at login (or on request): lines move with their holds.

Lines are re-owned, never released and reserved again, so no unit is lost to another buyer
or counted twice in between. A line moves as it is (its reservation's owner is the line, and
the line keeps its id). When both carts have the variant, the two holds become one: both
active → the guest's units join the buyer's hold; one active → that one is kept. The line
then asks for the sum; if the stock is short it keeps what is held and the rest is reported.
With no cart of their own, the buyer simply takes the guest cart over.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass

from fastapi import APIRouter, Request
from sqlalchemy import select

from emporium.contexts import inventory
from emporium.contexts.cart.access import (
    CART_TOKEN_HEADER,
    Caller,
    CallerDep,
    cart_for_update,
    hash_token,
)
from emporium.contexts.cart.events import CartMerged
from emporium.contexts.cart.lines import MAX_QUANTITY, OWNER_TYPE, hold, lines_of
from emporium.contexts.cart.models import Cart, CartDiscountCode, CartLine, CartStatus
from emporium.contexts.cart.queries import cart_read, codes_of
from emporium.contexts.cart.schemas import CartMergedRead, MergeConflictRead
from emporium.kernel.http.auth import BuyerPrincipal
from emporium.kernel.http.deps import RuntimeDep
from emporium.kernel.uow import UnitOfWork

router = APIRouter(tags=["cart"])

LoginHook = Callable[[UnitOfWork, uuid.UUID, Request], Awaitable[None]]


@dataclass(frozen=True)
class MergeConflict:
    """A variant in both carts whose summed quantity could not be held in full."""

    variant_id: uuid.UUID
    requested: int
    quantity: int
    reserved: int


@dataclass(frozen=True)
class MergeResult:
    cart_id: uuid.UUID
    conflicts: list[MergeConflict]


async def merge_guest_cart(
    uow: UnitOfWork, guest: Cart, *, user_id: uuid.UUID, ttl_seconds: int
) -> MergeResult:
    """Move a (locked, active) guest cart's lines into the buyer's newest active cart."""
    target = await uow.session.scalar(
        select(Cart)
        .where(Cart.user_id == user_id, Cart.status == CartStatus.ACTIVE, Cart.id != guest.id)
        .order_by(Cart.id.desc())
        .limit(1)
        .with_for_update()
    )
    now = uow.clock.now()
    if target is None:
        guest.user_id, guest.token_hash, guest.updated_at = user_id, None, now
        uow.record(
            CartMerged(cart_id=guest.id, into_cart_id=guest.id, user_id=user_id, moved_items=0)
        )
        return MergeResult(guest.id, [])
    # Bundle lines move as they are: their units and price belong to their bundle.
    theirs = {
        line.variant_id: line
        for line in await lines_of(uow.session, target.id)
        if line.bundle_group_id is None
    }
    conflicts, moved = [], 0
    # Variant order: the order every multi-variant writer locks stock in.
    for line in sorted(await lines_of(uow.session, guest.id), key=lambda line: line.variant_id):
        kept = theirs.get(line.variant_id) if line.bundle_group_id is None else None
        if kept is None:
            line.cart_id, line.updated_at = target.id, now
            moved += 1
            continue
        conflict = await _combine(uow, kept, line, ttl_seconds=ttl_seconds)
        if conflict is not None:
            conflicts.append(conflict)
        await uow.session.delete(line)
    await _move_codes(uow, guest.id, target.id)
    guest.status, guest.merged_into_id, guest.updated_at = CartStatus.MERGED, target.id, now
    target.updated_at = now
    uow.record(
        CartMerged(
            cart_id=guest.id,
            into_cart_id=target.id,
            user_id=user_id,
            moved_items=moved,
            conflicts=[asdict(c) for c in conflicts],
        )
    )
    return MergeResult(target.id, conflicts)


async def _move_codes(uow: UnitOfWork, source_id: uuid.UUID, target_id: uuid.UUID) -> None:
    """The guest's entered codes join the buyer's cart (each once)."""
    have = set(await codes_of(uow.session, target_id))
    for code in await codes_of(uow.session, source_id):
        if code not in have:
            uow.session.add(
                CartDiscountCode(cart_id=target_id, code=code, added_at=uow.clock.now())
            )


async def _combine(
    uow: UnitOfWork, kept: CartLine, extra: CartLine, *, ttl_seconds: int
) -> MergeConflict | None:
    """Fold extra into kept (same variant); the conflict when the sum cannot be held."""
    holds = await inventory.reservations(
        uow.session, [r for r in (kept.reservation_id, extra.reservation_id) if r]
    )
    active = inventory.ReservationStatus.ACTIVE
    ours = holds.get(kept.reservation_id) if kept.reservation_id else None
    theirs = holds.get(extra.reservation_id) if extra.reservation_id else None
    ours = ours if ours and ours.status == active else None
    theirs = theirs if theirs and theirs.status == active else None
    if ours and theirs:
        ours = await inventory.merge_reservations(uow, source_id=theirs.id, target_id=ours.id)
    elif theirs:
        ours = await inventory.transfer(uow, theirs.id, owner_type=OWNER_TYPE, owner_id=kept.id)
        kept.reservation_id = ours.id
    requested = kept.quantity + extra.quantity
    wanted = min(requested, MAX_QUANTITY)
    held = ours.quantity if ours else 0
    try:
        await hold(uow, kept, wanted, ttl_seconds=ttl_seconds)
    except inventory.InsufficientInventory:
        kept.quantity = held or kept.quantity
        return MergeConflict(kept.variant_id, requested, kept.quantity, held)
    kept.quantity, kept.updated_at = wanted, uow.clock.now()
    if wanted < requested:
        return MergeConflict(kept.variant_id, requested, wanted, wanted)
    return None


def login_hook(ttl_seconds: int) -> LoginHook:
    """Identity calls this at login: a guest cart sent as X-Cart-Token joins the buyer's."""

    async def merge_on_login(uow: UnitOfWork, user_id: uuid.UUID, request: Request) -> None:
        token = request.headers.get(CART_TOKEN_HEADER)
        if not token:
            return
        guest = await uow.session.scalar(
            select(Cart)
            .where(
                Cart.token_hash == hash_token(token),
                Cart.user_id.is_(None),
                Cart.status == CartStatus.ACTIVE,
            )
            .with_for_update()
        )
        if guest is not None:
            await merge_guest_cart(uow, guest, user_id=user_id, ttl_seconds=ttl_seconds)

    return merge_on_login


@router.post("/store/carts/{cart_id}/merge", response_model=CartMergedRead)
async def post_merge(
    cart_id: str,
    principal: BuyerPrincipal,
    caller: CallerDep,
    runtime: RuntimeDep,
) -> CartMergedRead:
    """Merge the guest cart cart_id (its X-Cart-Token required) into the caller's cart."""
    async with runtime.uow() as uow:
        guest = await cart_for_update(uow, cart_id, Caller(token=caller.token))
        result = await merge_guest_cart(
            uow,
            guest,
            user_id=principal.user_id,
            ttl_seconds=runtime.settings.reservation_ttl_seconds,
        )
        await uow.commit()
    view = await cart_read(runtime, result.cart_id)
    return CartMergedRead(
        **view.model_dump(),
        conflicts=[MergeConflictRead(**asdict(c)) for c in result.conflicts],
    )
