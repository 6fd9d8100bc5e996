"""Discount codes on a cart: a code goes on only if it takes something off now (409 with
the reason otherwise); once on, every read says whether it still applies and why not."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import APIRouter
from sqlalchemy import delete, select

from emporium.contexts import pricing
from emporium.contexts.cart.access import Caller, CallerDep, cart_for_update
from emporium.contexts.cart.errors import DiscountCodeNotOnCart
from emporium.contexts.cart.events import CartDiscountCodeAdded, CartDiscountCodeRemoved
from emporium.contexts.cart.models import Cart, CartDiscountCode
from emporium.contexts.cart.queries import cart_read, load_contents
from emporium.contexts.cart.schemas import CartRead, DiscountCodeIn
from emporium.contexts.cart.totals import pricing_input
from emporium.kernel.http.deps import RuntimeDep
from emporium.kernel.uow import UnitOfWork

router = APIRouter(tags=["cart"])


@dataclass(frozen=True)
class EnterCode:
    cart_id: str
    code: str
    caller: Caller


async def enter_code(uow: UnitOfWork, cmd: EnterCode, *, country: str) -> Cart:
    """Put a code on the cart if it applies to it now; entering it again changes nothing."""
    cart = await cart_for_update(uow, cmd.cart_id, cmd.caller)
    code = pricing.normalize_code(cmd.code)
    if await _entered(uow, cart, code) is not None:
        return cart
    now = uow.clock.now()
    data = await pricing_input(
        uow.session, await load_contents(uow.session, cart), country=country, now=now
    )
    await pricing.check_code(uow.session, code, data)
    uow.session.add(CartDiscountCode(cart_id=cart.id, code=code, added_at=now))
    cart.updated_at = now
    uow.record(CartDiscountCodeAdded(cart_id=cart.id, code=code))
    return cart


async def remove_code(uow: UnitOfWork, cmd: EnterCode) -> Cart:
    """Take a code off the cart (404 when it is not on it)."""
    cart = await cart_for_update(uow, cmd.cart_id, cmd.caller)
    code = pricing.normalize_code(cmd.code)
    if await _entered(uow, cart, code) is None:
        raise DiscountCodeNotOnCart(details={"code": code})
    await uow.session.execute(
        delete(CartDiscountCode).where(
            CartDiscountCode.cart_id == cart.id, CartDiscountCode.code == code
        )
    )
    cart.updated_at = uow.clock.now()
    uow.record(CartDiscountCodeRemoved(cart_id=cart.id, code=code))
    return cart


async def _entered(uow: UnitOfWork, cart: Cart, code: str) -> str | None:
    found: str | None = await uow.session.scalar(
        select(CartDiscountCode.code).where(
            CartDiscountCode.cart_id == cart.id, CartDiscountCode.code == code
        )
    )
    return found


@router.post("/store/carts/{cart_id}/discounts", status_code=201, response_model=CartRead)
async def post_discount(
    cart_id: str, body: DiscountCodeIn, caller: CallerDep, runtime: RuntimeDep
) -> CartRead:
    async with runtime.uow() as uow:
        cart = await enter_code(
            uow, EnterCode(cart_id, body.code, caller), country=runtime.settings.default_country
        )
        await uow.commit()
    return await cart_read(runtime, cart.id)


@router.delete("/store/carts/{cart_id}/discounts/{code}", response_model=CartRead)
async def delete_discount(
    cart_id: str, code: str, caller: CallerDep, runtime: RuntimeDep
) -> CartRead:
    async with runtime.uow() as uow:
        cart = await remove_code(uow, EnterCode(cart_id, code, caller))
        await uow.commit()
    return await cart_read(runtime, cart.id)
