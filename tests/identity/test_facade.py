"""What other contexts use: attach_vendor (catalog), get_user and find_user_by_email."""

from __future__ import annotations

import uuid

import httpx
import pytest
from fastapi import APIRouter, FastAPI

from emporium.contexts.identity import UserNotFound, attach_vendor, find_user_by_email, get_user
from emporium.kernel.events import read_after
from emporium.kernel.http.auth import SellerPrincipal
from emporium.kernel.runtime import Runtime
from tests.support.auth import AUTH, AuthedUser, register_seller


async def _seller_with_vendor(
    client: httpx.AsyncClient, runtime: Runtime
) -> tuple[AuthedUser, uuid.UUID]:
    """A seller moved to another vendor after signing up (registration attached the first)."""
    seller = await register_seller(client)
    vendor_id = uuid.uuid4()
    async with runtime.uow() as uow:
        await attach_vendor(uow, seller.id, vendor_id)
        await uow.commit()
    return seller, vendor_id


@pytest.fixture
def vendor_probe(app: FastAPI) -> FastAPI:
    router = APIRouter()

    @router.get("/probe/my-vendor")
    async def my_vendor(principal: SellerPrincipal) -> dict[str, str | None]:
        return {"vendor_id": str(principal.vendor_id) if principal.vendor_id else None}

    app.include_router(router)
    return app


async def test_an_attached_vendor_shows_in_me(client: httpx.AsyncClient, runtime: Runtime) -> None:
    seller, vendor_id = await _seller_with_vendor(client, runtime)
    me = (await client.get(f"{AUTH}/me", headers=seller.headers)).json()
    assert me["vendor_id"] == str(vendor_id)


async def test_a_refreshed_token_carries_the_vendor(
    vendor_probe: FastAPI, client: httpx.AsyncClient, runtime: Runtime
) -> None:
    seller, vendor_id = await _seller_with_vendor(client, runtime)
    pair = (
        await client.post(f"{AUTH}/refresh", json={"refresh_token": seller.refresh_token})
    ).json()
    tokens = runtime.services["identity.tokens"]
    assert tokens.decode(pair["access_token"]).vendor_id == vendor_id


async def test_attaching_a_vendor_is_recorded(client: httpx.AsyncClient, runtime: Runtime) -> None:
    seller, vendor_id = await _seller_with_vendor(client, runtime)
    async with runtime.db.read() as session:
        events = await read_after(session, 0, limit=10, types=["identity.vendor_attached"])
    assert [e.aggregate_id for e in events] == [str(seller.id), str(seller.id)]
    assert events[-1].payload["vendor_id"] == str(vendor_id)


async def test_attaching_to_an_unknown_user_fails(runtime: Runtime) -> None:
    async with runtime.uow() as uow:
        with pytest.raises(UserNotFound):
            await attach_vendor(uow, uuid.uuid4(), uuid.uuid4())


async def test_other_contexts_can_look_users_up(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    seller = await register_seller(client, vendor_name="Panel Shop")
    async with runtime.db.read() as session:
        by_id = await get_user(session, seller.id)
        by_email = await find_user_by_email(session, seller.email.upper())
    assert by_id == by_email
    assert by_id is not None
    assert (by_id.role, by_id.vendor_name) == ("seller", "Panel Shop")
