"""Idempotency-Key on POST, with Stripe's semantics (API.md), for routes that do nothing for it."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import timedelta

import httpx
import pytest
from fastapi import APIRouter, FastAPI, Response
from pydantic import BaseModel
from sqlalchemy import func, select

from emporium.kernel.clock import FakeClock
from emporium.kernel.http.idempotency import (
    IdempotencyKey,
    IdempotencyRequired,
    IdempotencyStatus,
    fingerprint,
    purge_expired,
)
from emporium.kernel.runtime import Runtime
from tests.http.test_envelope import assert_envelope
from tests.support.auth import register_buyer

BOOK = b'{"item":"book"}'
PEN = b'{"item":"pen"}'
JSON = {"content-type": "application/json"}


class Order(BaseModel):
    item: str


@dataclass
class Probe:
    """Counts how often the test routes really ran; `slow` waits for `release`."""

    calls: int = 0
    entered: asyncio.Event = field(default_factory=asyncio.Event)
    release: asyncio.Event = field(default_factory=asyncio.Event)


@pytest.fixture
def probe(app: FastAPI) -> Probe:
    state = Probe()
    router = APIRouter(prefix="/probe")

    @router.post("/orders", status_code=201)
    async def create_order(order: Order, response: Response) -> dict[str, object]:
        state.calls += 1
        response.headers["Location"] = f"/probe/orders/{state.calls}"
        return {"number": state.calls, "item": order.item}

    @router.post("/slow")
    async def slow(order: Order) -> dict[str, object]:
        state.calls += 1
        number = state.calls
        state.entered.set()
        await state.release.wait()
        return {"number": number, "item": order.item}

    @router.post("/broken")
    async def broken() -> None:
        state.calls += 1
        raise RuntimeError("the database fell over")

    @router.post("/payouts", status_code=201, dependencies=[IdempotencyRequired])
    async def payout() -> dict[str, str]:
        return {"status": "paid"}

    app.include_router(router)
    return state


async def _post(
    client: httpx.AsyncClient,
    path: str,
    key: str | None,
    body: bytes = BOOK,
    headers: dict[str, str] | None = None,
) -> httpx.Response:
    sent = {**JSON, **(headers or {}), **({"Idempotency-Key": key} if key else {})}
    return await client.post(f"/probe/{path}", content=body, headers=sent)


async def test_replays_the_stored_response_for_the_same_key_and_body(
    probe: Probe, client: httpx.AsyncClient
) -> None:
    first = await _post(client, "orders", "key-1")
    again = await _post(client, "orders", "key-1")
    assert probe.calls == 1
    assert (again.status_code, again.json()) == (201, first.json())
    assert again.headers["location"] == first.headers["location"]
    assert again.headers["idempotent-replayed"] == "true"
    assert "idempotent-replayed" not in first.headers


async def test_refuses_a_key_reused_with_another_body(
    probe: Probe, client: httpx.AsyncClient
) -> None:
    await _post(client, "orders", "key-1", BOOK)
    response = await _post(client, "orders", "key-1", PEN)
    assert_envelope(response, 422, "IDEMPOTENCY_KEY_REUSED")
    assert probe.calls == 1


async def test_a_second_request_while_the_first_runs_is_told_the_key_is_in_use(
    probe: Probe, client: httpx.AsyncClient
) -> None:
    first = asyncio.create_task(_post(client, "slow", "key-1"))
    await probe.entered.wait()
    second = await _post(client, "slow", "key-1")
    assert_envelope(second, 409, "IDEMPOTENCY_KEY_IN_USE")
    probe.release.set()
    assert (await first).status_code == 200
    assert (await _post(client, "slow", "key-1")).headers["idempotent-replayed"] == "true"
    assert probe.calls == 1


async def test_many_requests_at_once_with_one_key_run_the_route_once(
    probe: Probe, client: httpx.AsyncClient
) -> None:
    responses = await asyncio.gather(*(_post(client, "orders", "key-1") for _ in range(8)))
    assert probe.calls == 1
    ran = [r for r in responses if r.status_code == 201 and "idempotent-replayed" not in r.headers]
    assert len(ran) == 1
    for response in responses:
        assert response.status_code in (201, 409)


async def test_a_key_left_by_a_crashed_request_is_taken_over_once_its_lock_passes(
    probe: Probe, client: httpx.AsyncClient, runtime: Runtime, clock: FakeClock
) -> None:
    now = clock.now()
    async with runtime.uow() as uow:  # what a process that died mid-request leaves behind
        uow.session.add(
            IdempotencyKey(
                scope="anonymous",
                key="key-1",
                fingerprint=fingerprint("POST", "/probe/orders", b"", BOOK),
                status=IdempotencyStatus.IN_PROGRESS,
                locked_until=now + timedelta(seconds=runtime.settings.idempotency_lock_seconds),
                created_at=now,
                expires_at=now + timedelta(hours=24),
            )
        )
        await uow.commit()
    assert_envelope(await _post(client, "orders", "key-1"), 409, "IDEMPOTENCY_KEY_IN_USE")
    clock.advance(seconds=runtime.settings.idempotency_lock_seconds)
    response = await _post(client, "orders", "key-1")
    assert response.status_code == 201
    assert probe.calls == 1


async def test_a_request_that_was_taken_over_does_not_overwrite_its_successor(
    probe: Probe, client: httpx.AsyncClient, runtime: Runtime, clock: FakeClock
) -> None:
    stalled = asyncio.create_task(_post(client, "slow", "key-1"))
    await probe.entered.wait()
    clock.advance(seconds=runtime.settings.idempotency_lock_seconds)
    probe.entered.clear()
    successor = asyncio.create_task(_post(client, "slow", "key-1"))
    await probe.entered.wait()
    probe.release.set()
    assert (await stalled).json()["number"] == 1
    assert (await successor).json()["number"] == 2
    replay = await _post(client, "slow", "key-1")
    assert replay.json()["number"] == 2


async def test_keys_belong_to_the_user_who_sent_them(
    probe: Probe, client: httpx.AsyncClient
) -> None:
    alice = await register_buyer(client)
    bob = await register_buyer(client)
    first = await _post(client, "orders", "key-1", headers=alice.headers)
    second = await _post(client, "orders", "key-1", headers=bob.headers)
    anonymous = await _post(client, "orders", "key-1")
    assert [r.json()["number"] for r in (first, second, anonymous)] == [1, 2, 3]
    assert "idempotent-replayed" not in second.headers


async def test_server_errors_are_not_stored_so_the_client_can_retry(
    probe: Probe, client: httpx.AsyncClient
) -> None:
    assert_envelope(await _post(client, "broken", "key-1", b""), 500, "INTERNAL_ERROR")
    retry = await _post(client, "broken", "key-1", b"")
    assert_envelope(retry, 500, "INTERNAL_ERROR")
    assert "idempotent-replayed" not in retry.headers
    assert probe.calls == 2


async def test_requests_without_a_key_are_not_deduplicated(
    probe: Probe, client: httpx.AsyncClient
) -> None:
    await _post(client, "orders", None)
    await _post(client, "orders", None)
    assert probe.calls == 2


async def test_a_route_may_require_a_key(probe: Probe, client: httpx.AsyncClient) -> None:
    error = assert_envelope(await _post(client, "payouts", None), 422, "VALIDATION_ERROR")
    assert "Idempotency-Key" in str(error["message"])
    assert (await _post(client, "payouts", "key-1")).status_code == 201


async def test_refuses_a_key_that_is_not_visible_ascii(
    probe: Probe, client: httpx.AsyncClient
) -> None:
    assert_envelope(await _post(client, "orders", "x" * 256), 422, "VALIDATION_ERROR")
    assert probe.calls == 0


async def test_a_key_may_be_used_afresh_after_a_day(
    probe: Probe, client: httpx.AsyncClient, clock: FakeClock
) -> None:
    await _post(client, "orders", "key-1", BOOK)
    clock.advance(hours=24)
    response = await _post(client, "orders", "key-1", PEN)
    assert response.json() == {"number": 2, "item": "pen"}


async def test_purging_deletes_only_keys_older_than_a_day(
    probe: Probe, client: httpx.AsyncClient, runtime: Runtime, clock: FakeClock
) -> None:
    await _post(client, "orders", "old")
    clock.advance(hours=23)
    await _post(client, "orders", "recent")
    clock.advance(hours=1)
    async with runtime.uow() as uow:
        purged = await purge_expired(uow)
        await uow.commit()
    async with runtime.db.read() as session:
        left = await session.scalar(select(func.count()).select_from(IdempotencyKey))
    assert (purged, left) == (1, 1)
