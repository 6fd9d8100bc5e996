"""Admins shape the category tree and curate collections; the store reads them."""

from __future__ import annotations

import httpx

from tests.support.auth import AuthedUser
from tests.support.catalog import approved_seller, create_product, published_product


async def test_categories_form_a_tree_the_store_can_read(
    client: httpx.AsyncClient, admin: AuthedUser
) -> None:
    root = (
        await client.post(
            "/api/v1/admin/categories", json={"name": "Comics"}, headers=admin.headers
        )
    ).json()
    child = (
        await client.post(
            "/api/v1/admin/categories",
            json={"name": "Graded Comics", "parent_id": root["id"]},
            headers=admin.headers,
        )
    ).json()
    assert root["slug"] == "comics"
    assert child["slug"] == "graded-comics"
    items = (await client.get("/api/v1/store/categories")).json()["items"]
    by_slug = {c["slug"]: c for c in items}
    assert by_slug["graded-comics"]["parent_id"] == root["id"]
    assert by_slug["comics"]["parent_id"] is None


async def test_moving_a_category_moves_its_subtree(
    client: httpx.AsyncClient, admin: AuthedUser
) -> None:
    async def create(name: str, parent: str | None = None) -> str:
        response = await client.post(
            "/api/v1/admin/categories",
            json={"name": name, "parent_id": parent},
            headers=admin.headers,
        )
        return str(response.json()["id"])

    games = await create("Games")
    board = await create("Board", games)
    await create("Strategy", board)
    toys = await create("Toys")
    seller = await approved_seller(client, admin)
    strategy_id = next(
        c["id"]
        for c in (await client.get("/api/v1/store/categories")).json()["items"]
        if c["slug"] == "strategy"
    )
    await published_product(client, seller, title="Catan", category_id=strategy_id)
    response = await client.patch(
        f"/api/v1/admin/categories/{board}", json={"parent_id": toys}, headers=admin.headers
    )
    assert response.status_code == 200
    listing = (await client.get("/api/v1/store/products?category=toys")).json()
    assert [p["title"] for p in listing["items"]] == ["Catan"]
    assert (await client.get("/api/v1/store/products?category=games")).json()["items"] == []


async def test_a_category_cannot_move_under_its_own_descendant(
    client: httpx.AsyncClient, admin: AuthedUser
) -> None:
    parent = (
        await client.post("/api/v1/admin/categories", json={"name": "A"}, headers=admin.headers)
    ).json()
    child = (
        await client.post(
            "/api/v1/admin/categories",
            json={"name": "B", "parent_id": parent["id"]},
            headers=admin.headers,
        )
    ).json()
    response = await client.patch(
        f"/api/v1/admin/categories/{parent['id']}",
        json={"parent_id": child["id"]},
        headers=admin.headers,
    )
    assert response.status_code == 422


async def test_only_admins_create_categories(client: httpx.AsyncClient, admin: AuthedUser) -> None:
    seller = await approved_seller(client, admin)
    response = await client.post(
        "/api/v1/admin/categories", json={"name": "Mine"}, headers=seller.headers
    )
    assert response.status_code == 403


async def test_collections_group_products_for_the_store(
    client: httpx.AsyncClient, admin: AuthedUser
) -> None:
    seller = await approved_seller(client, admin)
    key = await published_product(client, seller, title="Hulk #181")
    hidden = await create_product(client, seller, title="Draft Key")
    response = await client.post(
        "/api/v1/admin/collections",
        json={
            "title": "Key Issues",
            "description": "First appearances",
            "product_ids": [key["id"], hidden["id"]],
        },
        headers=admin.headers,
    )
    assert response.status_code == 201, response.text
    collection = response.json()
    assert collection["slug"] == "key-issues"
    assert collection["product_count"] == 2
    store = (await client.get("/api/v1/store/collections/key-issues")).json()
    assert [p["title"] for p in store["products"]["items"]] == ["Hulk #181"]
    listed = (await client.get("/api/v1/store/collections")).json()["items"]
    assert [c["slug"] for c in listed] == ["key-issues"]


async def test_collections_can_be_edited_and_deleted(
    client: httpx.AsyncClient, admin: AuthedUser
) -> None:
    created = (
        await client.post(
            "/api/v1/admin/collections", json={"title": "Staff Picks"}, headers=admin.headers
        )
    ).json()
    response = await client.patch(
        f"/api/v1/admin/collections/{created['id']}",
        json={"published": False},
        headers=admin.headers,
    )
    assert response.json()["published"] is False
    assert (await client.get("/api/v1/store/collections/staff-picks")).status_code == 404
    response = await client.delete(
        f"/api/v1/admin/collections/{created['id']}", headers=admin.headers
    )
    assert response.status_code == 204
    response = await client.get(f"/api/v1/admin/collections/{created['id']}", headers=admin.headers)
    assert response.status_code == 404
