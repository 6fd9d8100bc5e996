"""Storefront benchmark over real HTTP: product detail, listing and search at N products.

`python -m bench store [--products 100000] [--database-url URL] [--concurrency 8]`

It builds a fresh database with `emporium demo --products N` (timed), rebuilds the search
index (timed), starts `emporium serve` (one uvicorn process, dispatcher inline) on a free
port, and drives it with httpx over loopback sockets. The API process's peak memory is
its VmHWM from /proc at the end. Without --database-url it uses a SQLite file.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from bench.search import _slip

EMPORIUM = str(Path(sys.executable).with_name("emporium"))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _run(args: list[str], env: dict[str, str], cwd: Path) -> float:
    started = time.perf_counter()
    subprocess.run([EMPORIUM, *args], env=env, cwd=cwd, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def _drive(
    client: httpx.AsyncClient, urls: list[str], concurrency: int
) -> tuple[list[float], float]:
    """GET every url with `concurrency` requests in flight; latencies (ms) and wall time (s)."""
    queue = list(reversed(urls))
    latencies: list[float] = []

    async def worker() -> None:
        while queue:
            url = queue.pop()
            started = time.perf_counter()
            response = await client.get(url)
            latencies.append((time.perf_counter() - started) * 1000)
            if response.status_code != 200:
                raise RuntimeError(f"{url}: {response.status_code} {response.text[:200]}")

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return latencies, time.perf_counter() - started


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


def _row(name: str, latencies: list[float], wall: float) -> str:
    return (
        f"| {name} | {len(latencies)} | {len(latencies) / wall:.0f} | "
        f"{statistics.median(latencies):.1f} | {percentile(latencies, 0.95):.1f} | "
        f"{percentile(latencies, 0.99):.1f} |"
    )


async def _measure(base: str, concurrency: int, requests: int) -> list[str]:
    rng = random.Random(7)
    limits = httpx.Limits(max_connections=concurrency + 4)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=60) as client:
        sample = await _sample(client, pages=20)
        details = [f"/api/v1/store/products/{rng.choice(sample)['slug']}" for _ in range(requests)]
        await _drive(client, details[:200], concurrency)  # warm connections and the cache
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
            latencies, wall = await _drive(client, urls, level)
            rows.append(_row(name, latencies, wall))
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


async def _wait_ready(base: str, server: subprocess.Popen[bytes]) -> None:
    async with httpx.AsyncClient(base_url=base) as client:
        for _ in range(600):
            if server.poll() is not None:
                raise RuntimeError("the server exited")
            try:
                if (await client.get("/readyz")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.1)
    raise RuntimeError("the server did not become ready")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench store", description=__doc__)
    parser.add_argument("--products", type=int, default=100_000)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--requests", type=int, default=5000)
    parser.add_argument("--workers", type=int, default=1, help="uvicorn worker processes")
    args = parser.parse_args(argv)
    workdir = Path(tempfile.mkdtemp(prefix="emporium-bench-"))
    env = {
        **os.environ,
        "EMPORIUM_LOG_LEVEL": "WARNING",
        "EMPORIUM_SECRET_KEY": "bench-secret-key-bench-secret-key-0123",
    }
    if args.database_url:
        env["EMPORIUM_DATABASE_URL"] = args.database_url
    _run(["db", "upgrade"], env, workdir)
    demo_s = _run(["demo", "--products", str(args.products)], env, workdir)
    index_s = _run(["search", "reindex"], env, workdir)
    port = _free_port()
    server = subprocess.Popen(
        [EMPORIUM, "serve", "--port", str(port), "--workers", str(args.workers)],
        env=env,
        cwd=workdir,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        asyncio.run(_wait_ready(base, server))
        rows = asyncio.run(_measure(base, args.concurrency, args.requests))
        peak = max(_peak_rss_mb(pid) for pid in _process_tree(server.pid))
    finally:
        server.terminate()
        server.wait(timeout=30)
    database = "PostgreSQL" if args.database_url else "SQLite"
    print(
        f"\n### Storefront at {args.products:,} products ({database}, "
        f"{args.workers} API process{'es' if args.workers > 1 else ''})\n"
    )
    print(f"- demo data generated in {demo_s:.1f} s (with its search index)")
    print(f"- full search reindex: {index_s:.1f} s")
    print(f"- API process peak RSS (largest process): {peak:.0f} MB\n")
    print("| requests | n | req/s | p50 ms | p95 ms | p99 ms |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for row in rows:
        print(row)
    return 0
