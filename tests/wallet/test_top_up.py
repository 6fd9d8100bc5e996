"""Wallet top-ups by card, the balance and the buyer's own transactions."""

from __future__ import annotations

import httpx
from fastapi import FastAPI

from emporium.contexts import payments
from emporium.contexts.payments.sandbox_webhooks import SandboxWebhooks
from emporium.kernel.dispatcher import dispatch_until_idle
from emporium.kernel.jobs import run_due_jobs
from emporium.kernel.runtime import Runtime
from tests.support.auth import AuthedUser, register_buyer
from tests.support.webhooks import events_of, route_outbound_to

WALLET = "/api/v1/store/wallet"


async def top_up(
    client: httpx.AsyncClient,
    buyer: AuthedUser,
    cents: int,
    token: str = "tok_visa",
    **headers: str,
) -> httpx.Response:
    return await client.post(
        f"{WALLET}/top-up",
        json={"amount": {"amount": cents, "currency": "EUR"}, "token": token},
        headers={**buyer.headers, **headers},
    )


async def balance(client: httpx.AsyncClient, buyer: AuthedUser) -> int:
    response = await client.get(WALLET, headers=buyer.headers)
    assert response.status_code == 200, response.text
    assert response.json()["balance"]["currency"] == "EUR"
    return int(response.json()["balance"]["amount"])


async def test_a_card_top_up_credits_the_wallet_at_once(client: httpx.AsyncClient) -> None:
    buyer = await register_buyer(client)

    response = await top_up(client, buyer, 5000)

    assert response.status_code == 201, response.text
    assert response.json()["status"] == "completed"
    assert response.json()["balance"] == {"amount": 5000, "currency": "EUR"}
    assert await balance(client, buyer) == 5000


async def test_a_new_wallet_is_empty(client: httpx.AsyncClient) -> None:
    buyer = await register_buyer(client)
    assert await balance(client, buyer) == 0


async def test_a_declined_card_fails_with_402_and_credits_nothing(
    client: httpx.AsyncClient,
) -> None:
    buyer = await register_buyer(client)

    response = await top_up(client, buyer, 5000, token="tok_chargeDeclined")

    assert response.status_code == 402, response.text
    error = response.json()["error"]
    assert error["code"] == "PAYMENT_FAILED"
    assert error["details"]["reason"] == "card_declined"
    assert await balance(client, buyer) == 0


async def test_the_same_idempotency_key_tops_up_once(client: httpx.AsyncClient) -> None:
    buyer = await register_buyer(client)

    first = await top_up(client, buyer, 2500, **{"Idempotency-Key": "top-up-1"})
    again = await top_up(client, buyer, 2500, **{"Idempotency-Key": "top-up-1"})

    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json()["id"] == first.json()["id"]
    assert await balance(client, buyer) == 2500


async def test_a_top_up_of_nothing_is_refused(client: httpx.AsyncClient) -> None:
    buyer = await register_buyer(client)

    response = await top_up(client, buyer, 0)

    assert response.status_code == 422
    assert response.json()["error"]["code"] == "VALIDATION_ERROR"


async def test_a_top_up_needs_a_signed_in_buyer(client: httpx.AsyncClient) -> None:
    response = await client.post(
        f"{WALLET}/top-up", json={"amount": {"amount": 100, "currency": "EUR"}, "token": "tok_visa"}
    )
    assert response.status_code == 401


async def test_a_three_d_secure_top_up_is_credited_when_the_bank_confirms(
    runtime: Runtime, client: httpx.AsyncClient, app: FastAPI
) -> None:
    route_outbound_to(runtime, app)
    buyer = await register_buyer(client)

    response = await top_up(client, buyer, 4000, token="tok_threeDSecure")
    assert response.status_code == 202, response.text
    assert response.json()["payment"]["status"] == "requires_action"
    assert await balance(client, buyer) == 0

    reference = response.json()["payment"]["reference"]
    completed = await client.post(
        f"/api/v1/payments/sandbox/payments/{reference}/complete", json={"outcome": "succeeded"}
    )
    assert completed.status_code == 200, completed.text
    await run_due_jobs(runtime)
    await runtime.service(payments.SANDBOX_WEBHOOKS, SandboxWebhooks).drain()
    await dispatch_until_idle(runtime)

    assert await balance(client, buyer) == 4000
    [event] = await events_of(runtime, "wallet.topped_up")
    assert event.payload["amount"] == {"amount": 4000, "currency": "EUR"}


async def test_a_buyer_sees_only_their_own_wallet_transactions(client: httpx.AsyncClient) -> None:
    buyer, other = await register_buyer(client), await register_buyer(client)
    await top_up(client, buyer, 1500)
    await top_up(client, buyer, 500)
    await top_up(client, other, 9900)

    response = await client.get(f"{WALLET}/transactions?limit=1", headers=buyer.headers)
    assert response.status_code == 200, response.text
    page = response.json()
    nxt = await client.get(
        f"{WALLET}/transactions?limit=1&cursor={page['next_cursor']}", headers=buyer.headers
    )

    lines = [*page["items"], *nxt.json()["items"]]
    assert [line["amount"]["amount"] for line in lines] == [500, 1500]
    assert [line["balance_after"]["amount"] for line in lines] == [2000, 1500]
    assert {line["kind"] for line in lines} == {"top_up"}
    assert nxt.json()["next_cursor"] is None
