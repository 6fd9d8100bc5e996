"""The saga engine's tables, states and events: a saga row and its step log."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, ClassVar

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from emporium.kernel.db import Base, JSONType, UTCDateTime, UUIDType
from emporium.kernel.events import DomainEvent


class SagaStatus(StrEnum):
    RUNNING = "running"
    WAITING = "waiting"
    COMPENSATING = "compensating"
    COMPLETED = "completed"
    COMPENSATED = "compensated"
    FAILED = "failed"

    @property
    def finished(self) -> bool:
        return self in (SagaStatus.COMPLETED, SagaStatus.COMPENSATED, SagaStatus.FAILED)


# A driver may only pick up a saga in these states; the others rest until an event or timer.
DRIVABLE = (SagaStatus.RUNNING, SagaStatus.COMPENSATING)


class Phase(StrEnum):
    FORWARD = "forward"
    COMPENSATE = "compensate"


class StepStatus(StrEnum):
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    SKIPPED = "skipped"

    @property
    def settled(self) -> bool:
        return self in (StepStatus.DONE, StepStatus.SKIPPED)


class FailureKind(StrEnum):
    """Why a saga turned back: it ends `compensated` for the first two, `failed` for errors."""

    BUSINESS = "business"
    TIMEOUT = "timeout"
    ERROR = "error"


class SagaRecord(Base):
    """One saga: where it is, what it knows, and who is driving it (the lease)."""

    __tablename__ = "kernel_saga"

    id: Mapped[uuid.UUID] = mapped_column(UUIDType, primary_key=True)
    type: Mapped[str] = mapped_column(String(120))
    key: Mapped[str] = mapped_column(String(200), unique=True)
    status: Mapped[str] = mapped_column(String(20), index=True)
    current_step: Mapped[str | None] = mapped_column(String(120))
    data: Mapped[dict[str, Any]] = mapped_column(JSONType)
    failure: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    waiting_for: Mapped[str | None] = mapped_column(String(120))
    correlation: Mapped[str | None] = mapped_column(String(200), index=True)
    deadline_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    lease_token: Mapped[uuid.UUID | None] = mapped_column(UUIDType)
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    retry_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class SagaStepRecord(Base):
    """One step of a saga in one phase: the log that makes steps idempotent."""

    __tablename__ = "kernel_saga_step"

    id: Mapped[uuid.UUID] = mapped_column(UUIDType, primary_key=True)
    saga_id: Mapped[uuid.UUID] = mapped_column(UUIDType, ForeignKey("kernel_saga.id"))
    step: Mapped[str] = mapped_column(String(120))
    phase: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20))
    attempt: Mapped[int] = mapped_column(Integer)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    error: Mapped[str | None] = mapped_column(Text)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (UniqueConstraint("saga_id", "step", "phase"),)


@dataclass(frozen=True, kw_only=True)
class _SagaEvent(DomainEvent):
    aggregate_type: ClassVar[str] = "saga"

    id: uuid.UUID
    saga_type: str
    key: str


@dataclass(frozen=True, kw_only=True)
class SagaStarted(_SagaEvent):
    type: ClassVar[str] = "sagas.saga_started"


@dataclass(frozen=True, kw_only=True)
class SagaStepCompleted(_SagaEvent):
    type: ClassVar[str] = "sagas.step_completed"

    step: str
    attempt: int


@dataclass(frozen=True, kw_only=True)
class SagaStepFailed(_SagaEvent):
    type: ClassVar[str] = "sagas.step_failed"

    step: str
    attempt: int
    failure: dict[str, Any]


@dataclass(frozen=True, kw_only=True)
class SagaStepCompensated(_SagaEvent):
    type: ClassVar[str] = "sagas.step_compensated"

    step: str
    attempt: int
    skipped: bool


@dataclass(frozen=True, kw_only=True)
class SagaWaiting(_SagaEvent):
    type: ClassVar[str] = "sagas.saga_waiting"

    step: str
    waiting_for: str
    correlation: str
    deadline_at: datetime


@dataclass(frozen=True, kw_only=True)
class SagaCompleted(_SagaEvent):
    type: ClassVar[str] = "sagas.saga_completed"


@dataclass(frozen=True, kw_only=True)
class SagaCompensated(_SagaEvent):
    type: ClassVar[str] = "sagas.saga_compensated"

    failure: dict[str, Any]


@dataclass(frozen=True, kw_only=True)
class SagaFailed(_SagaEvent):
    type: ClassVar[str] = "sagas.saga_failed"

    failure: dict[str, Any]
