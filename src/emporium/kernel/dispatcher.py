"""Delivers the event log to named subscribers, with checkpoints, retries, dead letters and replay.

A subscriber's batch runs in ONE unit of work that also moves its checkpoint, so its
database effects are exactly-once. The subscription row is claimed with
`FOR UPDATE SKIP LOCKED` on PostgreSQL, so several workers share the subscribers and none
is handled by two at once; on SQLite the single writer (BEGIN IMMEDIATE) gives the same
guarantee. Each event runs in a savepoint: a failing event is undone alone, the events before
it commit with the checkpoint, and it is retried with backoff until it is parked as a dead
letter, so a poisoned event never stalls its subscriber.

Because positions become visible in commit order (kernel/events.py and
docs/decisions/0001-commit-ordered-event-log.md), a checkpoint may move to the head of the log
as it was read: every gap below it is a rolled-back transaction.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

import structlog
from sqlalchemy import BigInteger, Integer, String, Text, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from emporium.kernel import dead_letters
from emporium.kernel import events as event_log
from emporium.kernel.backoff import retry_delay
from emporium.kernel.clock import isoformat
from emporium.kernel.db import Base, UTCDateTime
from emporium.kernel.errors import Conflict, NotFound
from emporium.kernel.events import StoredEvent
from emporium.kernel.http.ops import METRICS_REFRESHERS
from emporium.kernel.registry import Subscriber
from emporium.kernel.runtime import Runtime
from emporium.kernel.uow import UnitOfWork
from emporium.kernel.upsert import insert_if_absent

log = structlog.get_logger("emporium.dispatcher")


class SubscriptionRecord(Base):
    """A subscriber's checkpoint and the state of its current failure, if any."""

    __tablename__ = "kernel_subscription"

    name: Mapped[str] = mapped_column(String(120), primary_key=True)
    position: Mapped[int] = mapped_column(BigInteger)
    attempts: Mapped[int] = mapped_column(Integer)
    failing_position: Mapped[int | None] = mapped_column(BigInteger)
    retry_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class SubscriberNotFound(NotFound):
    default_message = "No subscriber has this name"


class NotReplayable(Conflict):
    default_message = "This subscriber has effects outside the database and cannot be replayed"


@dataclass(frozen=True)
class Progress:
    """What one run did: events handled, and whether the checkpoint moved at all."""

    handled: int = 0
    advanced: bool = False

    def __add__(self, other: Progress) -> Progress:
        return Progress(self.handled + other.handled, self.advanced or other.advanced)


@dataclass(frozen=True)
class SubscriberStatus:
    """How far a subscriber has got, for admins and metrics."""

    name: str
    position: int
    lag: int
    attempts: int
    last_error: str | None
    retry_at: datetime | None
    replayable: bool
    parked: int


async def run_subscriber(runtime: Runtime, subscriber: Subscriber) -> Progress:
    """Handle one batch of subscriber's events; effects and checkpoint commit together."""
    plan = await plan_pass(runtime, [subscriber])
    if plan.idle:
        return await advance_idle(runtime, plan)
    if not plan.due:
        return Progress()
    return await run_batch(runtime, subscriber)


async def run_batch(runtime: Runtime, subscriber: Subscriber) -> Progress:
    """One batch of a subscriber that has work: a single unit of work, checkpoint included."""
    async with runtime.uow() as uow:
        row = await _claim(uow, subscriber.name, skip_locked=True)
        now = runtime.clock.now()
        if row is None or (row.retry_at is not None and row.retry_at > now):
            return Progress()  # another worker has it, or its failing event is not due yet
        start = row.position
        head = await event_log.head_position(uow.session)
        if head <= start:
            return Progress()
        batch = await event_log.read_after(
            uow.session, start, limit=subscriber.batch_size, types=subscriber.types, upto=head
        )
        handled, failure = await _handle_batch(subscriber, batch, uow)
        if failure is None:
            # A short batch means no matching event is left up to head: skip past the rest.
            _settle(row, head if len(batch) < subscriber.batch_size else batch[-1].position, now)
        else:
            reached = batch[handled - 1].position if handled else start
            await _fail(runtime, uow, row, failure, reached)
        await uow.commit()
    if handled:
        runtime.metrics.events_handled.labels(subscriber.name, "ok").inc(handled)
    return Progress(handled, row.position != start)


# Subscribers at most this far behind the head are planned from one grouped read of the
# recent log; the grouped read never scans more than this many events.
RECENT_WINDOW = 2_000


@dataclass(frozen=True)
class Plan:
    """What a dispatch pass will do, decided from one read-only look at the log."""

    head: int
    due: list[Subscriber]  # a matching event (or a due retry) waits for these
    idle: dict[str, int]  # behind the head with nothing to handle: name -> position


async def plan_pass(runtime: Runtime, subscribers: Iterable[Subscriber] | None = None) -> Plan:
    """Which subscribers have work; which only need their checkpoint moved to the head.

    Read-only, so an idle pass takes no write lock (SQLite has only one): a subscriber whose
    types did not occur since its checkpoint costs one index probe, not a transaction.
    """
    chosen = list(runtime.subscribers if subscribers is None else subscribers)
    now = runtime.clock.now()
    async with runtime.db.read() as session:
        head = await event_log.head_position(session)
        rows = {
            name: (position, retry_at)
            for name, position, retry_at in await session.execute(
                select(
                    SubscriptionRecord.name,
                    SubscriptionRecord.position,
                    SubscriptionRecord.retry_at,
                ).where(SubscriptionRecord.name.in_([s.name for s in chosen]))
            )
        }
        behind = {s.name: rows.get(s.name, (0, None))[0] for s in chosen}
        near = [p for p in behind.values() if 0 < head - p <= RECENT_WINDOW]
        # One grouped read answers for every subscriber close to the head; the far behind
        # (replaying, a new one) each probe the (type, position) index instead.
        recent = await event_log.latest_by_type(session, min(near), upto=head) if near else {}
        due: list[Subscriber] = []
        idle: dict[str, int] = {}
        for subscriber in chosen:
            position, retry_at = rows.get(subscriber.name, (0, None))
            if head <= position:
                continue
            if retry_at is not None:  # a failing event waits for its retry, then goes first
                if retry_at <= now:
                    due.append(subscriber)
                continue
            if head - position <= RECENT_WINDOW:
                waiting = any(
                    latest > position
                    for kind, latest in recent.items()
                    if subscriber.types is None or kind in subscriber.types
                )
            else:
                found = await event_log.first_after(
                    session, position, upto=head, types=subscriber.types
                )
                waiting = found is not None
            if waiting:
                due.append(subscriber)
            else:
                idle[subscriber.name] = position
    return Plan(head=head, due=due, idle=idle)


async def advance_idle(runtime: Runtime, plan: Plan) -> Progress:
    """Move every idle subscriber's checkpoint to the head in one transaction.

    Guarded by the position seen when planning: a worker that moved one meanwhile wins. Safe
    because positions become visible in commit order: nothing can still appear below head.
    """
    if not plan.idle:
        return Progress()
    now = runtime.clock.now()
    moved = 0
    async with runtime.uow() as uow:
        for name, position in plan.idle.items():
            await _create(uow.session, name, now)
            result = await uow.session.execute(
                update(SubscriptionRecord)
                .where(
                    SubscriptionRecord.name == name,
                    SubscriptionRecord.position == position,
                    SubscriptionRecord.retry_at.is_(None),
                )
                .values(position=plan.head, updated_at=now)
                .execution_options(synchronize_session=False)
            )
            moved += int(getattr(result, "rowcount", 0) or 0)
        await uow.commit()
    return Progress(0, moved > 0)


async def dispatch_once(runtime: Runtime) -> Progress:
    """Run one batch of every subscriber that has work, and move the idle ones along."""
    plan = await plan_pass(runtime)
    progress = Progress()
    for subscriber in plan.due:
        progress += await run_batch(runtime, subscriber)
    return progress + await advance_idle(runtime, plan)


async def dispatch_until_idle(runtime: Runtime) -> int:
    """Run every subscriber until none has anything left that is due; returns events handled."""
    handled = 0
    while True:
        progress = await dispatch_once(runtime)
        handled += progress.handled
        if not progress.advanced:
            return handled


async def replay(runtime: Runtime, name: str) -> None:
    """Rebuild a subscriber from position 0: its reset and its checkpoint commit together."""
    subscriber = runtime.subscribers.get(name)
    if subscriber is None:
        raise SubscriberNotFound(details={"subscriber": name})
    if subscriber.reset is None:
        raise NotReplayable(details={"subscriber": name})
    async with runtime.uow() as uow:
        # Wait for a batch in flight rather than skip: the reset must not interleave with it.
        row = await _claim(uow, name, skip_locked=False)
        assert row is not None, "a subscription row is created when missing"
        _settle(row, 0, runtime.clock.now())
        await dead_letters.supersede(uow, subscriber=name)
        await subscriber.reset(uow)
        await uow.commit()
    log.info("subscriber_replay_started", subscriber=name)


async def catch_up(
    runtime: Runtime, name: str, rebuild: Callable[[UnitOfWork], Awaitable[None]]
) -> int:
    """Rebuild a read model from the current state and move its checkpoint to the head.

    For read models that only mirror current state (a search index, a cache): after a bulk
    load, rebuilding beats replaying every event one by one. The head is read before the
    state is, so events committed meanwhile are still delivered later (handlers of such read
    models are idempotent upserts). Returns the new checkpoint.
    """
    async with runtime.uow() as uow:
        row = await _claim(uow, name, skip_locked=False)
        assert row is not None, "a subscription row is created when missing"
        head = await event_log.head_position(uow.session)
        await rebuild(uow)
        _settle(row, head, runtime.clock.now())
        await uow.commit()
    log.info("subscriber_caught_up", subscriber=name, position=head)
    return head


async def subscriber_statuses(runtime: Runtime) -> list[SubscriberStatus]:
    """Every registered subscriber (and any checkpoint left by an old one), with its lag."""
    async with runtime.db.read() as session:
        head = await event_log.head_position(session)
        rows = {r.name: r for r in (await session.scalars(select(SubscriptionRecord))).all()}
        session.expunge_all()  # keep them loaded: the read session rolls back (and expires)
    parked = await dead_letters.parked_counts(runtime)
    names = [s.name for s in runtime.subscribers]
    names += sorted(set(rows) - set(names))
    statuses = []
    for name in names:
        row = rows.get(name)
        subscriber = runtime.subscribers.get(name)
        position = row.position if row else 0
        statuses.append(
            SubscriberStatus(
                name=name,
                position=position,
                lag=max(head - position, 0),
                attempts=row.attempts if row else 0,
                last_error=row.last_error if row else None,
                retry_at=row.retry_at if row else None,
                replayable=bool(subscriber and subscriber.replayable),
                parked=parked.get(name, 0),
            )
        )
    return statuses


async def refresh_metrics(runtime: Runtime) -> None:
    """Set the lag and dead-letter gauges from the database (run on each /metrics scrape)."""
    for status in await subscriber_statuses(runtime):
        runtime.metrics.dispatcher_lag.labels(status.name).set(status.lag)
        runtime.metrics.dead_letters.labels(status.name).set(status.parked)


def install_metrics(runtime: Runtime) -> None:
    """Have /metrics refresh the dispatcher gauges (once, however often this is called)."""
    refreshers = runtime.services.setdefault(METRICS_REFRESHERS, [])
    if refresh_metrics not in refreshers:
        refreshers.append(refresh_metrics)


async def _claim(uow: UnitOfWork, name: str, *, skip_locked: bool) -> SubscriptionRecord | None:
    stmt = (
        select(SubscriptionRecord)
        .where(SubscriptionRecord.name == name)
        .with_for_update(skip_locked=skip_locked)
    )
    row = await uow.session.scalar(stmt)
    if row is None and await _create(uow.session, name, uow.clock.now()):
        row = await uow.session.scalar(stmt)
    return row


async def _create(session: AsyncSession, name: str, now: datetime) -> bool:
    values = {"name": name, "position": 0, "attempts": 0, "updated_at": now}
    return await insert_if_absent(session, SubscriptionRecord, values)


async def _handle_batch(
    subscriber: Subscriber, batch: list[StoredEvent], uow: UnitOfWork
) -> tuple[int, tuple[StoredEvent, Exception] | None]:
    """Handle events in order, each in a savepoint; stop at the first that raises."""
    for index, event in enumerate(batch):
        try:
            async with uow.savepoint():
                await subscriber.handle(event, uow)
        except Exception as exc:
            return index, (event, exc)
    return len(batch), None


def _settle(row: SubscriptionRecord, position: int, now: datetime) -> None:
    row.position = position
    row.attempts = 0
    row.failing_position = None
    row.retry_at = None
    row.last_error = None
    row.updated_at = now


async def _fail(
    runtime: Runtime,
    uow: UnitOfWork,
    row: SubscriptionRecord,
    failure: tuple[StoredEvent, Exception],
    reached: int,
) -> None:
    """Keep the events before the failing one, then retry it later or park it."""
    event, exc = failure
    now = runtime.clock.now()
    settings = runtime.settings
    attempt = row.attempts + 1 if row.failing_position == event.position else 1
    error = dead_letters.describe(exc)
    context = {"subscriber": row.name, "position": event.position, "event_type": event.type}
    if attempt >= settings.dispatcher_max_attempts:
        await dead_letters.park(
            uow, subscriber=row.name, event=event, error=error, attempts=attempt
        )
        _settle(row, event.position, now)  # move past it: the subscriber must not stall
        row.last_error = error
        log.error("event_parked", attempt=attempt, **context, exc_info=exc)
        runtime.metrics.events_handled.labels(row.name, "parked").inc()
        return
    row.position = reached
    row.attempts = attempt
    row.failing_position = event.position
    row.last_error = error
    row.retry_at = now + retry_delay(attempt, base_seconds=settings.dispatcher_retry_base_seconds)
    row.updated_at = now
    log.warning(
        "event_failed", attempt=attempt, retry_at=isoformat(row.retry_at), **context, exc_info=exc
    )
    runtime.metrics.events_handled.labels(row.name, "failed").inc()
