"""A worker that claims a job and hangs in it (`python -m tests.kernel.proc_blocking_job URL NOW`).

It runs on a fake clock set to NOW, registers the kind `test.block` whose handler prints
`running` and then blocks forever, and runs the due jobs. The test kills it mid-job.
"""

from __future__ import annotations

import asyncio
import sys
from datetime import datetime
from typing import Any

from emporium.bootstrap import build_runtime
from emporium.kernel.clock import FakeClock
from emporium.kernel.jobs import run_due_jobs
from emporium.kernel.uow import UnitOfWork
from emporium.settings import Settings


async def block_forever(payload: dict[str, Any], uow: UnitOfWork) -> None:
    print("running", flush=True)
    await asyncio.Event().wait()


async def main(url: str, now: str) -> None:
    settings = Settings(_env_file=None, database_url=url, dispatcher="off")  # type: ignore[call-arg]
    runtime = build_runtime(settings, clock=FakeClock(datetime.fromisoformat(now)))
    runtime.jobs.add("test.block", block_forever)
    await run_due_jobs(runtime)


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2]))
