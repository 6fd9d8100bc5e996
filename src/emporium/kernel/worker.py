"""The background loop of a process: dispatches events and runs due jobs until stopped.

Both loops sleep on their wake-up signals with the poll interval as a timeout; the poll uses
real time, which is fine here: tests drive the same work with `dispatch_until_idle` and
`run_due_jobs` and a fake clock. An error in one iteration is logged and the loop goes on.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import time

import structlog

from emporium.kernel import jobs
from emporium.kernel.dispatcher import Plan, advance_idle, plan_pass, run_batch
from emporium.kernel.runtime import Runtime
from emporium.kernel.wakeup import NotificationListener, wait_for_any

log = structlog.get_logger("emporium.worker")

# How long stop() lets a handler in flight finish before cancelling it (its work rolls back).
STOP_GRACE_SECONDS = 10.0
# After a wake-up, wait this long before the pass: commits arriving together share it.
COALESCE_SECONDS = 0.01
# Idle checkpoints (subscribers none of whose event types occurred) move to the head at most
# this often. Moving them is bookkeeping only (planning probes an index from any checkpoint),
# and on SQLite each move is a write that every request's write waits behind: done on every
# pass it cost a busy checkout a dozen writes. Their lag stays under a second's worth.
IDLE_ADVANCE_SECONDS = 1.0


class BackgroundWorker:
    """Runs the dispatcher and job runner as asyncio tasks (inline in serve, or alone)."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.wake = asyncio.Event()
        self.idle = asyncio.Event()  # set while the dispatcher sleeps, for operators and tests
        self.listener: NotificationListener | None = None
        self._stopping = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []
        self._idle_moved_at = float("-inf")  # time.monotonic(): a rate limit, not business time

    async def start(self) -> None:
        """Start listening and launch both loops; returns once they are running."""
        self._stopping.clear()
        if self.runtime.db.is_postgres:
            self.listener = NotificationListener(self.runtime.settings.database_url, self.wake)
            await self.listener.start()
        try:
            await jobs.ensure_registered_recurring(self.runtime)
        except Exception:  # the database may be down now; the next start will try again
            log.exception("recurring_jobs_not_ensured")
        self._tasks = [
            asyncio.create_task(self._dispatch_loop(), name="emporium-dispatcher"),
            asyncio.create_task(self._job_loop(), name="emporium-jobs"),
        ]
        log.info("worker_started", subscribers=len(self.runtime.subscribers))

    async def stop(self) -> None:
        """Finish the work in hand (up to a grace period), then stop both loops."""
        self._stopping.set()
        if self._tasks:
            _, late = await asyncio.wait(self._tasks, timeout=STOP_GRACE_SECONDS)
            for task in late:
                task.cancel()
            await asyncio.gather(*self._tasks, return_exceptions=True)
            self._tasks = []
        if self.listener is not None:
            await self.listener.stop()
            self.listener = None
        log.info("worker_stopped")

    async def _dispatch_loop(self) -> None:
        runtime = self.runtime
        committed = runtime.db.committed
        while not self._stopping.is_set():
            # Cleared before the pass, so a commit during it triggers another pass at once.
            self.wake.clear()
            committed.clear()
            advanced = False
            try:
                plan = await plan_pass(runtime)
                for subscriber in plan.due:
                    if self._stopping.is_set():
                        break
                    try:
                        advanced |= (await run_batch(runtime, subscriber)).advanced
                    except Exception:
                        log.exception("dispatch_failed", subscriber=subscriber.name)
                await self._advance_idle(plan)
            except Exception:
                log.exception("dispatch_pass_failed")
            if not advanced:
                self.idle.set()
                await wait_for_any(
                    self._stopping,
                    self.wake,
                    committed,
                    timeout=runtime.settings.dispatcher_poll_seconds,
                )
                self.idle.clear()
                # Let a burst of commits settle into one pass instead of one pass each.
                await wait_for_any(self._stopping, timeout=COALESCE_SECONDS)

    async def _advance_idle(self, plan: Plan) -> None:
        """Move idle checkpoints along, at most once per IDLE_ADVANCE_SECONDS.

        Not counted as progress: it hands no subscriber work, so it must not start a pass.
        """
        now = time.monotonic()
        if plan.idle and now - self._idle_moved_at >= IDLE_ADVANCE_SECONDS:
            self._idle_moved_at = now
            await advance_idle(self.runtime, plan)

    async def _job_loop(self) -> None:
        runtime = self.runtime
        while not self._stopping.is_set():
            ran = False
            try:
                job = await jobs.claim_due_job(runtime)
                if job is not None:
                    await jobs.run_claimed(runtime, job)
                    ran = True
            except Exception:
                log.exception("job_loop_failed")
            if not ran:
                await wait_for_any(self._stopping, timeout=runtime.settings.dispatcher_poll_seconds)


async def run_until_signalled(runtime: Runtime) -> None:
    """Run a worker until SIGTERM or SIGINT, then stop it cleanly (`emporium worker`)."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    worker = BackgroundWorker(runtime)
    await worker.start()
    try:
        await stop.wait()
    finally:
        await worker.stop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            with contextlib.suppress(ValueError, RuntimeError):
                loop.remove_signal_handler(signum)
