"""Storefront benchmark over real HTTP: product detail, listing and search at N products.

`python -m bench store [--products 100000] [--backend sqlite|postgresql|URL]
[--concurrency 8] [--workers 1] [--pin]`

It builds a fresh database (bench/harness.py: a SQLite file, or a throwaway PostgreSQL
cluster) with `emporium demo --products N` (timed), rebuilds the search index (timed),
starts `emporium serve` (dispatcher inline) on a free port, and drives it over loopback
sockets with bench/loadgen.py (raw keep-alive HTTP/1.1 on uvloop: httpx cost more CPU per
request than the server and became the queue at 8 clients). Besides latency it reports the
API processes' CPU time per request (from /proc), which the load generator sharing the
machine's two cores does not blur; --pin puts the server on CPU 0 and this client on
CPU 1. The API process's peak memory is its VmHWM from /proc at the end.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
import uvloop

from bench import harness, loadgen
from bench.search import _slip

EMPORIUM = str(Path(sys.executable).with_name("emporium"))


def _run(args: list[str], env: dict[str, str], cwd: Path) -> float:
    started = time.perf_counter()
    subprocess.run([EMPORIUM, *args], env=env, cwd=cwd, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def _sample(client: httpx.AsyncClient, pages: int) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    cursor = ""
    for _ in range(pages):
        page = (await client.get(f"/api/v1/store/products?limit=100{cursor}")).json()
        items += page["items"]
        if not page["next_cursor"]:
            break
        cursor = f"&cursor={page['next_cursor']}"
    return items


def _search_urls(titles: list[str], count: int, rng: random.Random) -> list[str]:
    urls = []
    for _ in range(count):
        words = [w.strip("#:—-,.!").lower() for w in rng.choice(titles).split()]
        words = [w for w in words if w.isalpha()] or ["batman"]
        picked = rng.sample(words, k=min(len(words), rng.choice([1, 1, 2, 2, 3])))
        typed = [_slip(w, rng) if len(w) >= 5 and rng.random() < 0.5 else w for w in picked]
        if rng.random() < 0.4:
            typed[-1] = typed[-1][: rng.randint(min(3, len(typed[-1])), len(typed[-1]))]
        urls.append("/api/v1/store/search?q=" + "+".join(typed))
    return urls


def _listing_urls(count: int, rng: random.Random) -> list[str]:
    options = [
        "",
        "&sort=price_asc",
        "&sort=price_desc",
        "&category=comics",
        "&category=strategy&sort=price_asc",
        "&in_stock=true",
        "&attr=publisher:marvel",
        "&min_price=1000&max_price=5000",
        "&category=t-shirts&attr=size:m",
    ]
    return [f"/api/v1/store/products?limit=20{rng.choice(options)}" for _ in range(count)]


def _row(name: str, latencies: list[float], wall: float, cpu_s: float) -> str:
    return (
        f"| {name} | {len(latencies)} | {len(latencies) / wall:.0f} | "
        f"{statistics.median(latencies):.1f} | {percentile(latencies, 0.95):.1f} | "
        f"{percentile(latencies, 0.99):.1f} | {cpu_s * 1000 / len(latencies):.2f} |"
    )


def _cpu_seconds(pid: int) -> float:
    """User and system CPU time of the server and its worker processes so far."""
    total = 0
    for each in _process_tree(pid):
        fields = Path(f"/proc/{each}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


async def _measure(base: str, pid: int, concurrency: int, requests: int) -> list[str]:
    rng = random.Random(7)
    async with httpx.AsyncClient(base_url=base, timeout=60) as client:
        sample = await _sample(client, pages=20)
        details = [f"/api/v1/store/products/{rng.choice(sample)['slug']}" for _ in range(requests)]
        await loadgen.drive(base, details[:200], concurrency)  # warm the detail cache
        rows = []
        titles = [s["title"] for s in sample]
        for name, urls, level in [
            ("product detail, 1 client", details[: requests // 2], 1),
            (f"product detail, {concurrency} clients", details, concurrency),
            ("listing (9 filter/sort mixes), 1 client", _listing_urls(requests // 5, rng), 1),
            (f"listing, {concurrency} clients", _listing_urls(requests // 5, rng), concurrency),
            ("search (1,000 queries, typos), 1 client", _search_urls(titles, 1000, rng), 1),
            (f"search, {concurrency} clients", _search_urls(titles, 1000, rng), concurrency),
        ]:
            cpu_before = _cpu_seconds(pid)
            latencies, wall = await loadgen.drive(base, urls, level)
            rows.append(_row(name, latencies, wall, _cpu_seconds(pid) - cpu_before))
        return rows


def _process_tree(pid: int) -> list[int]:
    """The server and its worker processes (uvicorn forks one per --workers)."""
    children = Path(f"/proc/{pid}/task/{pid}/children")
    found = [pid]
    if children.exists():
        for child in children.read_text().split():
            found += _process_tree(int(child))
    return found


def _peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench store", description=__doc__)
    parser.add_argument("--products", type=int, default=100_000)
    parser.add_argument("--backend", default="sqlite", help="sqlite, postgresql or a URL")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--requests", type=int, default=5000)
    parser.add_argument("--workers", type=int, default=1, help="uvicorn worker processes")
    parser.add_argument("--pin", action="store_true", help="server on CPU 0, client on CPU 1")
    args = parser.parse_args(argv)
    load_before = os.getloadavg()[0]
    with harness.database(args.backend) as url, tempfile.TemporaryDirectory() as scratch:
        env = {**os.environ, **harness.environment_for(url)}
        workdir = Path(scratch)
        demo_s = _run(["demo", "--products", str(args.products)], env, workdir)
        index_s = _run(["search", "reindex"], env, workdir)
        with harness.serve(url, workers=args.workers, cpus="0" if args.pin else None) as server:
            if args.pin:
                os.sched_setaffinity(0, {1})
            rows = uvloop.run(
                _measure(server.base_url, server.process.pid, args.concurrency, args.requests)
            )
            peak = max(_peak_rss_mb(pid) for pid in _process_tree(server.process.pid))
    database = "SQLite" if url.startswith("sqlite") else "PostgreSQL"
    processes = f"{args.workers} API process{'es' if args.workers > 1 else ''}"
    pinned = ", server pinned to CPU 0 and client to CPU 1" if args.pin else ""
    print(f"\n### Storefront at {args.products:,} products ({database}, {processes}{pinned})\n")
    print(f"- demo data generated in {demo_s:.1f} s (with its search index)")
    print(f"- full search reindex: {index_s:.1f} s")
    print(f"- API process peak RSS (largest process): {peak:.0f} MB")
    print(f"- load average (1 min) at the start {load_before:.1f}, at the end ", end="")
    print(f"{os.getloadavg()[0]:.1f} (other work on the same two cores)\n")
    print("| requests | n | req/s | p50 ms | p95 ms | p99 ms | server CPU ms/req |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for row in rows:
        print(row)
    return 0
