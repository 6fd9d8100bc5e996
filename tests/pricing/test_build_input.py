"""build_input gathers what rules are about: category ancestors, collections, purchasability."""

from __future__ import annotations

import uuid

import httpx
from sqlalchemy import event

from emporium.contexts.pricing import LineRequest, build_input
from emporium.kernel.ids import new_id
from emporium.kernel.money import Money
from emporium.kernel.runtime import Runtime
from tests.pricing.conftest import Shop
from tests.pricing.support import ADMIN, cents, create, discount, preview
from tests.support.auth import AuthedUser
from tests.support.catalog import published_product


async def test_a_rule_about_a_category_covers_its_subcategories(
    client: httpx.AsyncClient, admin: AuthedUser, shop: Shop
) -> None:
    comics = await create(client, admin, "categories", name="Comics")
    graded = await create(client, admin, "categories", name="Graded", parent_id=comics["id"])
    slab = await published_product(
        client, shop.seller, title="ASM #300 CGC 9.8", category_id=graded["id"]
    )
    await discount(
        client, admin, kind="percentage", percent="10", conditions={"category_ids": [comics["id"]]}
    )
    result = await preview(
        client, admin, [(slab["variants"][0]["id"], 1), (shop.game.variant_id, 1)]
    )
    assert cents(result["totals"]["discount"]) == 200  # 10% of the 19.99 slab, half-up


async def test_a_rule_about_a_collection_covers_its_products(
    client: httpx.AsyncClient, admin: AuthedUser, shop: Shop
) -> None:
    picks = await create(
        client, admin, "collections", title="Staff picks", product_ids=[shop.book.product_id]
    )
    await discount(
        client, admin, kind="percentage", percent="50", conditions={"collection_ids": [picks["id"]]}
    )
    result = await preview(client, admin, [(shop.book.variant_id, 1), (shop.comic.variant_id, 1)])
    assert cents(result["totals"]["discount"]) == 535


async def test_lines_that_cannot_be_bought_are_left_unpriced(
    runtime: Runtime, client: httpx.AsyncClient, shop: Shop
) -> None:
    await client.delete(
        f"/api/v1/seller/products/{shop.game.product_id}", headers=shop.seller.headers
    )
    game_line, ghost_line, comic_line = new_id(), new_id(), new_id()
    async with runtime.db.read() as session:
        data = await build_input(
            session,
            [
                LineRequest(game_line, uuid.UUID(shop.game.variant_id), 1),
                LineRequest(ghost_line, new_id(), 1),
                LineRequest(comic_line, uuid.UUID(shop.comic.variant_id), 1),
            ],
            customer_id=None,
            codes=[],
            country="de",
            shipping=Money(0, "EUR"),
            now=runtime.clock.now(),
        )
    assert [line.id for line in data.lines] == [comic_line]
    assert data.unpriced_line_ids == (game_line, ghost_line)
    assert data.country == "DE"


async def test_admins_only_may_preview(client: httpx.AsyncClient, shop: Shop) -> None:
    response = await client.post(
        f"{ADMIN}/pricing/preview",
        json={"items": [{"variant_id": shop.comic.variant_id, "quantity": 1}]},
        headers=shop.seller.headers,
    )
    assert response.status_code == 403


async def _statements_to_price(runtime: Runtime, variant_ids: list[str]) -> int:
    seen: list[str] = []

    def count(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        seen.append(statement)

    engine = runtime.db.engine.sync_engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        async with runtime.db.read() as session:
            await build_input(
                session,
                [LineRequest(new_id(), uuid.UUID(v), 1) for v in variant_ids],
                customer_id=new_id(),
                codes=["ANY"],
                country="DE",
                shipping=Money(0, "EUR"),
                now=runtime.clock.now(),
            )
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return len(seen)


async def test_pricing_a_cart_takes_a_few_queries_whatever_its_size(
    runtime: Runtime, client: httpx.AsyncClient, admin: AuthedUser, shop: Shop
) -> None:
    await discount(client, admin, kind="percentage", percent="5")
    one = await _statements_to_price(runtime, [shop.comic.variant_id])
    three = await _statements_to_price(
        runtime, [shop.comic.variant_id, shop.book.variant_id, shop.game.variant_id]
    )
    assert one == three <= 10
