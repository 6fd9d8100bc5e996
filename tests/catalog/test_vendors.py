"""A seller's vendor starts pending; admins approve or suspend it; the store follows at once."""

from __future__ import annotations

import httpx

from tests.support.auth import AuthedUser, register_buyer, register_seller
from tests.support.catalog import approved_seller, create_product, published_product


async def test_a_registered_seller_has_a_pending_vendor(client: httpx.AsyncClient) -> None:
    seller = await register_seller(client, vendor_name="Dice & Dragons")
    response = await client.get("/api/v1/seller/vendor", headers=seller.headers)
    assert response.status_code == 200
    vendor = response.json()
    assert vendor["name"] == "Dice & Dragons"
    assert vendor["status"] == "pending"
    assert vendor["commission_rate"] == 0.1
    me = (await client.get("/api/v1/auth/me", headers=seller.headers)).json()
    assert me["vendor_id"] == vendor["id"]


async def test_a_pending_vendor_can_edit_but_not_publish(
    client: httpx.AsyncClient,
) -> None:
    seller = await register_seller(client)
    product = await create_product(client, seller)
    response = await client.post(
        f"/api/v1/seller/products/{product['id']}/publish", headers=seller.headers
    )
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "INVALID_STATE_TRANSITION"


async def test_admin_approves_a_vendor_and_its_products_can_go_live(
    client: httpx.AsyncClient, admin: AuthedUser
) -> None:
    seller = await approved_seller(client, admin)
    product = await published_product(client, seller)
    response = await client.get(f"/api/v1/store/products/{product['slug']}")
    assert response.status_code == 200
    assert response.json()["vendor"]["name"] == "KeyVault Comics"


async def test_suspending_a_vendor_hides_its_products_at_once(
    client: httpx.AsyncClient, admin: AuthedUser
) -> None:
    seller = await approved_seller(client, admin)
    product = await published_product(client, seller)
    vendor_id = (await client.get("/api/v1/seller/vendor", headers=seller.headers)).json()["id"]
    assert (await client.get(f"/api/v1/store/products/{product['id']}")).status_code == 200

    response = await client.post(
        f"/api/v1/admin/vendors/{vendor_id}/suspend",
        json={"reason": "fraud report"},
        headers=admin.headers,
    )
    assert response.status_code == 200
    assert response.json()["status"] == "suspended"
    assert (await client.get(f"/api/v1/store/products/{product['id']}")).status_code == 404
    listing = (await client.get("/api/v1/store/products")).json()
    assert listing["items"] == []


async def test_admin_lists_vendors_by_status(client: httpx.AsyncClient, admin: AuthedUser) -> None:
    await approved_seller(client, admin, vendor_name="Approved One")
    await register_seller(client, vendor_name="Waiting One")
    pending = (
        await client.get("/api/v1/admin/vendors?status=pending", headers=admin.headers)
    ).json()
    assert [v["name"] for v in pending["items"]] == ["Waiting One"]


async def test_admin_sets_a_vendor_commission_rate(
    client: httpx.AsyncClient, admin: AuthedUser
) -> None:
    seller = await register_seller(client)
    vendor_id = (await client.get("/api/v1/seller/vendor", headers=seller.headers)).json()["id"]
    response = await client.patch(
        f"/api/v1/admin/vendors/{vendor_id}",
        json={"commission_rate": "0.0850"},
        headers=admin.headers,
    )
    assert response.status_code == 200
    assert response.json()["commission_rate"] == 0.085


async def test_buyers_cannot_reach_vendor_administration(client: httpx.AsyncClient) -> None:
    buyer = await register_buyer(client)
    response = await client.get("/api/v1/admin/vendors", headers=buyer.headers)
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "AUTHORIZATION_ERROR"
    response = await client.get("/api/v1/seller/vendor", headers=buyer.headers)
    assert response.status_code == 403
