"""Several dispatchers on one database share the work and never handle an event twice."""

from __future__ import annotations

import asyncio
import sys
from collections import Counter
from pathlib import Path

from emporium.bootstrap import build_runtime
from emporium.kernel.clock import FakeClock
from emporium.kernel.dispatcher import dispatch_until_idle
from emporium.kernel.registry import Subscriber
from emporium.kernel.runtime import Runtime
from emporium.settings import Settings
from tests.kernel import proc_dispatch
from tests.kernel.builders import append_things, effects, writes_effect

ROOT = Path(__file__).resolve().parents[2]


def assert_each_event_handled_once_in_order(
    rows: list[dict[str, object]], names: list[str], positions: list[int]
) -> None:
    for name in names:
        handled = [row["position"] for row in rows if row["source"] == name]
        assert handled == positions, name


async def test_two_dispatchers_in_one_process_handle_every_event_once(
    runtime: Runtime, settings: Settings, clock: FakeClock
) -> None:
    other = build_runtime(settings, clock=clock)
    names = [f"shared-{i}" for i in range(4)]
    for worker, rt in (("one", runtime), ("two", other)):
        for name in names:
            rt.subscribers.add(
                Subscriber(name=name, handle=writes_effect(name, worker=worker), batch_size=5)
            )
    positions = await append_things(runtime, 40)

    try:
        handled = await asyncio.gather(dispatch_until_idle(runtime), dispatch_until_idle(other))
    finally:
        await other.db.dispose()

    assert sum(handled) == 40 * len(names)
    assert_each_event_handled_once_in_order(await effects(runtime), names, positions)
    assert await dispatch_until_idle(runtime) == 0


async def test_two_worker_processes_handle_every_event_once(
    runtime: Runtime, database_url: str
) -> None:
    positions = await append_things(runtime, 60)
    processes = [
        await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "tests.kernel.proc_dispatch",
            database_url,
            worker,
            cwd=ROOT,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
        )
        for worker in ("one", "two")
    ]
    for process in processes:
        assert process.stdout is not None
        assert (await process.stdout.readline()).strip() == b"ready"
    for process in processes:  # both start dispatching at the same moment
        assert process.stdin is not None
        process.stdin.write(b"go\n")
        await process.stdin.drain()
    outputs = [await process.communicate() for process in processes]

    assert all(process.returncode == 0 for process in processes)
    handled = [int(out.strip()) for out, _ in outputs]
    assert sum(handled) == len(positions) * len(proc_dispatch.SUBSCRIBERS)
    rows = await effects(runtime)
    assert_each_event_handled_once_in_order(rows, proc_dispatch.SUBSCRIBERS, positions)
    print("work shared:", Counter(str(row["worker"]) for row in rows))
