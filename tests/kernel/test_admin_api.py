"""Admins see the event log, subscribers, dead letters and jobs, and retry dead letters."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import httpx
import pytest

from emporium.kernel import jobs
from emporium.kernel.dispatcher import dispatch_until_idle
from emporium.kernel.events import StoredEvent
from emporium.kernel.jobs import run_due_jobs
from emporium.kernel.registry import Subscriber
from emporium.kernel.runtime import Runtime
from emporium.kernel.uow import UnitOfWork
from tests.http.test_envelope import assert_envelope
from tests.kernel.builders import (
    OtherThingHappened,
    ThingHappened,
    append,
    effect_positions,
    effect_subscriber,
    writes_effect,
)
from tests.support.auth import AuthedUser, make_admin, register_buyer


@pytest.fixture
async def admin(runtime: Runtime, client: httpx.AsyncClient) -> AuthedUser:
    return await make_admin(runtime, client)


@pytest.fixture
async def buyer(client: httpx.AsyncClient) -> AuthedUser:
    return await register_buyer(client)


async def park_one_event(runtime: Runtime, healthy: asyncio.Event) -> int:
    """A subscriber `mailer` that fails until healthy is set; returns the parked position."""
    write = writes_effect("mailer")

    async def handle(event: StoredEvent, uow: UnitOfWork) -> None:
        if not healthy.is_set():
            raise ConnectionError("smtp refused")
        await write(event, uow)

    runtime.subscribers.add(Subscriber(name="mailer", handle=handle, types=[ThingHappened.type]))
    [position] = await append(runtime, ThingHappened(id="a", n=1))
    for _ in range(runtime.settings.dispatcher_max_attempts):
        await dispatch_until_idle(runtime)
        runtime.clock.advance(hours=1)  # type: ignore[attr-defined]
    return position


async def test_admin_retries_a_dead_letter_until_it_is_resolved(
    runtime: Runtime, client: httpx.AsyncClient
) -> None:
    healthy = asyncio.Event()
    position = await park_one_event(runtime, healthy)
    # Logged in after the retries' hours have passed on the clock, so the token is fresh.
    admin = await make_admin(runtime, client)
    max_attempts = runtime.settings.dispatcher_max_attempts

    listed = await client.get("/api/v1/admin/dead-letters?status=parked", headers=admin.headers)
    [letter] = listed.json()["items"]
    assert (letter["subscriber"], letter["event_position"]) == ("mailer", position)
    assert (letter["attempts"], letter["error"]) == (max_attempts, "ConnectionError: smtp refused")
    retry_url = f"/api/v1/admin/dead-letters/{letter['id']}/retry"

    still_failing = await client.post(retry_url, headers=admin.headers)
    assert still_failing.status_code == 200
    assert still_failing.json()["status"] == "parked"
    assert still_failing.json()["attempts"] == max_attempts + 1

    healthy.set()
    resolved = await client.post(retry_url, headers=admin.headers)
    assert resolved.status_code == 200
    assert resolved.json()["status"] == "resolved"
    assert resolved.json()["resolved_at"].endswith("Z")
    assert await effect_positions(runtime, "mailer") == [position]

    again = await client.post(retry_url, headers=admin.headers)
    assert_envelope(again, 409, "CONFLICT")
    assert await effect_positions(runtime, "mailer") == [position]


async def test_retrying_an_unknown_dead_letter_is_not_found(
    client: httpx.AsyncClient, admin: AuthedUser
) -> None:
    for dead_letter_id in ("0190d5a8-0000-7000-8000-000000000000", "not-an-id"):
        response = await client.post(
            f"/api/v1/admin/dead-letters/{dead_letter_id}/retry", headers=admin.headers
        )
        assert_envelope(response, 404, "NOT_FOUND")


async def test_admin_routes_need_an_admin(client: httpx.AsyncClient, buyer: AuthedUser) -> None:
    for path in ("events", "subscribers", "dead-letters", "jobs"):
        assert_envelope(await client.get(f"/api/v1/admin/{path}"), 401, "AUTHENTICATION_ERROR")
        assert_envelope(
            await client.get(f"/api/v1/admin/{path}", headers=buyer.headers),
            403,
            "AUTHORIZATION_ERROR",
        )


async def test_the_event_log_is_listed_newest_first_page_by_page(
    runtime: Runtime, client: httpx.AsyncClient, admin: AuthedUser
) -> None:
    positions = await append(runtime, *(ThingHappened(id="a", n=n) for n in range(5)))

    url = "/api/v1/admin/events?type=test.thing_happened&limit=3"
    first = (await client.get(url, headers=admin.headers)).json()
    second = (
        await client.get(f"{url}&cursor={first['next_cursor']}", headers=admin.headers)
    ).json()

    seen = [e["position"] for e in first["items"] + second["items"]]
    assert seen == positions[::-1]
    assert second["next_cursor"] is None
    assert first["items"][0]["payload"] == {"id": "a", "n": 4}
    assert first["items"][0]["occurred_at"] == "2026-01-15T10:00:00Z"


async def test_the_event_log_is_filtered_by_type_and_aggregate(
    runtime: Runtime, client: httpx.AsyncClient, admin: AuthedUser
) -> None:
    await append(runtime, ThingHappened(id="a", n=1), ThingHappened(id="b", n=2))
    await append(runtime, OtherThingHappened(id="a", n=3))

    by_type = await client.get(
        "/api/v1/admin/events", params={"type": "test.thing_happened"}, headers=admin.headers
    )
    by_aggregate = await client.get(
        "/api/v1/admin/events", params={"aggregate_id": "a"}, headers=admin.headers
    )

    assert [e["payload"]["n"] for e in by_type.json()["items"]] == [2, 1]
    assert [e["payload"]["n"] for e in by_aggregate.json()["items"]] == [3, 1]


async def test_a_cursor_we_did_not_make_is_a_validation_error(
    client: httpx.AsyncClient, admin: AuthedUser
) -> None:
    for path in ("events", "dead-letters", "jobs"):
        response = await client.get(
            f"/api/v1/admin/{path}?cursor=bm90LWEtbGlzdA", headers=admin.headers
        )
        assert_envelope(response, 422, "VALIDATION_ERROR")


async def test_subscribers_show_their_lag_and_current_failure(
    runtime: Runtime, client: httpx.AsyncClient, admin: AuthedUser
) -> None:
    runtime.subscribers.add(effect_subscriber("behind"))

    async def broken(event: StoredEvent, uow: UnitOfWork) -> None:
        raise ValueError("bad payload")

    runtime.subscribers.add(Subscriber(name="broken", handle=broken, types=[ThingHappened.type]))
    positions = await append(runtime, *(ThingHappened(id="a", n=n) for n in range(3)))
    await dispatch_until_idle(runtime)
    await append(runtime, ThingHappened(id="a", n=3))

    response = await client.get("/api/v1/admin/subscribers", headers=admin.headers)

    by_name = {s["name"]: s for s in response.json()["items"]}
    assert (by_name["behind"]["position"], by_name["behind"]["lag"]) == (positions[-1], 1)
    # Stuck before its first event: everything from there on is still ahead of it.
    head = positions[-1] + 1
    assert by_name["broken"]["position"] < positions[0]
    assert by_name["broken"]["lag"] == head - by_name["broken"]["position"]
    assert by_name["broken"]["attempts"] == 1
    assert by_name["broken"]["last_error"] == "ValueError: bad payload"
    assert by_name["broken"]["replayable"] is False


async def test_failed_jobs_are_visible_to_admins(
    runtime: Runtime, client: httpx.AsyncClient, admin: AuthedUser
) -> None:
    async def broken(payload: dict[str, Any], uow: UnitOfWork) -> None:
        raise RuntimeError("carrier down")

    runtime.jobs.add("test.broken", broken)
    async with runtime.uow() as uow:
        for key in ("ok-later", "doomed"):
            await jobs.schedule(
                uow,
                kind="test.broken",
                key=key,
                max_attempts=1,
                due_at=runtime.clock.now() + timedelta(days=1 if key == "ok-later" else 0),
            )
        await uow.commit()
    await run_due_jobs(runtime)

    failed = await client.get("/api/v1/admin/jobs?status=failed", headers=admin.headers)
    pending = await client.get("/api/v1/admin/jobs?status=pending", headers=admin.headers)

    [job] = failed.json()["items"]
    assert (job["key"], job["attempts"], job["last_error"]) == (
        "doomed",
        1,
        "RuntimeError: carrier down",
    )
    assert [j["key"] for j in pending.json()["items"]] == ["ok-later"]
    invalid = await client.get("/api/v1/admin/jobs?status=exploded", headers=admin.headers)
    assert_envelope(invalid, 422, "VALIDATION_ERROR")


async def test_metrics_show_dispatcher_lag_and_dead_letters(
    runtime: Runtime, client: httpx.AsyncClient
) -> None:
    await park_one_event(runtime, asyncio.Event())
    runtime.subscribers.add(effect_subscriber("idle"))
    await append(runtime, ThingHappened(id="a", n=2))

    body = (await client.get("/metrics")).text

    assert 'emporium_dispatcher_lag_events{subscriber="idle"} 2.0' in body
    assert 'emporium_dispatcher_lag_events{subscriber="mailer"} 1.0' in body
    assert 'emporium_dead_letters{subscriber="mailer"} 1.0' in body
