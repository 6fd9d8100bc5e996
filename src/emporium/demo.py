"""The demo marketplace: accounts, three vendors and a believable catalog (`emporium demo`)."""

from __future__ import annotations

import time
from dataclasses import dataclass

from emporium.contexts import catalog, identity, pricing, search
from emporium.kernel import dispatcher
from emporium.kernel.http.auth import Role
from emporium.kernel.runtime import Runtime
from emporium.kernel.uow import UnitOfWork

PASSWORD = "demo-password-1"


@dataclass(frozen=True)
class DemoSummary:
    loaded: bool
    products: int
    seconds: float
    catalog_seconds: float = 0.0  # accounts, vendors, catalog and pricing, committed
    index_seconds: float = 0.0  # the search index built over it


async def load_demo(runtime: Runtime, *, products: int) -> DemoSummary:
    """Load the demo data once; a second run finds the admin and changes nothing."""
    started = time.perf_counter()
    passwords = runtime.services[identity.PASSWORDS]
    async with runtime.uow() as uow:
        if await identity.find_user_by_email(uow.session, "admin@example.com") is not None:
            return DemoSummary(loaded=False, products=0, seconds=0.0)
        await identity.create_user(
            uow, "admin@example.com", PASSWORD, "Ada Admin", role=Role.ADMIN, passwords=passwords
        )
        buyer = await identity.create_user(
            uow, "buyer@example.com", PASSWORD, "Bea Buyer", role=Role.BUYER, passwords=passwords
        )
        vendor_ids = []
        for email, name, vendor_name in [
            ("seller@example.com", "Sam Seller", "KeyVault Comics"),
            ("games@example.com", "Gil Games", "Dice & Dragons"),
            ("apparel@example.com", "Ava Apparel", "Panel & Thread"),
        ]:
            user = await identity.create_user(
                uow, email, PASSWORD, name, role=Role.SELLER, passwords=passwords
            )
            vendor = await catalog.register_vendor(
                uow,
                owner_user_id=user.id,
                name=vendor_name,
                commission_rate=runtime.settings.commission_rate,
            )
            await identity.attach_vendor(uow, user.id, vendor.id)
            await catalog.approve_vendor(uow, vendor_id=vendor.id)
            vendor_ids.append(vendor.id)
        count = await catalog.seed_demo_catalog(
            uow,
            vendors=catalog.DemoVendors(*vendor_ids),
            count=products,
            currency=runtime.settings.default_currency,
        )
        await pricing.seed_demo_pricing(
            uow,
            comics_vendor_id=vendor_ids[0],
            club_member_ids=[buyer.id],
            currency=runtime.settings.default_currency,
        )
        await uow.commit()
    await runtime.db.refresh_statistics()
    committed = time.perf_counter()
    # The index and the detail cache mirror current state: rebuild them once rather than
    # replaying every product_created event the bulk load wrote.
    await search.reindex(runtime, runtime.services[search.SEARCH])
    await dispatcher.catch_up(runtime, catalog.CACHE_INVALIDATOR, _nothing_cached)
    done = time.perf_counter()
    return DemoSummary(
        loaded=True,
        products=count,
        seconds=done - started,
        catalog_seconds=committed - started,
        index_seconds=done - committed,
    )


async def _nothing_cached(uow: UnitOfWork) -> None:
    """A fresh process has an empty cache: there is nothing to rebuild."""
