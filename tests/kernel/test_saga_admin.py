"""Admins inspect a saga (state, step log, the timeline of its events) and list sagas."""

from __future__ import annotations

import httpx
import pytest

from emporium.kernel import saga
from emporium.kernel.runtime import Runtime
from tests.http.test_envelope import assert_envelope
from tests.kernel.saga_builders import (
    ORDER,
    PAYMENT,
    FakeGateway,
    create_saga_tables,
    equip,
)
from tests.support.auth import AuthedUser, make_admin, register_buyer

SAGAS = "/api/v1/admin/sagas"


@pytest.fixture
async def runtime(runtime: Runtime) -> Runtime:
    await create_saga_tables(runtime.db.engine)
    return equip(runtime, FakeGateway())


@pytest.fixture
async def admin(runtime: Runtime, client: httpx.AsyncClient) -> AuthedUser:
    return await make_admin(runtime, client)


async def test_admin_sees_a_saga_with_its_step_log_and_the_timeline_of_its_events(
    runtime: Runtime, client: httpx.AsyncClient, admin: AuthedUser
) -> None:
    state = await saga.start(runtime, ORDER, key="order-7", data={"fail_at": "confirm"})

    response = await client.get(f"{SAGAS}/{state.id}", headers=admin.headers)

    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["id"], body["type"], body["key"]) == (str(state.id), "test.order", "order-7")
    assert (body["status"], body["current_step"]) == ("compensated", None)
    assert body["failure"]["code"] == "OUT_OF_STOCK"
    assert body["data"]["fail_at"] == "confirm"
    assert [(s["name"], s["phase"], s["status"]) for s in body["steps"]] == [
        ("reserve", "forward", "done"),
        ("charge", "forward", "done"),
        ("confirm", "forward", "failed"),
        ("confirm", "compensate", "done"),
        ("charge", "compensate", "done"),
        ("reserve", "compensate", "done"),
    ]
    assert body["steps"][0]["started_at"] == "2026-01-15T10:00:00Z"
    assert body["steps"][2]["error"] == "OUT_OF_STOCK: confirm refused"
    types = [event["type"] for event in body["events"]]
    assert types[0] == "sagas.saga_started"
    assert types[-1] == "sagas.saga_compensated"
    assert types.count("sagas.step_compensated") == 3
    # The reserve step's own event, caused by the saga and tagged with its id.
    [caused] = [event for event in body["events"] if event["type"] == "test.thing_happened"]
    assert caused["metadata"]["correlation_id"] == str(state.id)
    positions = [event["position"] for event in body["events"]]
    assert positions == sorted(positions)


async def test_the_timeline_leaves_out_other_sagas_events(
    runtime: Runtime, client: httpx.AsyncClient, admin: AuthedUser
) -> None:
    first = await saga.start(runtime, ORDER, key="a", data={})
    second = await saga.start(runtime, ORDER, key="b", data={})

    response = await client.get(f"{SAGAS}/{first.id}", headers=admin.headers)

    for event in response.json()["events"]:
        related = (event["aggregate_id"], event["metadata"].get("correlation_id"))
        assert str(second.id) not in related


async def test_admin_lists_sagas_by_status_and_type_newest_first(
    runtime: Runtime, client: httpx.AsyncClient, admin: AuthedUser
) -> None:
    done = await saga.start(runtime, ORDER, key="done", data={})
    refused = await saga.start(runtime, ORDER, key="refused", data={"fail_at": "charge"})
    waiting = await saga.start(runtime, PAYMENT, key="waiting", data={})

    everything = await client.get(SAGAS, headers=admin.headers)
    compensated = await client.get(f"{SAGAS}?status=compensated", headers=admin.headers)
    payments = await client.get(f"{SAGAS}?type=test.payment", headers=admin.headers)

    ids = [str(s.id) for s in (waiting, refused, done)]
    assert [item["id"] for item in everything.json()["items"]] == ids
    assert [item["id"] for item in compensated.json()["items"]] == [str(refused.id)]
    [listed] = payments.json()["items"]
    assert (listed["id"], listed["status"], listed["waiting_for"]) == (
        str(waiting.id),
        "waiting",
        "test.payment_succeeded",
    )


async def test_the_saga_list_is_paged_with_a_cursor(
    runtime: Runtime, client: httpx.AsyncClient, admin: AuthedUser
) -> None:
    states = [await saga.start(runtime, ORDER, key=f"k{n}", data={}) for n in range(3)]

    first = (await client.get(f"{SAGAS}?limit=2", headers=admin.headers)).json()
    rest = await client.get(f"{SAGAS}?limit=2&cursor={first['next_cursor']}", headers=admin.headers)

    seen = [item["id"] for item in first["items"] + rest.json()["items"]]
    assert seen == [str(state.id) for state in reversed(states)]
    assert rest.json()["next_cursor"] is None


@pytest.mark.parametrize("saga_id", ["01890a5d-ac96-774b-bcce-b302099a8057", "not-an-id"])
async def test_an_unknown_saga_is_not_found(
    client: httpx.AsyncClient, admin: AuthedUser, saga_id: str
) -> None:
    response = await client.get(f"{SAGAS}/{saga_id}", headers=admin.headers)
    assert_envelope(response, 404, "NOT_FOUND")


async def test_a_bad_status_or_cursor_is_a_validation_error(
    client: httpx.AsyncClient, admin: AuthedUser
) -> None:
    bad_status = await client.get(f"{SAGAS}?status=sleeping", headers=admin.headers)
    bad_cursor = await client.get(f"{SAGAS}?cursor=bm9wZQ", headers=admin.headers)

    assert_envelope(bad_status, 422, "VALIDATION_ERROR")
    assert_envelope(bad_cursor, 422, "VALIDATION_ERROR")


async def test_only_admins_see_sagas(runtime: Runtime, client: httpx.AsyncClient) -> None:
    state = await saga.start(runtime, ORDER, key="order-1", data={})
    buyer = await register_buyer(client)

    assert_envelope(await client.get(SAGAS, headers=buyer.headers), 403, "AUTHORIZATION_ERROR")
    anonymous = await client.get(f"{SAGAS}/{state.id}")
    assert_envelope(anonymous, 401, "AUTHENTICATION_ERROR")
