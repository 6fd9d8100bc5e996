"""Routes guarded by role admit only those roles (403 for the others, 401 for nobody)."""

from __future__ import annotations

import httpx
import pytest
from fastapi import APIRouter, FastAPI

from emporium.kernel.http.auth import AdminPrincipal, SellerPrincipal
from emporium.kernel.runtime import Runtime
from tests.http.test_envelope import assert_envelope
from tests.support.auth import make_admin, register_buyer, register_seller


@pytest.fixture
def guarded_app(app: FastAPI) -> FastAPI:
    router = APIRouter(prefix="/probe")

    @router.get("/admin-only")
    async def admin_only(principal: AdminPrincipal) -> dict[str, str]:
        return {"user_id": str(principal.user_id)}

    @router.get("/sellers-only")
    async def sellers_only(principal: SellerPrincipal) -> dict[str, str]:
        return {"user_id": str(principal.user_id)}

    app.include_router(router)
    return app


async def test_a_buyer_is_forbidden_an_admin_route(
    guarded_app: FastAPI, client: httpx.AsyncClient
) -> None:
    buyer = await register_buyer(client)
    response = await client.get("/probe/admin-only", headers=buyer.headers)
    assert_envelope(response, 403, "AUTHORIZATION_ERROR")


async def test_an_admin_may_use_an_admin_route(
    guarded_app: FastAPI, client: httpx.AsyncClient, runtime: Runtime
) -> None:
    admin = await make_admin(runtime, client)
    response = await client.get("/probe/admin-only", headers=admin.headers)
    assert response.json() == {"user_id": str(admin.id)}


async def test_a_seller_may_use_a_seller_route_and_a_buyer_may_not(
    guarded_app: FastAPI, client: httpx.AsyncClient
) -> None:
    seller = await register_seller(client)
    buyer = await register_buyer(client)
    assert (await client.get("/probe/sellers-only", headers=seller.headers)).status_code == 200
    response = await client.get("/probe/sellers-only", headers=buyer.headers)
    assert_envelope(response, 403, "AUTHORIZATION_ERROR")


async def test_nobody_is_unauthenticated_not_forbidden(
    guarded_app: FastAPI, client: httpx.AsyncClient
) -> None:
    assert_envelope(await client.get("/probe/admin-only"), 401, "AUTHENTICATION_ERROR")
