from __future__ import annotations

from dataclasses import dataclass

import httpx
import pytest
from fastapi import FastAPI

from emporium.kernel.runtime import Runtime
from tests.support.auth import AuthedUser, make_admin
from tests.support.catalog import approved_seller, published_product, variant


@pytest.fixture
async def admin(runtime: Runtime, client: httpx.AsyncClient, app: FastAPI) -> AuthedUser:
    return await make_admin(runtime, client)


@dataclass(frozen=True)
class Item:
    product_id: str
    variant_id: str


@dataclass(frozen=True)
class Shop:
    """An approved vendor selling a comic (11.90), a book (10.70, reduced VAT), a game (59.50)."""

    vendor_id: str
    seller: AuthedUser
    comic: Item
    book: Item
    game: Item


async def _item(client: httpx.AsyncClient, seller: AuthedUser, title: str, **v: object) -> Item:
    product = await published_product(client, seller, title=title, variants=[variant(**v)])
    return Item(product["id"], product["variants"][0]["id"])


@pytest.fixture
async def shop(client: httpx.AsyncClient, admin: AuthedUser) -> Shop:
    seller = await approved_seller(client, admin)
    vendor = (await client.get("/api/v1/seller/vendor", headers=seller.headers)).json()
    return Shop(
        vendor_id=vendor["id"],
        seller=seller,
        comic=await _item(client, seller, "Saga #1", price={"amount": 1190, "currency": "EUR"}),
        book=await _item(
            client,
            seller,
            "Saga Vol. 1",
            price={"amount": 1070, "currency": "EUR"},
            tax_category="reduced",
        ),
        game=await _item(client, seller, "Catan", price={"amount": 5950, "currency": "EUR"}),
    )
