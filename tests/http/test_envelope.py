"""Every failure reaches the client in the one error envelope of API.md."""

from __future__ import annotations

import httpx
import pytest
from fastapi import APIRouter, FastAPI
from pydantic import BaseModel

from emporium.kernel.errors import Conflict


def assert_envelope(response: httpx.Response, status: int, code: str) -> dict[str, object]:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"}
    error = body["error"]
    assert set(error) == {"code", "message", "details", "requestId", "timestamp"}
    assert error["code"] == code
    assert error["requestId"] == response.headers["x-request-id"]
    assert error["timestamp"].endswith("Z")
    return error


class Thing(BaseModel):
    name: str
    count: int


@pytest.fixture
def probe_app(app: FastAPI) -> FastAPI:
    router = APIRouter(prefix="/probe")

    @router.post("/things")
    async def create_thing(thing: Thing) -> Thing:
        return thing

    @router.get("/conflict")
    async def conflict() -> None:
        raise Conflict("Already there", details={"id": "x"})

    @router.get("/boom")
    async def boom() -> None:
        raise RuntimeError("secret internals: password=hunter2")

    app.include_router(router)
    return app


async def test_unknown_route_is_not_found_in_the_envelope(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/no-such-thing")
    assert_envelope(response, 404, "NOT_FOUND")


async def test_wrong_method_is_method_not_allowed(
    probe_app: FastAPI, client: httpx.AsyncClient
) -> None:
    response = await client.delete("/probe/things")
    assert_envelope(response, 405, "METHOD_NOT_ALLOWED")


async def test_malformed_json_is_a_validation_error(
    probe_app: FastAPI, client: httpx.AsyncClient
) -> None:
    response = await client.post(
        "/probe/things",
        content=b'{"name": "x", "count": ',
        headers={"content-type": "application/json"},
    )
    assert_envelope(response, 400, "VALIDATION_ERROR")


async def test_invalid_fields_are_listed_one_by_one(
    probe_app: FastAPI, client: httpx.AsyncClient
) -> None:
    response = await client.post("/probe/things", json={"count": "many"})
    error = assert_envelope(response, 422, "VALIDATION_ERROR")
    fields = {f["field"] for f in error["details"]["fields"]}  # type: ignore[index]
    assert fields == {"name", "count"}


async def test_domain_errors_keep_their_code_and_details(
    probe_app: FastAPI, client: httpx.AsyncClient
) -> None:
    response = await client.get("/probe/conflict")
    error = assert_envelope(response, 409, "CONFLICT")
    assert error["details"] == {"id": "x"}
    assert error["message"] == "Already there"


async def test_unexpected_errors_hide_their_internals(
    probe_app: FastAPI, client: httpx.AsyncClient
) -> None:
    response = await client.get("/probe/boom")
    error = assert_envelope(response, 500, "INTERNAL_ERROR")
    assert "hunter2" not in response.text
    assert "Traceback" not in response.text
    assert error["details"] == {}


async def test_bodies_over_one_megabyte_are_refused(
    probe_app: FastAPI, client: httpx.AsyncClient
) -> None:
    big = b'{"name": "' + b"x" * (1024 * 1024) + b'", "count": 1}'
    response = await client.post(
        "/probe/things", content=big, headers={"content-type": "application/json"}
    )
    assert_envelope(response, 413, "PAYLOAD_TOO_LARGE")


async def test_chunked_bodies_over_one_megabyte_are_refused(
    probe_app: FastAPI, client: httpx.AsyncClient
) -> None:
    async def chunks():  # type: ignore[no-untyped-def]
        for _ in range(20):
            yield b"x" * 65536

    response = await client.post(
        "/probe/things", content=chunks(), headers={"content-type": "application/json"}
    )
    assert_envelope(response, 413, "PAYLOAD_TOO_LARGE")


async def test_echoes_a_client_request_id(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/nothing", headers={"X-Request-ID": "req-abc.123"})
    error = assert_envelope(response, 404, "NOT_FOUND")
    assert error["requestId"] == "req-abc.123"


async def test_replaces_a_request_id_that_is_not_safe_to_echo(client: httpx.AsyncClient) -> None:
    response = await client.get("/healthz", headers={"X-Request-ID": "x" * 300})
    assert response.headers["x-request-id"].startswith("req-")


async def test_every_response_carries_security_headers(client: httpx.AsyncClient) -> None:
    response = await client.get("/healthz")
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    assert response.headers["referrer-policy"] == "no-referrer"
