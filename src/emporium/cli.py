"""The `emporium` command: serve, worker, db, demo, users, search, events, sagas."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Awaitable, Callable, Coroutine
from typing import TYPE_CHECKING, Any

from emporium.settings import Settings

if TYPE_CHECKING:
    from emporium.kernel.runtime import Runtime

Command = Callable[[argparse.Namespace, Settings], int]
COMMANDS: dict[str, Command] = {}


def command(name: str) -> Callable[[Command], Command]:
    def register(fn: Command) -> Command:
        COMMANDS[name] = fn
        return fn

    return register


def run_async(coro: Coroutine[Any, Any, int]) -> int:
    return asyncio.run(coro)


@command("serve")
def serve(args: argparse.Namespace, settings: Settings) -> int:
    import uvicorn

    from emporium.kernel.logging import configure_logging

    configure_logging(settings.log_level, json=settings.log_json)
    uvicorn.run(
        "emporium.app:create_app_from_env",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        log_config=None,
        access_log=False,
    )
    return 0


@command("db upgrade")
def db_upgrade(args: argparse.Namespace, settings: Settings) -> int:
    from emporium.kernel import migrate

    migrate.upgrade(settings.database_url, args.revision)
    print(f"database at {migrate.head_revision() if args.revision == 'head' else args.revision}")
    return 0


def with_runtime(settings: Settings, work: Callable[[Runtime], Awaitable[int]]) -> int:
    """Run work against a runtime built from settings, disposing of it afterwards."""
    from emporium.bootstrap import build_runtime

    async def run() -> int:
        runtime = build_runtime(settings)
        try:
            return await work(runtime)
        finally:
            await runtime.aclose()

    return run_async(run())


@command("users create-admin")
def users_create_admin(args: argparse.Namespace, settings: Settings) -> int:
    from emporium.contexts.identity import create_admin
    from emporium.contexts.identity.api import PASSWORDS
    from emporium.contexts.identity.passwords import Passwords
    from emporium.kernel.errors import DomainError

    async def work(runtime: Runtime) -> int:
        try:
            async with runtime.uow() as uow:
                admin = await create_admin(
                    uow,
                    args.email,
                    args.password,
                    args.name,
                    passwords=runtime.service(PASSWORDS, Passwords),
                )
                await uow.commit()
        except DomainError as exc:
            print(f"emporium users create-admin: {exc.message}", file=sys.stderr)
            return 1
        print(f"admin {admin.email} created (id {admin.id})")
        return 0

    return with_runtime(settings, work)


@command("worker")
def worker(args: argparse.Namespace, settings: Settings) -> int:
    from emporium.kernel.logging import configure_logging
    from emporium.kernel.worker import run_until_signalled

    configure_logging(settings.log_level, json=settings.log_json)

    async def work(runtime: Runtime) -> int:
        await run_until_signalled(runtime)
        return 0

    return with_runtime(settings, work)


@command("events replay")
def events_replay(args: argparse.Namespace, settings: Settings) -> int:
    from emporium.kernel import dispatcher
    from emporium.kernel.errors import DomainError

    async def work(runtime: Runtime) -> int:
        try:
            await dispatcher.replay(runtime, args.subscriber)
            subscriber = runtime.subscribers.get(args.subscriber)
            assert subscriber is not None
            # Rebuild now; running workers share the work through the subscription lock.
            handled = 0
            while (progress := await dispatcher.run_subscriber(runtime, subscriber)).advanced:
                handled += progress.handled
        except DomainError as exc:
            print(f"emporium events replay: {exc.message} ({args.subscriber})", file=sys.stderr)
            return 2
        print(f"replayed {args.subscriber}: {handled} events handled")
        return 0

    return with_runtime(settings, work)


@command("demo")
def demo(args: argparse.Namespace, settings: Settings) -> int:
    from emporium.demo import load_demo

    async def work(runtime: Runtime) -> int:
        summary = await load_demo(runtime, products=args.products)
        if summary.loaded:
            print(
                f"demo data loaded: {summary.products} products in {summary.seconds:.1f} s"
                f" (catalog {summary.catalog_seconds:.1f} s, search index"
                f" {summary.index_seconds:.1f} s)"
            )
        else:
            print("demo data already present (admin@example.com exists); nothing changed")
        return 0

    return with_runtime(settings, work)


@command("search reindex")
def search_reindex(args: argparse.Namespace, settings: Settings) -> int:
    from emporium.contexts import search

    async def work(runtime: Runtime) -> int:
        engine: search.SearchEngine = runtime.services[search.SEARCH]
        count = await search.reindex(runtime, engine)
        print(f"search index rebuilt: {count} products")
        return 0

    return with_runtime(settings, work)


@command("sagas recover")
def sagas_recover(args: argparse.Namespace, settings: Settings) -> int:
    from emporium.kernel import saga

    async def work(runtime: Runtime) -> int:
        count = await saga.recover(runtime)
        await saga.drain(runtime)
        print(f"sagas recovered: {count}")
        return 0

    return with_runtime(settings, work)


@command("ledger check")
def ledger_check(args: argparse.Namespace, settings: Settings) -> int:
    from emporium.contexts import wallet

    async def work(runtime: Runtime) -> int:
        async with runtime.db.read() as session:
            totals = await wallet.trial_balance(session)
            mismatches = await wallet.check_balances(session)
        for currency, total in totals.items():
            print(f"trial balance {currency}: {total}")
        for bad in mismatches:
            print(f"MISMATCH {bad.code}: balance {bad.balance}, entries sum {bad.entries_sum}")
        if mismatches or any(totals.values()):
            return 1
        print("ledger balanced: every balance is the sum of its entries")
        return 0

    return with_runtime(settings, work)


@command("inventory reconcile")
def inventory_reconcile(args: argparse.Namespace, settings: Settings) -> int:
    from emporium.contexts import inventory

    async def work(runtime: Runtime) -> int:
        report = await inventory.run_reconcile(runtime)
        print(f"expired {report.expired} overdue reservations")
        for drift in report.drifts:
            state = "repaired" if drift.repaired else "NOT repaired (on_hand too low)"
            print(f"variant {drift.variant_id}: reserved {drift.counter} -> {drift.actual} {state}")
        print(f"{len(report.drifts)} reserved counters drifted")
        return 1 if any(not d.repaired for d in report.drifts) else 0

    return with_runtime(settings, work)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="emporium", description=__doc__)
    sub = parser.add_subparsers(dest="cmd", required=True)

    p = sub.add_parser("serve", help="serve the HTTP API (dispatcher inline by default)")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--workers", type=int, default=1)

    sub.add_parser("worker", help="run the event dispatcher and job runner alone")

    db = sub.add_parser("db", help="database schema").add_subparsers(dest="sub", required=True)
    up = db.add_parser("upgrade", help="apply migrations")
    up.add_argument("revision", nargs="?", default="head")

    demo = sub.add_parser("demo", help="load the demo marketplace")
    demo.add_argument("--products", type=int, default=200)

    users = sub.add_parser("users", help="user accounts").add_subparsers(dest="sub", required=True)
    ca = users.add_parser("create-admin", help="create an administrator")
    ca.add_argument("--email", required=True)
    ca.add_argument("--password", required=True)
    ca.add_argument("--name", default="Administrator")

    search = sub.add_parser("search", help="search index").add_subparsers(dest="sub", required=True)
    search.add_parser("reindex", help="rebuild the search index from the catalog")

    events = sub.add_parser("events", help="event log").add_subparsers(dest="sub", required=True)
    rp = events.add_parser("replay", help="replay a subscriber from position 0")
    rp.add_argument("subscriber")

    sagas = sub.add_parser("sagas", help="sagas").add_subparsers(dest="sub", required=True)
    sagas.add_parser("recover", help="resume or compensate sagas whose driver died")

    ledger = sub.add_parser("ledger", help="ledger").add_subparsers(dest="sub", required=True)
    ledger.add_parser("check", help="trial balance, and every balance against its entries")

    jobs = sub.add_parser("inventory", help="inventory").add_subparsers(dest="sub", required=True)
    jobs.add_parser("reconcile", help="recompute reserved counters from reservations")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    name = args.cmd if getattr(args, "sub", None) is None else f"{args.cmd} {args.sub}"
    handler = COMMANDS.get(name)
    if handler is None:
        print(f"emporium {name}: not available yet", file=sys.stderr)
        return 2
    return handler(args, Settings())


if __name__ == "__main__":
    sys.exit(main())
