"""Ledger throughput: posted transactions per second with N concurrent posters.

`python -m bench ledger [--posters 1,4,16] [--transactions 2000] [--wallets 1000]
[--database-url postgresql+asyncpg://…] [--sqlite-only]`

Three workloads, each a fresh set of funded wallets, each posting its own unit of work:

- `transfers`: one wallet to another of `--wallets` (two accounts, no hot account);
- `to clearing`: a wallet to the one gateway-clearing account, which every posting locks
  (the hot-account case: on PostgreSQL those postings queue on that row);
- `wallet payments`: the same money path through `pay_from_wallet`, i.e. with the account
  lookups and the `wallet.paid` event appended to the event log (what a checkout pays).

Posters are asyncio tasks in one process, each with its own connection. SQLite runs on a
temporary file; PostgreSQL on `--database-url` (an empty database; it is migrated), or on a
throwaway cluster started from the server binaries like the tests' (fsync off: figures are
upper bounds for a real disk). The books are checked at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import random
import statistics
import subprocess
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path

from emporium.bootstrap import build_runtime
from emporium.contexts import wallet
from emporium.contexts.wallet import AccountKind, AccountRef, Cause, TransactionKind
from emporium.kernel import migrate
from emporium.kernel.money import Money
from emporium.kernel.runtime import Runtime
from emporium.settings import Settings

Post = Callable[[Runtime, random.Random], Awaitable[None]]
FUNDS = 10**9


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def _fund(runtime: Runtime, count: int) -> tuple[list[AccountRef], AccountRef]:
    """count new wallets, each topped up with plenty, in one posting; and clearing."""
    async with runtime.uow() as uow:
        clearing = await wallet.account_for(uow, AccountKind.GATEWAY_CLEARING, None, "EUR")
        wallets = [
            await wallet.account_for(uow, AccountKind.BUYER_WALLET, uuid.uuid4(), "EUR")
            for _ in range(count)
        ]
        legs = [(w, Money(FUNDS, "EUR")) for w in wallets]
        await wallet.post(
            uow,
            kind=TransactionKind.TOP_UP,
            cause=Cause.of("bench", uuid.uuid4()),
            entries=[(clearing, Money(-FUNDS * count, "EUR")), *legs],
        )
        await uow.commit()
    return wallets, clearing


def _transfers(wallets: list[AccountRef]) -> Post:
    async def post(runtime: Runtime, rng: random.Random) -> None:
        source, target = rng.sample(wallets, 2)
        async with runtime.uow() as uow:
            await wallet.post(
                uow,
                kind=TransactionKind.CORRECTION,
                cause=Cause.of("bench", uuid.uuid4()),
                entries=[(source, Money(-1, "EUR")), (target, Money(1, "EUR"))],
            )
            await uow.commit()

    return post


def _to_clearing(wallets: list[AccountRef], clearing: AccountRef) -> Post:
    async def post(runtime: Runtime, rng: random.Random) -> None:
        async with runtime.uow() as uow:
            await wallet.post(
                uow,
                kind=TransactionKind.WALLET_PAYMENT,
                cause=Cause.of("bench", uuid.uuid4()),
                entries=[(rng.choice(wallets), Money(-1, "EUR")), (clearing, Money(1, "EUR"))],
            )
            await uow.commit()

    return post


def _wallet_payments(wallets: list[AccountRef]) -> Post:
    async def post(runtime: Runtime, rng: random.Random) -> None:
        buyer = rng.choice(wallets).owner_id
        assert buyer is not None
        async with runtime.uow() as uow:
            await wallet.pay_from_wallet(
                uow, buyer_id=buyer, amount=Money(1, "EUR"), cause=Cause.of("bench", uuid.uuid4())
            )
            await uow.commit()

    return post


async def _drive(
    runtime: Runtime, post: Post, posters: int, total: int
) -> tuple[float, list[float]]:
    """Post `total` transactions with `posters` concurrent tasks: wall seconds and latencies."""
    counter = itertools.count()
    latencies: list[float] = []

    async def poster(seed: int) -> None:
        rng = random.Random(seed)
        while next(counter) < total:
            started = time.perf_counter()
            await post(runtime, rng)
            latencies.append((time.perf_counter() - started) * 1000)

    started = time.perf_counter()
    await asyncio.gather(*(poster(seed) for seed in range(posters)))
    return time.perf_counter() - started, latencies


async def _measure(url: str, posters: list[int], total: int, count: int, name: str) -> list[str]:
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        database_url=url,
        secret_key="bench-secret-key-bench-secret-key-0123",
        dispatcher="off",
        log_level="WARNING",
        db_pool_size=max(posters) + 2,
    )
    runtime = build_runtime(settings)
    rows: list[str] = []
    try:
        for workload in ("transfers", "to clearing", "wallet payments"):
            for n in posters:
                wallets, clearing = await _fund(runtime, count)
                post = {
                    "transfers": _transfers(wallets),
                    "to clearing": _to_clearing(wallets, clearing),
                    "wallet payments": _wallet_payments(wallets),
                }[workload]
                wall, latencies = await _drive(runtime, post, n, total)
                rows.append(
                    f"| {name} | {workload} | {n} | {len(latencies)} | {len(latencies) / wall:.0f} "
                    f"| {statistics.median(latencies):.2f} | {percentile(latencies, 0.95):.2f} |"
                )
                print(rows[-1], flush=True)
        async with runtime.db.read() as session:
            totals = await wallet.trial_balance(session)
            mismatches = await wallet.check_balances(session)
        assert not any(totals.values()) and not mismatches, (totals, mismatches)
    finally:
        await runtime.aclose()
    return rows


def _nothing() -> None:
    return None


def _postgres_url(given: str | None) -> tuple[str | None, Callable[[], None]]:
    """The URL to measure PostgreSQL on, and what stops the cluster started for it."""
    if given:
        return given, _nothing
    from tests.support.postgres import start_cluster

    cluster = start_cluster()
    if cluster is None:
        print("PostgreSQL server binaries not found: PostgreSQL skipped (or pass --database-url)")
        return None, _nothing
    createdb = [str(cluster.bin_dir / "createdb"), "-h", "127.0.0.1", "-p", str(cluster.port)]
    subprocess.run([*createdb, "-U", cluster.user, "bench_ledger"], check=True)
    return cluster.url("bench_ledger"), cluster.stop


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench ledger", description=__doc__)
    parser.add_argument("--posters", default="1,4,16")
    parser.add_argument("--transactions", type=int, default=2000)
    parser.add_argument("--wallets", type=int, default=1000)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--sqlite-only", action="store_true")
    args = parser.parse_args(argv)
    posters = [int(n) for n in args.posters.split(",")]
    targets: list[tuple[str, str]] = []
    sqlite_path = Path(tempfile.mkdtemp(prefix="emporium-bench-ledger-")) / "ledger.db"
    targets.append(("SQLite", f"sqlite+aiosqlite:///{sqlite_path}"))
    stop = _nothing
    if not args.sqlite_only:
        url, stop = _postgres_url(args.database_url)
        if url:
            targets.append(("PostgreSQL", url))
    print(f"\n### Ledger throughput ({args.transactions} postings per row)\n")
    print("| database | workload | posters | postings | tx/s | p50 ms | p95 ms |")
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: |")
    try:
        for name, url in targets:
            migrate.upgrade(url)
            asyncio.run(_measure(url, posters, args.transactions, args.wallets, name))
    finally:
        stop()
    print("\nbooks balanced after every run (trial balance zero, balances = entries)")
    return 0
