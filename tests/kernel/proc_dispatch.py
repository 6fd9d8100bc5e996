"""A dispatcher in its own OS process, for tests: `python -m tests.kernel.proc_dispatch URL NAME`.

Registers the subscribers `shared-0` … `shared-3` (each writes a test_effect row tagged with
this worker's name), prints `ready`, waits for a line on stdin, then dispatches until idle and
prints how many events it handled.
"""

from __future__ import annotations

import asyncio
import sys

from emporium.bootstrap import build_runtime
from emporium.kernel.dispatcher import dispatch_until_idle
from emporium.kernel.registry import Subscriber
from emporium.settings import Settings
from tests.kernel.builders import writes_effect

SUBSCRIBERS = [f"shared-{i}" for i in range(4)]


async def main(url: str, worker: str) -> None:
    settings = Settings(_env_file=None, database_url=url, dispatcher="off")  # type: ignore[call-arg]
    runtime = build_runtime(settings)
    for name in SUBSCRIBERS:
        runtime.subscribers.add(
            Subscriber(name=name, handle=writes_effect(name, worker=worker), batch_size=5)
        )
    print("ready", flush=True)
    await asyncio.to_thread(sys.stdin.readline)
    handled = await dispatch_until_idle(runtime)
    await runtime.db.dispose()
    print(handled, flush=True)


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2]))
