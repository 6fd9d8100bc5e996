"""Payouts: available → in transit at once, then paid or returned by the sandbox bank's answer."""

from __future__ import annotations

import asyncio
import uuid

import httpx
import pytest

from emporium.contexts import wallet
from emporium.kernel.clock import FakeClock
from emporium.kernel.jobs import run_due_jobs
from emporium.kernel.runtime import Runtime
from tests.support.auth import AuthedUser, register_buyer, register_seller
from tests.support.webhooks import events_of
from tests.wallet.builders import (
    CLOSED_IBAN,
    GOOD_IBAN,
    UNREACHABLE_IBAN,
    eur,
    seller_wallet,
    seller_with_funds,
)

PAYOUTS = "/api/v1/seller/payouts"


async def request_payout(
    client: httpx.AsyncClient,
    seller: AuthedUser,
    cents: int,
    *,
    iban: str = GOOD_IBAN,
    key: str | None = "payout-key",
) -> httpx.Response:
    headers = dict(seller.headers)
    if key is not None:
        headers["Idempotency-Key"] = key
    return await client.post(
        PAYOUTS,
        json={"amount": {"amount": cents, "currency": "EUR"}, "iban": iban},
        headers=headers,
    )


async def send_payouts(runtime: Runtime) -> None:
    """Run the send jobs due now and wait for the bank's answers to be booked."""
    await run_due_jobs(runtime)
    await wallet.payout_sender(runtime).drain()


async def test_a_payout_moves_available_funds_into_transit_at_once(
    runtime: Runtime, client: httpx.AsyncClient
) -> None:
    seller, _ = await seller_with_funds(runtime, client, eur(10000))

    response = await request_payout(client, seller, 6000)

    assert response.status_code == 201, response.text
    assert response.json()["status"] == "pending"
    assert response.json()["iban"] == "DE89…3000"
    assert await seller_wallet(client, seller) == {
        "available": 4000,
        "pending": 0,
        "in_transit": 6000,
        "debt": 0,
    }
    [event] = await events_of(runtime, "wallet.payout_requested")
    assert event.payload["amount"] == {"amount": 6000, "currency": "EUR"}


async def test_the_bank_pays_the_payout_through_the_send_job(
    runtime: Runtime, client: httpx.AsyncClient
) -> None:
    seller, _ = await seller_with_funds(runtime, client, eur(10000))
    payout = (await request_payout(client, seller, 6000)).json()

    await send_payouts(runtime)

    read = (await client.get(f"{PAYOUTS}/{payout['id']}", headers=seller.headers)).json()
    assert read["status"] == "paid"
    assert read["reference"].startswith("po_sbx_")
    assert (await seller_wallet(client, seller))["in_transit"] == 0
    assert (await seller_wallet(client, seller))["available"] == 4000
    assert len(await events_of(runtime, "wallet.payout_paid")) == 1


async def test_a_payout_to_a_closed_account_fails_and_returns_the_money(
    runtime: Runtime, client: httpx.AsyncClient
) -> None:
    seller, _ = await seller_with_funds(runtime, client, eur(10000))
    payout = (await request_payout(client, seller, 6000, iban=CLOSED_IBAN)).json()

    await send_payouts(runtime)

    read = (await client.get(f"{PAYOUTS}/{payout['id']}", headers=seller.headers)).json()
    assert (read["status"], read["failure_reason"]) == ("failed", "account_closed")
    assert (await seller_wallet(client, seller))["available"] == 10000
    [event] = await events_of(runtime, "wallet.payout_failed")
    assert event.payload["reason"] == "account_closed"


async def test_a_payout_waits_in_transit_while_the_bank_is_unreachable(
    runtime: Runtime, client: httpx.AsyncClient, clock: FakeClock
) -> None:
    seller, _ = await seller_with_funds(runtime, client, eur(10000))
    payout = (await request_payout(client, seller, 6000, iban=UNREACHABLE_IBAN)).json()

    await send_payouts(runtime)
    clock.advance(seconds=30)  # the fallback attempt's backoff
    await send_payouts(runtime)

    read = (await client.get(f"{PAYOUTS}/{payout['id']}", headers=seller.headers)).json()
    assert read["status"] == "pending"
    assert (await seller_wallet(client, seller))["in_transit"] == 6000


async def test_a_payout_larger_than_the_available_balance_is_refused(
    runtime: Runtime, client: httpx.AsyncClient
) -> None:
    seller, _ = await seller_with_funds(runtime, client, eur(1000))

    response = await request_payout(client, seller, 1001)

    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "INSUFFICIENT_FUNDS"
    assert error["details"]["available"] == {"amount": 1000, "currency": "EUR"}
    assert (await client.get(PAYOUTS, headers=seller.headers)).json()["items"] == []


async def test_concurrent_payouts_that_together_exceed_the_balance_succeed_once(
    runtime: Runtime, client: httpx.AsyncClient
) -> None:
    seller, _ = await seller_with_funds(runtime, client, eur(10000))

    responses = await asyncio.gather(
        request_payout(client, seller, 7000, key="first"),
        request_payout(client, seller, 7000, key="second"),
    )

    assert sorted(r.status_code for r in responses) == [201, 409]
    assert (await seller_wallet(client, seller))["available"] == 3000
    assert len((await client.get(PAYOUTS, headers=seller.headers)).json()["items"]) == 1


async def test_a_payout_needs_an_idempotency_key(
    runtime: Runtime, client: httpx.AsyncClient
) -> None:
    seller, _ = await seller_with_funds(runtime, client, eur(1000))

    response = await request_payout(client, seller, 500, key=None)

    assert response.status_code == 422
    assert (await seller_wallet(client, seller))["available"] == 1000


async def test_the_same_payout_request_sent_twice_pays_out_once(
    runtime: Runtime, client: httpx.AsyncClient
) -> None:
    seller, _ = await seller_with_funds(runtime, client, eur(1000))

    first = await request_payout(client, seller, 500, key="once")
    again = await request_payout(client, seller, 500, key="once")

    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json()["id"] == first.json()["id"]
    assert (await seller_wallet(client, seller))["available"] == 500


async def test_an_invalid_iban_is_refused(runtime: Runtime, client: httpx.AsyncClient) -> None:
    seller, _ = await seller_with_funds(runtime, client, eur(1000))

    response = await request_payout(client, seller, 500, iban="DE89370400440532013001")

    assert response.status_code == 422
    assert response.json()["error"]["details"]["fields"][0]["field"] == "iban"


async def test_a_vendor_without_funds_cannot_pay_out(client: httpx.AsyncClient) -> None:
    seller = await register_seller(client, vendor_name="New Vendor")

    response = await request_payout(client, seller, 1)

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "INSUFFICIENT_FUNDS"


async def test_only_sellers_request_payouts(client: httpx.AsyncClient) -> None:
    buyer = await register_buyer(client)

    response = await request_payout(client, buyer, 100)

    assert response.status_code == 403


async def test_a_seller_sees_only_their_own_payouts(
    runtime: Runtime, client: httpx.AsyncClient
) -> None:
    seller, _ = await seller_with_funds(runtime, client, eur(1000))
    other, _ = await seller_with_funds(runtime, client, eur(1000))
    payout = (await request_payout(client, seller, 500)).json()

    assert (await client.get(f"{PAYOUTS}/{payout['id']}", headers=other.headers)).status_code == 404
    assert (await client.get(PAYOUTS, headers=other.headers)).json()["items"] == []


async def test_a_refused_payout_leaves_no_payout_behind_even_if_the_caller_commits(
    runtime: Runtime,
) -> None:
    vendor = uuid.uuid4()
    cmd = wallet.RequestPayout(vendor_id=vendor, amount=eur(100), iban=GOOD_IBAN, key="k")
    async with runtime.uow() as uow:
        with pytest.raises(wallet.InsufficientFunds):
            await wallet.request_payout(uow, cmd)
        await uow.commit()

    async with runtime.db.read() as session:
        assert await wallet.payouts.payouts_of(session, vendor, limit=10) == []
    assert await run_due_jobs(runtime) == 0
