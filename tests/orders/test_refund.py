"""Admins refund orders in part or in full, once per Idempotency-Key, never more than was paid."""

from __future__ import annotations

import asyncio
import uuid

import httpx

from emporium.contexts import payments
from emporium.kernel.runtime import Runtime
from tests.support.auth import AuthedUser
from tests.support.orders import paid_order, payment_of, place, stocked_item
from tests.support.webhooks import events_of

ADMIN = "/api/v1/admin/orders"


async def refund(
    client: httpx.AsyncClient,
    admin: AuthedUser,
    order_id: uuid.UUID,
    amount: int | None = None,
    *,
    key: str | None = None,
) -> httpx.Response:
    body: dict[str, object] = {"reason": "damaged in transit"}
    if amount is not None:
        body["amount"] = {"amount": amount, "currency": "EUR"}
    headers = {**admin.headers, "Idempotency-Key": key or str(uuid.uuid4())}
    return await client.post(f"{ADMIN}/{order_id}/refund", json=body, headers=headers)


async def status_of(client: httpx.AsyncClient, admin: AuthedUser, order_id: uuid.UUID) -> str:
    body = (await client.get(f"{ADMIN}/{order_id}", headers=admin.headers)).json()
    return str(body["status"])


async def test_a_partial_refund_leaves_the_order_as_it_was(
    runtime: Runtime, client: httpx.AsyncClient, admin: AuthedUser, buyer: AuthedUser
) -> None:
    item = await stocked_item(client, admin)
    order = await paid_order(runtime, buyer.id, [(item, 2)])

    response = await refund(client, admin, order.id, 500)

    assert response.status_code == 201, response.text
    assert response.json()["status"] == "succeeded"
    assert (await payment_of(runtime, order.id)).refunded.amount == 500
    assert await status_of(client, admin, order.id) == "confirmed"


async def test_the_order_is_refunded_once_all_of_it_is(
    runtime: Runtime, client: httpx.AsyncClient, admin: AuthedUser, buyer: AuthedUser
) -> None:
    item = await stocked_item(client, admin)
    order = await paid_order(runtime, buyer.id, [(item, 2)])

    await refund(client, admin, order.id, 500)
    rest = await refund(client, admin, order.id)

    assert rest.json()["amount"] == {"amount": 2 * 1999 - 500, "currency": "EUR"}
    assert await status_of(client, admin, order.id) == "refunded"
    assert (await payment_of(runtime, order.id)).refunded.amount == 2 * 1999
    assert len(await events_of(runtime, "orders.order_refunded")) == 2


async def test_the_same_idempotency_key_refunds_once(
    runtime: Runtime, client: httpx.AsyncClient, admin: AuthedUser, buyer: AuthedUser
) -> None:
    item = await stocked_item(client, admin)
    order = await paid_order(runtime, buyer.id, [(item, 1)])

    first = await refund(client, admin, order.id, 300, key="refund-1")
    again = await refund(client, admin, order.id, 300, key="refund-1")

    assert again.json()["id"] == first.json()["id"]
    assert (await payment_of(runtime, order.id)).refunded.amount == 300


async def test_racing_refunds_never_exceed_what_was_paid(
    runtime: Runtime, client: httpx.AsyncClient, admin: AuthedUser, buyer: AuthedUser
) -> None:
    item = await stocked_item(client, admin)
    order = await paid_order(runtime, buyer.id, [(item, 1)])

    answers = await asyncio.gather(*(refund(client, admin, order.id, 1000) for _ in range(3)))

    assert sorted(a.status_code for a in answers) == [201, 422, 422]
    assert (await payment_of(runtime, order.id)).refunded.amount == 1000


async def test_refunding_more_than_is_left_is_refused(
    runtime: Runtime, client: httpx.AsyncClient, admin: AuthedUser, buyer: AuthedUser
) -> None:
    item = await stocked_item(client, admin)
    order = await paid_order(runtime, buyer.id, [(item, 1)])

    response = await refund(client, admin, order.id, 1999 + 1)

    assert response.status_code == 422
    assert response.json()["error"]["code"] == "VALIDATION_ERROR"
    assert (await payment_of(runtime, order.id)).refunded.amount == 0


async def test_a_refund_needs_an_idempotency_key(
    runtime: Runtime, client: httpx.AsyncClient, admin: AuthedUser, buyer: AuthedUser
) -> None:
    item = await stocked_item(client, admin)
    order = await paid_order(runtime, buyer.id, [(item, 1)])

    response = await client.post(
        f"{ADMIN}/{order.id}/refund", json={"reason": "goodwill"}, headers=admin.headers
    )

    assert response.status_code in (400, 422)


async def test_an_order_still_being_paid_for_cannot_be_refunded(
    runtime: Runtime, client: httpx.AsyncClient, admin: AuthedUser, buyer: AuthedUser
) -> None:
    item = await stocked_item(client, admin)
    order = await place(runtime, buyer.id, [(item, 1)])

    response = await refund(client, admin, order.id)

    assert response.status_code == 409


async def test_a_refund_the_gateway_refuses_is_failed_and_given_back(
    runtime: Runtime, client: httpx.AsyncClient, admin: AuthedUser, buyer: AuthedUser
) -> None:
    item = await stocked_item(client, admin)
    order = await paid_order(runtime, buyer.id, [(item, 1)])
    payment = await payment_of(runtime, order.id)
    # Refunded behind the order's back: the gateway has nothing left to give.
    await payments.refund(runtime, payment_id=payment.id, key="elsewhere")

    response = await refund(client, admin, order.id, 500)

    assert response.json()["status"] == "failed"
    body = (await client.get(f"{ADMIN}/{order.id}", headers=admin.headers)).json()
    assert body["refunded"]["amount"] == 0
    assert body["status"] == "confirmed"
