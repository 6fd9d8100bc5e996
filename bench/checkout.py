"""Place-order throughput over real HTTP, and the database's own ceiling for the same work.

`python -m bench checkout [--database sqlite|postgresql|both] [--buyers 16] [--orders 25]`

For each database: a fresh migrated database and `emporium serve` (one process, dispatcher
inline); one approved vendor with one product per buyer (distinct items, plenty of stock);
every buyer fills `--orders` carts of one item beforehand. Then the buyers check out at once,
each its carts one after the other (`tok_visa`, a fresh Idempotency-Key each): orders/s over
the whole run, and the p50/p99 latency of POST /store/checkouts, which runs the whole saga
(validate and price, hold, charge the sandbox gateway, order, shipment, confirm) before it
answers. On PostgreSQL, pgbench then runs bench/pgbench_checkout.sql, one checkout's
database writes as one raw transaction, with as many clients, on the same database.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from bench import harness
from bench.store import percentile

PGBENCH_SCRIPT = Path(__file__).with_name("pgbench_checkout.sql")
PASSWORD = "bench-password-1"
ADDRESS = {
    "name": "Bench Buyer",
    "line1": "Hauptstr. 1",
    "city": "Berlin",
    "postal_code": "10115",
    "country": "DE",
}


@dataclass(frozen=True)
class Figures:
    orders: int
    seconds: float
    latencies_ms: list[float]

    def row(self, name: str, clients: int) -> str:
        return (
            f"| {name} | {clients} | {self.orders} | {self.orders / self.seconds:.1f} | "
            f"{statistics.median(self.latencies_ms):.1f} | "
            f"{percentile(self.latencies_ms, 0.99):.1f} |"
        )


def _create_admin(url: str, email: str) -> None:
    env = {
        **os.environ,
        "EMPORIUM_DATABASE_URL": url,
        "EMPORIUM_SECRET_KEY": harness.SECRET,
        "EMPORIUM_LOG_LEVEL": "WARNING",
    }
    command = ["users", "create-admin", "--email", email, "--password", PASSWORD]
    subprocess.run(
        [sys.executable, "-m", "emporium.cli", *command],
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )


def _ok(response: httpx.Response, status: int = 200) -> dict[str, Any]:
    if response.status_code != status:
        raise RuntimeError(f"{response.request.url}: {response.status_code} {response.text[:300]}")
    body: dict[str, Any] = response.json()
    return body


def _auth(tokens: dict[str, Any]) -> dict[str, str]:
    return {"Authorization": f"Bearer {tokens['access_token']}"}


async def _register(client: httpx.AsyncClient, **extra: str) -> dict[str, str]:
    body = {"email": f"{uuid.uuid4().hex[:12]}@bench.example", "password": PASSWORD}
    answer = _ok(await client.post("/api/v1/auth/register", json={**body, **extra}), 201)
    return _auth(answer)


async def _shop(client: httpx.AsyncClient, admin_email: str, buyers: int) -> list[str]:
    """One approved vendor with one product per buyer; the variant ids."""
    login = {"email": admin_email, "password": PASSWORD}
    admin = _auth(_ok(await client.post("/api/v1/auth/login", json=login)))
    seller = await _register(client, name="Bench Seller", role="seller", vendor_name="Bench")
    vendor = _ok(await client.get("/api/v1/seller/vendor", headers=seller))
    _ok(await client.post(f"/api/v1/admin/vendors/{vendor['id']}/approve", headers=admin))
    variants = []
    for n in range(buyers):
        item = {
            "sku": f"BENCH-{n}",
            "title": "Standard",
            "attributes": {},
            "price": {"amount": 1999, "currency": "EUR"},
            "weight_grams": 200,
            "tax_category": "standard",
            "stock": 1_000_000,
        }
        body = {
            "title": f"Bench comic {n}",
            "description": "",
            "attributes": {},
            "variants": [item],
        }
        product = _ok(await client.post("/api/v1/seller/products", json=body, headers=seller), 201)
        _ok(await client.post(f"/api/v1/seller/products/{product['id']}/publish", headers=seller))
        variants.append(str(product["variants"][0]["id"]))
    return variants


async def _carts(
    client: httpx.AsyncClient, buyer: dict[str, str], variant: str, n: int
) -> list[str]:
    carts = []
    for _ in range(n):
        cart = _ok(await client.post("/api/v1/store/carts", headers=buyer), 201)
        item = {"variant_id": variant, "quantity": 1}
        _ok(
            await client.post(f"/api/v1/store/carts/{cart['id']}/items", json=item, headers=buyer),
            201,
        )
        carts.append(str(cart["id"]))
    return carts


async def _checkouts(
    client: httpx.AsyncClient, buyer: dict[str, str], carts: list[str], method: str
) -> list[float]:
    latencies = []
    for cart_id in carts:
        body = {
            "cart_id": cart_id,
            "shipping_address": ADDRESS,
            "shipping_method_id": method,
            "payment": {"method": "card", "token": "tok_visa"},
        }
        headers = {**buyer, "Idempotency-Key": str(uuid.uuid4())}
        started = time.perf_counter()
        answer = _ok(await client.post("/api/v1/store/checkouts", json=body, headers=headers), 201)
        latencies.append((time.perf_counter() - started) * 1000)
        if answer["state"] != "COMPLETED":
            raise RuntimeError(f"checkout {answer['id']} ended {answer['state']}: {answer}")
    return latencies


async def _measure(base: str, admin_email: str, buyers: int, orders: int) -> Figures:
    limits = httpx.Limits(max_connections=buyers + 4)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=120) as client:
        variants = await _shop(client, admin_email, buyers)
        people = [await _register(client, name=f"Buyer {n}") for n in range(buyers)]
        carts = [await _carts(client, p, v, orders) for p, v in zip(people, variants, strict=True)]
        methods = _ok(await client.get("/api/v1/store/shipping-methods?country=DE"))
        method = str(methods["items"][0]["id"])
        started = time.perf_counter()
        runs = await asyncio.gather(
            *(_checkouts(client, p, c, method) for p, c in zip(people, carts, strict=True))
        )
        seconds = time.perf_counter() - started
    latencies = [ms for run in runs for ms in run]
    return Figures(len(latencies), seconds, latencies)


def _pgbench(url: str, clients: int, transactions: int) -> Figures:
    """pgbench_checkout.sql with `clients` clients, `transactions` each; per-transaction log."""
    from tests.support.postgres import find_bin_dir

    bin_dir = find_bin_dir()
    if bin_dir is None:
        raise SystemExit("pgbench not found (set EMPORIUM_PG_BIN)")
    user_host, database = url.split("://", 1)[1].rsplit("/", 1)
    user, host_port = user_host.split("@")
    host, port = host_port.split(":")
    with tempfile.TemporaryDirectory(prefix="emporium-pgbench-") as scratch:
        command = [
            str(bin_dir / "pgbench"),
            *(
                "-h",
                host,
                "-p",
                port,
                "-U",
                user,
                "-n",
                "-M",
                "extended",
                "-f",
                str(PGBENCH_SCRIPT),
            ),
            *("-c", str(clients), "-j", str(min(clients, 4)), "-t", str(transactions), "-l"),
            database,
        ]
        started = time.perf_counter()
        done = subprocess.run(command, check=False, cwd=scratch, capture_output=True, text=True)
        if done.returncode != 0:
            raise RuntimeError(f"pgbench failed:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")
        seconds = time.perf_counter() - started
        latencies = [
            int(line.split()[2]) / 1000
            for log in Path(scratch).glob("pgbench_log.*")
            for line in log.read_text().splitlines()
        ]
    return Figures(len(latencies), seconds, latencies)


def _one(backend: str, buyers: int, orders: int, pgbench_transactions: int) -> list[str]:
    rows = []
    admin_email = f"admin-{uuid.uuid4().hex[:8]}@bench.example"
    with harness.database(backend) as url:
        _create_admin(url, admin_email)
        with harness.server(url) as base:
            figures = asyncio.run(_measure(base, admin_email, buyers, orders))
        name = "SQLite" if url.startswith("sqlite") else "PostgreSQL"
        rows.append(figures.row(f"{name}: POST /store/checkouts over HTTP (whole saga)", buyers))
        if name == "PostgreSQL":
            raw = _pgbench(url, buyers, pgbench_transactions)
            rows.append(raw.row("PostgreSQL: the same writes as one transaction (pgbench)", buyers))
    return rows


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench checkout", description=__doc__)
    parser.add_argument("--database", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--buyers", type=int, default=16)
    parser.add_argument("--orders", type=int, default=25, help="checkouts per buyer")
    parser.add_argument("--pgbench-transactions", type=int, default=500, help="per client")
    args = parser.parse_args(argv)
    backends = ["sqlite", "postgresql"] if args.database == "both" else [args.database]
    rows = []
    for backend in backends:
        rows += _one(backend, args.buyers, args.orders, args.pgbench_transactions)
    print("\n### Checkout: place-order throughput\n")
    print("| what | concurrent | orders | orders/s | p50 ms | p99 ms |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for row in rows:
        print(row)
    return 0
