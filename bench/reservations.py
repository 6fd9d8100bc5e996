"""Reservation benchmarks over real sockets against `emporium serve`, per database.

`python -m bench reservations [--database sqlite|postgresql|URL] [--racers 500]
 [--variants 10000] [--clients 12] [--requests 4000] [--lines-per-cart 10]
 [--dispatcher off|inline]`

- Hot item: `--racers` guest carts add the same unique comic at the same moment (one
  `POST /store/carts/{id}/items` each, all in flight at once). Exactly one must win (201),
  every other must get 409 INSUFFICIENT_INVENTORY. Reported: time until the last answer
  ("settle"), p50/p99 latency of the answers.
- Spread: `--clients` concurrent buyers add random in-stock variants out of `--variants`
  to their carts, `--requests` adds in all; reservations/s counts the adds that reserved
  (201), with p50/p99 latency. Units run out now and then (graded comics are unique): those
  409s are counted, not hidden.

Without --database both SQLite and PostgreSQL run (PostgreSQL from a throwaway cluster).
The server runs with `EMPORIUM_DISPATCHER=off` unless `--dispatcher inline`: subscribers
(search indexer, caches) then belong to `emporium worker` processes, and the figures are
those of the reservation path alone.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import time
from collections import Counter
from dataclasses import dataclass
from typing import Any

import httpx

from bench import harness
from emporium.contexts import catalog, inventory
from emporium.demo import load_demo
from emporium.kernel.runtime import Runtime

CARTS = "/api/v1/store/carts"


@dataclass(frozen=True)
class Seeded:
    hot_item: str
    variants: list[str]


async def seed(runtime: Runtime, *, variants: int) -> Seeded:
    """The demo marketplace, big enough for `variants` in-stock variants plus one hot comic."""
    await load_demo(runtime, products=int(variants * 1.3) + 10)
    async with runtime.db.read() as session:
        ids = list(await session.scalars(inventory.in_stock_variant_ids()))
        infos = await catalog.variant_infos(session, ids)
    unique = sorted(v for v, info in infos.items() if info.is_unique and info.purchasable)
    hot = unique[0]
    spread = [str(v) for v in sorted(ids) if v != hot and infos[v].purchasable][:variants]
    return Seeded(hot_item=str(hot), variants=spread)


def _percentiles(latencies: list[float]) -> tuple[float, float]:
    cuts = statistics.quantiles(latencies, n=100)
    return cuts[49] * 1000, cuts[98] * 1000


async def _carts(base_url: str, count: int) -> list[dict[str, str]]:
    """count guest carts, as the headers that open them (made before any clock starts).

    Their client is closed afterwards: a benchmark then starts on fresh connections, none of
    which the server may be closing for having been idle.
    """
    made: list[dict[str, str]] = []
    async with httpx.AsyncClient(base_url=base_url, timeout=120) as client:
        for start in range(0, count, 50):
            batch = await asyncio.gather(
                *(client.post(CARTS) for _ in range(min(50, count - start)))
            )
            made += [{"id": r.json()["id"], "X-Cart-Token": r.json()["cart_token"]} for r in batch]
    return made


async def hot_item_race(base_url: str, variant_id: str, racers: int) -> dict[str, Any]:
    """racers carts add one unique item at once; exactly one may win."""
    carts = await _carts(base_url, racers)
    limits = httpx.Limits(max_connections=racers, max_keepalive_connections=racers)
    async with httpx.AsyncClient(base_url=base_url, limits=limits, timeout=120) as client:

        async def attempt(cart: dict[str, str]) -> tuple[int, str | None, float]:
            started = time.perf_counter()
            response = await client.post(
                f"{CARTS}/{cart['id']}/items",
                json={"variant_id": variant_id, "quantity": 1},
                headers={"X-Cart-Token": cart["X-Cart-Token"]},
            )
            code = response.json().get("error", {}).get("code") if response.is_error else None
            return response.status_code, code, time.perf_counter() - started

        started = time.perf_counter()
        answers = await asyncio.gather(*(attempt(cart) for cart in carts))
        settle = time.perf_counter() - started
    statuses = Counter(status for status, _, _ in answers)
    codes = Counter(code for _, code, _ in answers if code)
    assert statuses == {201: 1, 409: racers - 1}, f"winners and losers: {statuses}"
    assert codes == {"INSUFFICIENT_INVENTORY": racers - 1}, codes
    p50, p99 = _percentiles([seconds for _, _, seconds in answers])
    return {"racers": racers, "winners": statuses[201], "settle_s": settle, "p50": p50, "p99": p99}


async def spread_throughput(
    base_url: str, variants: list[str], *, clients: int, requests: int, lines_per_cart: int
) -> dict[str, Any]:
    """clients buyers add random variants to their carts, requests adds in all.

    Each add answers with the item priced in its whole cart (discounts may depend on every
    line), so the cart's size is part of the cost: a new cart every lines_per_cart adds.
    """
    per_client = requests // clients
    limits = httpx.Limits(max_connections=clients * 2)
    carts = await _carts(base_url, clients * (per_client // lines_per_cart + 1))
    async with httpx.AsyncClient(base_url=base_url, limits=limits, timeout=120) as client:
        latencies: list[float] = []
        outcomes: Counter[int] = Counter()

        async def buyer(n: int) -> None:
            rng = random.Random(n)
            mine = carts[n::clients]
            for k in range(per_client):
                cart = mine[k // lines_per_cart]
                started = time.perf_counter()
                response = await client.post(
                    f"{CARTS}/{cart['id']}/items",
                    json={"variant_id": rng.choice(variants), "quantity": 1},
                    headers={"X-Cart-Token": cart["X-Cart-Token"]},
                )
                latencies.append(time.perf_counter() - started)
                outcomes[response.status_code] += 1

        started = time.perf_counter()
        await asyncio.gather(*(buyer(n) for n in range(clients)))
        elapsed = time.perf_counter() - started
    assert set(outcomes) <= {201, 409}, outcomes
    p50, p99 = _percentiles(latencies)
    return {
        "variants": len(variants),
        "clients": clients,
        "lines_per_cart": lines_per_cart,
        "requests": sum(outcomes.values()),
        "reserved_per_s": outcomes[201] / elapsed,
        "refused": outcomes[409],
        "p50": p50,
        "p99": p99,
    }


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def run_backend(backend: str, args: argparse.Namespace) -> dict[str, dict[str, Any]]:
    """Both benchmarks on one database, against one server."""
    with harness.database(backend) as url:
        _say(f"{backend}: seeding {args.variants:,} variants")
        seeded = harness.run(url, lambda runtime: seed(runtime, variants=args.variants))
        if args.dispatcher == "inline":
            _say(f"{backend}: letting the subscribers catch up (the seed's events)")
            harness.settle(url)
        with harness.server(url, env={"EMPORIUM_DISPATCHER": args.dispatcher}) as base_url:
            _say(f"{backend}: {args.racers} buyers race for one unique item")
            race = asyncio.run(hot_item_race(base_url, seeded.hot_item, args.racers))
            _say(f"{backend}: {args.clients} buyers add {args.requests:,} random items")
            spread = asyncio.run(
                spread_throughput(
                    base_url,
                    seeded.variants,
                    clients=args.clients,
                    requests=args.requests,
                    lines_per_cart=args.lines_per_cart,
                )
            )
    return {"race": race, "spread": spread}


def report(rows: dict[str, dict[str, dict[str, Any]]]) -> str:
    """The figures as two markdown tables."""
    lines = [
        "Hot item: concurrent add-to-cart of one unique item, real sockets",
        "",
        "| database | requests | winners | settle s | p50 ms | p99 ms |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, row in rows.items():
        r = row["race"]
        lines.append(
            f"| {name} | {r['racers']} | {r['winners']} | {r['settle_s']:.2f} "
            f"| {r['p50']:.1f} | {r['p99']:.1f} |"
        )
    lines += [
        "",
        "Spread: add-to-cart of random variants, each add one reservation",
        "",
        "| database | variants | clients | lines/cart | adds | reservations/s | refused (409) "
        "| p50 ms | p99 ms |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, row in rows.items():
        s = row["spread"]
        lines.append(
            f"| {name} | {s['variants']:,} | {s['clients']} | {s['lines_per_cart']} "
            f"| {s['requests']:,} "
            f"| {s['reserved_per_s']:.0f} | {s['refused']} | {s['p50']:.1f} | {s['p99']:.1f} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Run the reservation benchmarks and print their tables."""
    parser = argparse.ArgumentParser(prog="python -m bench reservations", description=__doc__)
    parser.add_argument("--database", help="sqlite, postgresql or a database URL (default: both)")
    parser.add_argument("--racers", type=int, default=500)
    parser.add_argument("--variants", type=int, default=10_000)
    parser.add_argument("--clients", type=int, default=12)
    parser.add_argument("--requests", type=int, default=4_000)
    parser.add_argument(
        "--lines-per-cart", type=int, default=10, help="adds per cart before a new one (≤ 100)"
    )
    parser.add_argument(
        "--dispatcher",
        choices=["off", "inline"],
        default="off",
        help="off: events are left to `emporium worker` processes (default); inline: the "
        "server also dispatches, after first digesting the seed's events (minutes at 10k)",
    )
    args = parser.parse_args(argv)
    backends = [args.database] if args.database else ["sqlite", "postgresql"]
    rows = {}
    for backend in backends:
        rows[backend.split(":")[0]] = run_backend(backend, args)
        print(report({backend.split(":")[0]: rows[backend.split(":")[0]]}), flush=True)
    if len(rows) > 1:
        print(report(rows))
    return 0
