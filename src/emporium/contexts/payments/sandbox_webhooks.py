"""The sandbox processor's side of 3-D Secure: finishing a payment and delivering signed webhooks.

`complete()` stands for the buyer passing (or failing) the bank's challenge: it records the
outcome in the sandbox's books together with a webhook to deliver and a durable job for it.

Delivery is at-least-once and never holds a transaction across the HTTP call (on SQLite the
write lock is process-wide, and the receiving endpoint may be this very process): the job
claims an attempt and schedules the next one as a fallback in its own short transaction, and
the POST runs after it, outside any transaction. A 2xx answer marks the webhook delivered and
cancels the fallback; a failure or a crash leaves the fallback to try again with backoff.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Callable
from datetime import datetime
from enum import StrEnum
from typing import Any

import httpx
import structlog
from sqlalchemy import Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from emporium.contexts.payments.gateway import GatewayPayment, GatewayStatus
from emporium.contexts.payments.sandbox import SandboxPayment, UnknownSandboxPayment
from emporium.kernel import jobs
from emporium.kernel.backoff import retry_delay
from emporium.kernel.clock import Clock
from emporium.kernel.db import Base, UTCDateTime
from emporium.kernel.errors import Conflict
from emporium.kernel.signing import post_signed
from emporium.kernel.uow import UnitOfWork

log = structlog.get_logger("emporium.payments.sandbox")

DELIVER_JOB = "payments.sandbox_deliver_webhook"
MAX_ATTEMPTS = 8
AUTHENTICATION_FAILED = "authentication_failed"


class Outcome(StrEnum):
    SUCCEEDED = "succeeded"
    FAILED = "failed"


class DeliveryStatus(StrEnum):
    PENDING = "pending"
    DELIVERED = "delivered"
    FAILED = "failed"


class SandboxWebhook(Base):
    """An event the sandbox processor owes the shop, and how its delivery went."""

    __tablename__ = "sandbox_gateway_webhook"

    id: Mapped[str] = mapped_column(String(80), primary_key=True)
    payment_reference: Mapped[str] = mapped_column(String(80), index=True)
    type: Mapped[str] = mapped_column(String(60))
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class AlreadyCompleted(Conflict):
    default_message = "This sandbox payment was already completed differently"


def _job_key(event_id: str, attempt: int) -> str:
    return f"{DELIVER_JOB}:{event_id}:{attempt}"


class SandboxWebhooks:
    """Completes 3-D Secure payments and delivers the sandbox's signed webhooks."""

    def __init__(
        self,
        uow: Callable[[], UnitOfWork],
        *,
        clock: Clock,
        secret: str,
        url: str,
        transport: Callable[[], httpx.AsyncBaseTransport | None],
        retry_base_seconds: float = 1.0,
    ) -> None:
        self._uow = uow
        self.clock = clock
        self.secret = secret
        self.url = url
        self._transport = transport
        self.retry_base_seconds = retry_base_seconds
        self._sending: set[asyncio.Task[None]] = set()

    async def complete(self, reference: str, outcome: Outcome) -> GatewayPayment:
        """Finish a payment awaiting 3-D Secure and queue its signed webhook (idempotent)."""
        wanted = GatewayStatus.CAPTURED if outcome is Outcome.SUCCEEDED else GatewayStatus.FAILED
        async with self._uow() as uow:
            row = await uow.session.get(SandboxPayment, reference, with_for_update=True)
            if row is None:
                raise UnknownSandboxPayment(details={"reference": reference})
            if row.status == wanted.value:
                return row.view()  # completed before with this outcome: nothing new to say
            if row.status != GatewayStatus.REQUIRES_ACTION:
                raise AlreadyCompleted(details={"reference": reference, "status": row.status})
            now = uow.clock.now()
            row.status = wanted.value
            row.failure_reason = None if outcome is Outcome.SUCCEEDED else AUTHENTICATION_FAILED
            row.updated_at = now
            event_id = f"evt_{uuid.uuid4().hex}"
            data: dict[str, Any] = {"reference": reference}
            if row.failure_reason:
                data["failure_reason"] = row.failure_reason
            body = {"id": event_id, "type": f"payment.{outcome.value}", "data": data}
            uow.session.add(
                SandboxWebhook(
                    id=event_id,
                    payment_reference=reference,
                    type=body["type"],
                    body=json.dumps(body, separators=(",", ":")),
                    status=DeliveryStatus.PENDING.value,
                    attempts=0,
                    created_at=now,
                )
            )
            await jobs.schedule(
                uow,
                kind=DELIVER_JOB,
                due_at=now,
                payload={"event_id": event_id},
                key=_job_key(event_id, 1),
            )
            await uow.commit()
        return row.view()

    async def deliver_job(self, payload: dict[str, Any], uow: UnitOfWork) -> None:
        """Job handler: claim one attempt and schedule the fallback; the POST runs after."""
        event_id = str(payload["event_id"])
        row = await uow.session.get(SandboxWebhook, event_id, with_for_update=True)
        if row is None or row.status != DeliveryStatus.PENDING:
            return
        row.attempts += 1
        attempt = row.attempts
        if attempt < MAX_ATTEMPTS:
            delay = retry_delay(attempt, base_seconds=self.retry_base_seconds)
            await jobs.schedule(
                uow,
                kind=DELIVER_JOB,
                due_at=uow.clock.now() + delay,
                payload={"event_id": event_id},
                key=_job_key(event_id, attempt + 1),
            )
        task = asyncio.create_task(self._send(event_id, row.body.encode(), attempt))
        self._sending.add(task)
        task.add_done_callback(self._sending.discard)

    async def drain(self) -> None:
        """Wait for the deliveries in flight (tests, and a clean shutdown)."""
        while self._sending:
            await asyncio.gather(*list(self._sending), return_exceptions=True)

    async def _send(self, event_id: str, body: bytes, attempt: int) -> None:
        error: str | None = None
        try:
            status = await post_signed(
                self.url, body, secret=self.secret, at=self.clock.now(), transport=self._transport()
            )
            if not 200 <= status < 300:
                error = f"HTTP {status}"
        except (httpx.HTTPError, OSError) as exc:
            error = f"{type(exc).__name__}: {exc}"
        await self._record(event_id, attempt, error)

    async def _record(self, event_id: str, attempt: int, error: str | None) -> None:
        async with self._uow() as uow:
            row = await uow.session.get(SandboxWebhook, event_id, with_for_update=True)
            if row is None or row.status != DeliveryStatus.PENDING:
                return
            if error is None:
                row.status = DeliveryStatus.DELIVERED.value
                row.delivered_at = uow.clock.now()
                await jobs.cancel(uow, key=_job_key(event_id, attempt + 1))
            else:
                row.last_error = error
                if attempt >= MAX_ATTEMPTS:
                    row.status = DeliveryStatus.FAILED.value
                log.warning(
                    "sandbox_webhook_failed", event_id=event_id, attempt=attempt, error=error
                )
            await uow.commit()
