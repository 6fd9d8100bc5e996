"""Idempotency keys with Stripe's semantics, for every POST route of every context.

How: a pure ASGI middleware, so no route needs code of its own. A POST that carries an
`Idempotency-Key` header is fingerprinted (sha256 of method, path with query, body) and its
key claimed in `kernel_idempotency_key` under the caller's scope (the user id, or
"anonymous") in a short transaction of its own, before the route runs:

- a new key is stored `in_progress`, locked until now + `idempotency_lock_seconds`;
- same key, another fingerprint → 422 IDEMPOTENCY_KEY_REUSED;
- same key, `completed` → the stored response again, with `Idempotent-Replayed: true`;
- same key, `in_progress` and still locked → 409 IDEMPOTENCY_KEY_IN_USE;
- same key, `in_progress` but the lock has passed → its holder is taken to have died
  (a crash never releases a key), and this request takes the key over.

The route's response is buffered and stored `completed` before it is sent, so a retry that
comes as soon as the client has its answer finds it. 5xx and 429 answers, and exceptions,
are not stored: the key is released so the client can retry. A holder writes or releases the
row only while it still holds the lock it took (its `locked_until`), so a request that was
taken over cannot overwrite its successor. Keys live 24 h; `purge_expired` deletes older ones.

Limit: the route's transaction and the stored response commit separately. If a process dies
between the two, a retry after the lock runs the route again; routes whose effect must never
repeat (checkout, refunds, payouts) also read `request.state.idempotency_key` and record it
in their own transaction.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Annotated, Any

import structlog
from fastapi import Depends, Header
from sqlalchemy import Enum, Integer, LargeBinary, String, UniqueConstraint, delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from emporium.kernel.db import Base, JSONType, UTCDateTime, UUIDType
from emporium.kernel.errors import (
    DomainError,
    IdempotencyKeyInUse,
    IdempotencyKeyReused,
    ValidationFailed,
)
from emporium.kernel.http.auth import optional_principal
from emporium.kernel.http.envelope import error_response
from emporium.kernel.ids import new_id
from emporium.kernel.runtime import Runtime
from emporium.kernel.uow import UnitOfWork

log = structlog.get_logger("emporium.idempotency")

HEADER = "Idempotency-Key"
REPLAYED_HEADER = (b"idempotent-replayed", b"true")
KEY_TTL = timedelta(hours=24)
ANONYMOUS = "anonymous"
PURGE_JOB = "kernel.purge_idempotency_keys"
_KEY_OK = re.compile(r"^[\x21-\x7e]{1,255}$")


class IdempotencyStatus(StrEnum):
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"


class IdempotencyKey(Base):
    """One client key within its scope, and the response it produced once completed."""

    __tablename__ = "kernel_idempotency_key"

    id: Mapped[uuid.UUID] = mapped_column(UUIDType, primary_key=True, default=new_id)
    scope: Mapped[str] = mapped_column(String(64))
    key: Mapped[str] = mapped_column(String(255))
    fingerprint: Mapped[str] = mapped_column(String(64))
    status: Mapped[IdempotencyStatus] = mapped_column(
        Enum(
            IdempotencyStatus,
            name="idempotency_status",
            native_enum=False,
            length=16,
            values_callable=lambda kind: [member.value for member in kind],
        )
    )
    response_status: Mapped[int | None] = mapped_column(Integer)
    response_headers: Mapped[list[list[str]] | None] = mapped_column(JSONType)
    response_body: Mapped[bytes | None] = mapped_column(LargeBinary)
    locked_until: Mapped[datetime] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)

    __table_args__ = (UniqueConstraint("scope", "key"),)


@dataclass(frozen=True)
class _Held:
    """This request holds the key: it runs the route, then stores or releases the key."""

    row_id: uuid.UUID
    locked_until: datetime


@dataclass(frozen=True)
class _Stored:
    """The key completed earlier: answer with its response."""

    status: int
    headers: list[list[str]]
    body: bytes


def fingerprint(method: str, path: str, query: bytes, body: bytes) -> str:
    """sha256 of what makes two requests the same request."""
    digest = hashlib.sha256()
    for part in (method.encode(), path.encode(), query, body):
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.hexdigest()


async def purge_expired(uow: UnitOfWork) -> int:
    """Delete keys past their 24 hours (inside the caller's unit of work); returns how many."""
    result = await uow.session.execute(
        delete(IdempotencyKey).where(IdempotencyKey.expires_at <= uow.clock.now())
    )
    return int(getattr(result, "rowcount", 0) or 0)


async def purge_job(payload: dict[str, Any], uow: UnitOfWork) -> None:
    """The daily job's handler: purge expired keys."""
    await purge_expired(uow)


async def require_idempotency_key(
    idempotency_key: Annotated[
        str | None,
        Header(alias=HEADER, description="A unique key per operation (e.g. a UUID v4)"),
    ] = None,
) -> str:
    """For routes that must not run without a key: 422 VALIDATION_ERROR when it is missing."""
    if not idempotency_key:
        raise ValidationFailed(
            f"This request needs an {HEADER} header (a unique value per operation, e.g. a UUID)",
            details={
                "fields": [
                    {
                        "field": HEADER,
                        "location": "header",
                        "message": "Field required",
                        "type": "missing",
                    }
                ]
            },
        )
    return idempotency_key


IdempotencyRequired = Depends(require_idempotency_key)
IdempotencyKeyHeader = Annotated[str, IdempotencyRequired]


class IdempotencyMiddleware:
    """Claims, replays and stores Idempotency-Keys around every POST (see the module doc)."""

    def __init__(self, app: ASGIApp, *, runtime: Runtime) -> None:
        self.app = app
        self.runtime = runtime

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        key = _header(scope, b"idempotency-key")
        if scope["type"] != "http" or scope.get("method") != "POST" or key is None:
            await self.app(scope, receive, send)
            return
        if not _KEY_OK.match(key):
            message = f"{HEADER} must be 1 to 255 visible ASCII characters"
            await self._error(ValidationFailed(message), scope, receive, send)
            return
        body = await _read_body(receive)
        if body is None:  # the client went away before sending its body
            return
        replay = _replaying(body, receive)
        owner = await self._scope_of(scope)
        if owner is None:  # bad credentials: let the route answer 401 as it would anyway
            await self.app(scope, replay, send)
            return
        digest = fingerprint(scope["method"], scope["path"], scope.get("query_string", b""), body)
        try:
            claim = await self._claim(owner, key, digest)
        except DomainError as exc:
            await self._error(exc, scope, receive, send)
            return
        if isinstance(claim, _Stored):
            await _send_stored(claim, send)
            return
        scope.setdefault("state", {})["idempotency_key"] = key
        await self._run(claim, scope, replay, send)

    async def _scope_of(self, scope: Scope) -> str | None:
        try:
            principal = await optional_principal(Request(scope))
        except DomainError:
            return None
        return str(principal.user_id) if principal else ANONYMOUS

    async def _claim(self, owner: str, key: str, digest: str) -> _Held | _Stored:
        now = self.runtime.clock.now()
        locked_until = now + timedelta(seconds=self.runtime.settings.idempotency_lock_seconds)
        async with self.runtime.uow() as uow:
            row = await uow.session.scalar(
                select(IdempotencyKey)
                .where(IdempotencyKey.scope == owner, IdempotencyKey.key == key)
                .with_for_update()
            )
            if row is None:
                row = IdempotencyKey(scope=owner, key=key, created_at=now)
                uow.session.add(row)
            elif row.expires_at > now:
                if row.fingerprint != digest:
                    raise IdempotencyKeyReused(details={"key": key})
                if row.status is IdempotencyStatus.COMPLETED:
                    return _Stored(
                        row.response_status or 200,
                        row.response_headers or [],
                        row.response_body or b"",
                    )
                if row.locked_until > now:
                    raise IdempotencyKeyInUse(details={"key": key})
            else:
                row.created_at = now  # an expired key that was not purged yet starts afresh
            row.fingerprint = digest
            row.status = IdempotencyStatus.IN_PROGRESS
            row.response_status, row.response_headers, row.response_body = None, None, None
            row.locked_until = locked_until
            row.expires_at = row.created_at + KEY_TTL
            try:
                await uow.commit()
            except IntegrityError:  # a concurrent first request inserted the key just now
                raise IdempotencyKeyInUse(details={"key": key}) from None
            return _Held(row.id, locked_until)

    async def _run(self, held: _Held, scope: Scope, receive: Receive, send: Send) -> None:
        messages: list[Message] = []

        async def capture(message: Message) -> None:
            messages.append(message)

        try:
            await self.app(scope, receive, capture)
        except BaseException:
            await self._finish(held, None)
            raise
        await self._finish(held, messages)
        for message in messages:
            await send(message)

    async def _finish(self, held: _Held, messages: list[Message] | None) -> None:
        # The route's effect has happened by now: failing to record it must not turn its
        # answer into an error. The key then stays locked until its lock passes.
        try:
            await self._record(held, messages)
        except Exception as exc:
            log.warning("idempotency_key_not_recorded", error=str(exc), row_id=str(held.row_id))

    async def _record(self, held: _Held, messages: list[Message] | None) -> None:
        """Store a response worth replaying, or release the key so the client can retry."""
        start = next((m for m in messages or [] if m["type"] == "http.response.start"), None)
        status = int(start["status"]) if start else 500
        mine = (
            (IdempotencyKey.id == held.row_id)
            & (IdempotencyKey.status == IdempotencyStatus.IN_PROGRESS)
            & (IdempotencyKey.locked_until == held.locked_until)
        )
        async with self.runtime.uow() as uow:
            if start is None or status >= 500 or status == 429:
                await uow.session.execute(delete(IdempotencyKey).where(mine))
            else:
                body = b"".join(
                    m.get("body", b"") for m in messages or [] if m["type"] == "http.response.body"
                )
                headers = [[k.decode("latin-1"), v.decode("latin-1")] for k, v in start["headers"]]
                await uow.session.execute(
                    update(IdempotencyKey)
                    .where(mine)
                    .values(
                        status=IdempotencyStatus.COMPLETED,
                        response_status=status,
                        response_headers=headers,
                        response_body=body,
                    )
                )
            await uow.commit()

    async def _error(self, exc: DomainError, scope: Scope, receive: Receive, send: Send) -> None:
        response = error_response(
            exc.status,
            exc.code,
            exc.message,
            details=exc.details,
            timestamp=self.runtime.clock.now(),
        )
        await response(scope, receive, send)


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers") or []:
        if key == name:
            return str(value.decode("latin-1"))
    return None


async def _read_body(receive: Receive) -> bytes | None:
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return None
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks)


def _replaying(body: bytes, receive: Receive) -> Receive:
    """A receive that hands the route the body already read, then waits for a disconnect."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


async def _send_stored(stored: _Stored, send: Send) -> None:
    headers = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in stored.headers]
    await send(
        {
            "type": "http.response.start",
            "status": stored.status,
            "headers": [*headers, REPLAYED_HEADER],
        }
    )
    await send({"type": "http.response.body", "body": stored.body})
