"""Wake-up signals for the dispatcher: PostgreSQL NOTIFY from any process, commits in this one.

NOTIFY is best-effort (a dropped connection loses what was sent meanwhile), so the listener
wakes its owner after every (re)connect, and the owner keeps a slow poll as a safety net.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

import asyncpg
import structlog
from sqlalchemy.engine import make_url

from emporium.kernel.backoff import retry_delay
from emporium.kernel.events import NOTIFY_CHANNEL

log = structlog.get_logger("emporium.dispatcher")

APPLICATION_NAME = "emporium-listener"
# How often an idle listening connection is checked, to notice a half-open TCP connection.
HEALTH_CHECK_SECONDS = 30.0
RECONNECT_CAP_SECONDS = 30.0


def asyncpg_dsn(url: str) -> str:
    """The plain libpq DSN of a SQLAlchemy `postgresql+asyncpg://` URL."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


class NotificationListener:
    """LISTENs on the event channel over its own connection (not the pool), reconnecting."""

    def __init__(self, url: str, wake: asyncio.Event, *, channel: str = NOTIFY_CHANNEL) -> None:
        self.dsn = asyncpg_dsn(url)
        self.wake = wake
        self.channel = channel
        self.connected = asyncio.Event()
        self.connections = 0  # how many times it has (re)connected, for operators and tests
        self._stopping = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    async def start(self, *, ready_timeout: float = 10.0) -> None:
        """Start listening; waits a little for the first connection, then carries on without."""
        self._task = asyncio.create_task(self._run(), name="emporium-listener")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.connected.wait(), ready_timeout)

    async def stop(self) -> None:
        self._stopping.set()
        if self._task is not None:
            await self._task
            self._task = None

    async def _run(self) -> None:
        failures = 0
        while not self._stopping.is_set():
            try:
                await self._listen_once()
                failures = 0
            except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
                failures += 1
                log.warning("listener_disconnected", failures=failures, error=str(exc))
            self.connected.clear()
            if not self._stopping.is_set():
                delay = retry_delay(
                    failures + 1, base_seconds=0.5, cap_seconds=RECONNECT_CAP_SECONDS
                )
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stopping.wait(), delay.total_seconds())

    async def _listen_once(self) -> None:
        conn = await asyncpg.connect(
            self.dsn, server_settings={"application_name": APPLICATION_NAME}
        )
        lost = asyncio.Event()
        conn.add_termination_listener(lambda _conn: lost.set())
        try:
            await conn.add_listener(self.channel, self._on_notify)
            self.connections += 1
            self.connected.set()
            self.wake.set()  # whatever was sent while we were away must be looked at now
            while not self._stopping.is_set() and not lost.is_set():
                await wait_for_any(self._stopping, lost, timeout=HEALTH_CHECK_SECONDS)
                if not self._stopping.is_set() and not lost.is_set():
                    await conn.execute("SELECT 1")
        finally:
            if not conn.is_closed():
                with contextlib.suppress(Exception):  # closing a broken connection may fail
                    await conn.close(timeout=5)

    def _on_notify(self, *_args: Any) -> None:
        self.wake.set()


async def wait_for_any(*events: asyncio.Event, timeout: float) -> None:
    """Return when any of events is set, or after timeout seconds."""
    waiters = [asyncio.ensure_future(e.wait()) for e in events]
    try:
        await asyncio.wait(waiters, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for waiter in waiters:
            waiter.cancel()
