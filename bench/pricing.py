"""Pricing benchmark: cart-totals latency for a 50-line cart with 20 active discount rules.

`python -m bench pricing [--iterations N] [--database-url postgresql+asyncpg://…]`

Figures: the pure engine alone (`price(input)` on an input already loaded), and the whole
cart-totals step (`build_input` loading catalog facts, group, price lists, rules and VAT
rates, then `price`) on SQLite, and on PostgreSQL when --database-url names an empty
database (it is migrated and seeded here). The cart's customer is in a group with its own
price list; 20 variants have list prices, 10 of them quantity breaks; one code is entered.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import select

from emporium.bootstrap import build_runtime
from emporium.contexts import catalog, identity
from emporium.contexts.catalog.models import Variant
from emporium.contexts.pricing import LineRequest, PricingInput, build_input, price
from emporium.contexts.pricing.customer_groups import (
    CustomerGroupCreate,
    add_members,
    create_group,
)
from emporium.contexts.pricing.discount_schemas import DiscountCreate
from emporium.contexts.pricing.discounts import save_discount
from emporium.contexts.pricing.models import DiscountRuleRecord, PriceListRecord
from emporium.contexts.pricing.price_lists import PriceEntryIn, upsert_entries
from emporium.kernel import migrate
from emporium.kernel.http.auth import Role
from emporium.kernel.http.schemas import MoneyIn
from emporium.kernel.ids import new_id
from emporium.kernel.money import Money
from emporium.kernel.runtime import Runtime
from emporium.settings import Settings

LINES, RULES = 50, 20


def _rules(vendors: catalog.DemoVendors, group_id: uuid.UUID) -> list[dict[str, Any]]:
    eur = {"currency": "EUR"}
    rules: list[dict[str, Any]] = [
        {"kind": "percentage", "percent": "5", "conditions": {"vendor_ids": [vendors.comics]}},
        {"kind": "percentage", "percent": "10", "vendor_id": vendors.games, "priority": 2},
        {"kind": "fixed", "amount": {"amount": 500, **eur}, "vendor_id": vendors.apparel},
        {
            "kind": "fixed",
            "amount": {"amount": 1500, **eur},
            "min_subtotal": {"amount": 20000, **eur},
        },
        {"kind": "buy_x_get_y", "buy_quantity": 2, "get_quantity": 1},
        {"kind": "buy_x_get_y", "buy_quantity": 3, "get_quantity": 1, "percent": "50"},
        {
            "kind": "tiered",
            "tier_basis": "spend",
            "tiers": [{"threshold": 10000, "percent": "2"}, {"threshold": 50000, "percent": "4"}],
        },
        {
            "kind": "tiered",
            "tier_basis": "quantity",
            "tiers": [
                {"threshold": 20, "amount": {"amount": 300, **eur}},
                {"threshold": 60, "amount": {"amount": 900, **eur}},
            ],
        },
        {"kind": "cart", "percent": "3", "conditions": {"customer_group_ids": [group_id]}},
        {
            "kind": "cart",
            "amount": {"amount": 1000, **eur},
            "min_subtotal": {"amount": 100000, **eur},
        },
        {"kind": "free_shipping", "min_subtotal": {"amount": 5000, **eur}},
        {"kind": "percentage", "percent": "15", "code": "BENCH15"},
        {"kind": "percentage", "percent": "20", "code": "NOTENTERED"},
        {
            "kind": "percentage",
            "percent": "50",
            "exclusive": True,
            "min_subtotal": {"amount": 10_000_000, **eur},
        },
    ]
    for n in range(RULES - len(rules)):  # automatic rules for one vendor each, in turn
        vendor = [vendors.comics, vendors.games, vendors.apparel][n % 3]
        rules.append(
            {"kind": "percentage", "percent": str(1 + n), "vendor_id": vendor, "priority": -n}
        )
    return [{"name": f"bench rule {i}", **rule} for i, rule in enumerate(rules)]


async def _seed(runtime: Runtime) -> tuple[list[uuid.UUID], uuid.UUID]:
    """A demo catalog, a customer in a group, 2 price lists, 20 rules; the cart's variants."""
    passwords = runtime.services[identity.PASSWORDS]
    async with runtime.uow() as uow:
        vendor_ids = []
        for name in ("Comics", "Games", "Apparel"):
            vendor = await catalog.register_vendor(
                uow, owner_user_id=None, name=name, commission_rate=Decimal("0.1")
            )
            await catalog.approve_vendor(uow, vendor_id=vendor.id)
            vendor_ids.append(vendor.id)
        vendors = catalog.DemoVendors(*vendor_ids)
        await catalog.seed_demo_catalog(uow, vendors=vendors, count=500)
        buyer = await identity.create_user(
            uow,
            f"bench-{new_id()}@example.com",
            "bench-password-1",
            "Bench",
            role=Role.BUYER,
            passwords=passwords,
        )
        group = await create_group(uow, CustomerGroupCreate(name=f"Club {new_id()}"))
        await add_members(uow, group, [buyer.id])
        variants = list(
            await uow.session.scalars(select(Variant.id).order_by(Variant.id).limit(LINES))
        )
        for body in _rules(vendors, group.id):
            row = DiscountRuleRecord(id=new_id(), used=0, created_at=uow.clock.now())
            uow.session.add(row)
            await save_discount(uow, row, DiscountCreate.model_validate(body), currency="EUR")
        for name, group_id, picked in [
            ("Sale", None, variants[:20]),
            ("Club", group.id, variants[:10]),
        ]:
            now = uow.clock.now()
            terms = PriceListRecord(
                id=new_id(),
                name=name,
                currency="EUR",
                customer_group_id=group_id,
                active=True,
                created_at=now,
                updated_at=now,
            )
            uow.session.add(terms)
            await uow.flush()
            entries = [
                PriceEntryIn(
                    variant_id=v, price=MoneyIn(amount=100 + i, currency="EUR"), min_quantity=q
                )
                for i, v in enumerate(picked)
                for q in ((1, 3) if group_id else (1,))
            ]
            await upsert_entries(uow, terms, entries)
        await uow.commit()
    return variants, buyer.id


def _cart(variants: list[uuid.UUID]) -> list[LineRequest]:
    return [LineRequest(new_id(), v, 1 + i % 4) for i, v in enumerate(variants)]


async def _load(runtime: Runtime, lines: list[LineRequest], customer: uuid.UUID) -> PricingInput:
    async with runtime.db.read() as session:
        return await build_input(
            session,
            lines,
            customer_id=customer,
            codes=["BENCH15"],
            country="DE",
            shipping=Money(495, "EUR"),
            now=runtime.clock.now(),
        )


async def _timed(step: Callable[[], Awaitable[object]], iterations: int) -> dict[str, float]:
    for _ in range(min(20, iterations)):  # warm caches and connections
        await step()
    latencies = []
    for _ in range(iterations):
        started = time.perf_counter()
        await step()
        latencies.append((time.perf_counter() - started) * 1000)
    cuts = statistics.quantiles(latencies, n=100)
    return {"p50_ms": cuts[49], "p99_ms": cuts[98], "max_ms": max(latencies)}


async def run_database(url: str, iterations: int) -> tuple[dict[str, float], PricingInput]:
    """Seed the database at url, then time build_input + price on a 50-line cart."""
    migrate.upgrade(url)
    runtime = build_runtime(Settings(_env_file=None, database_url=url, dispatcher="off"))  # type: ignore[call-arg]
    try:
        variants, customer = await _seed(runtime)
        lines = _cart(variants)
        data = await _load(runtime, lines, customer)
        assert len(data.lines) == LINES and len(data.rules) >= RULES - 1, "the seed went wrong"

        async def totals() -> object:
            return price(await _load(runtime, lines, customer))

        return await _timed(totals, iterations), data
    finally:
        await runtime.aclose()


async def _pure(data: PricingInput, iterations: int) -> dict[str, float]:
    async def step() -> object:
        return price(data)

    return await _timed(step, iterations)


def report(rows: dict[str, dict[str, float]], iterations: int) -> str:
    """The figures as a markdown table."""
    lines = [
        f"Cart totals: {LINES} lines, {RULES} active rules, 2 price lists, 1 code entered; "
        f"{iterations} runs (the pure engine {iterations * 4})",
        "",
        "| what | p50 ms | p99 ms | max ms |",
        "| --- | ---: | ---: | ---: |",
    ]
    for name, f in rows.items():
        lines.append(f"| {name} | {f['p50_ms']:.2f} | {f['p99_ms']:.2f} | {f['max_ms']:.1f} |")
    return "\n".join(lines)


async def _main(args: argparse.Namespace) -> str:
    rows: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory(prefix="emporium-bench-") as scratch:
        url = f"sqlite+aiosqlite:///{Path(scratch) / 'pricing.db'}"
        rows["build_input + price, SQLite"], data = await run_database(url, args.iterations)
    rows["price only (pure engine)"] = await _pure(data, args.iterations * 4)
    if args.database_url:
        rows["build_input + price, PostgreSQL"], _ = await run_database(
            args.database_url, args.iterations
        )
    order = [
        "price only (pure engine)",
        "build_input + price, SQLite",
        "build_input + price, PostgreSQL",
    ]
    return report({k: rows[k] for k in order if k in rows}, args.iterations)


def main(argv: list[str] | None = None) -> int:
    """Run the pricing benchmark and print its table."""
    parser = argparse.ArgumentParser(prog="python -m bench pricing", description=__doc__)
    parser.add_argument("--iterations", type=int, default=500)
    parser.add_argument("--database-url", help="also benchmark PostgreSQL here (an empty database)")
    args = parser.parse_args(argv)
    print(asyncio.run(_main(args)))
    return 0
