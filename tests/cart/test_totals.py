"""Totals: gross prices times quantities, with the VAT part of the default country (DE)."""

from __future__ import annotations

import httpx

from tests.support.auth import AuthedUser
from tests.support.cart import add_item, guest_cart, read_cart
from tests.support.catalog import published_product, variant


async def test_totals_add_up_lines_with_their_vat_part(
    client: httpx.AsyncClient, seller: AuthedUser
) -> None:
    book = variant(price={"amount": 1070, "currency": "EUR"}, tax_category="reduced")
    poster = variant(price={"amount": 2380, "currency": "EUR"}, tax_category="standard")
    product = await published_product(client, seller, variants=[book, poster])
    cart = await guest_cart(client)
    await add_item(client, cart, product["variants"][0]["id"], quantity=2)
    await add_item(client, cart, product["variants"][1]["id"], quantity=1)
    body = await read_cart(client, cart)
    eur = lambda amount: {"amount": amount, "currency": "EUR"}  # noqa: E731
    # 2 x 10.70 at 7 % holds 1.40 VAT; 23.80 at 19 % holds 3.80.
    assert [(i["line_total"], i["vat"]) for i in body["items"]] == [
        (eur(2140), eur(140)),
        (eur(2380), eur(380)),
    ]
    assert body["totals"] == {
        "subtotal": eur(4520),
        "discount": eur(0),
        "shipping": eur(0),
        "vat": eur(520),
        "total": eur(4520),
    }


async def test_items_show_what_they_are_and_who_sells_them(
    client: httpx.AsyncClient, seller: AuthedUser
) -> None:
    product = await published_product(client, seller, variants=[variant(sku="ASM-300-NM")])
    cart = await guest_cart(client)
    await add_item(client, cart, product["variants"][0]["id"])
    (item,) = (await read_cart(client, cart))["items"]
    assert item["product_title"] == "The Amazing Spider-Man #300"
    assert item["sku"] == "ASM-300-NM"
    assert item["vendor"]["name"] == "KeyVault Comics"
    assert item["purchasable"] is True and item["unique"] is False
