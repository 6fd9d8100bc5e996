"""Admin views of the ledger: trial balance, accounts, statements, the balance check, the CLI."""

from __future__ import annotations

import asyncio
import os
import sys
import uuid
from pathlib import Path

import httpx
from sqlalchemy import update

from emporium.contexts.wallet import AccountKind
from emporium.contexts.wallet.models import Account
from emporium.kernel.runtime import Runtime
from tests.support.auth import AuthedUser, register_buyer
from tests.wallet.builders import eur, fund_wallet, hold, release

LEDGER = "/api/v1/admin/ledger"
EMPORIUM = Path(sys.executable).parent / "emporium"


async def test_the_trial_balance_is_zero_in_every_currency(
    runtime: Runtime, client: httpx.AsyncClient, admin: AuthedUser
) -> None:
    await fund_wallet(runtime, uuid.uuid4(), eur(5000))
    await hold(runtime, vendor_id=uuid.uuid4(), amount=eur(1234))

    response = await client.get(f"{LEDGER}/trial-balance", headers=admin.headers)

    assert response.status_code == 200, response.text
    assert response.json() == {"balanced": True, "totals": {"EUR": 0}}


async def test_the_ledger_check_finds_nothing_wrong(
    runtime: Runtime, client: httpx.AsyncClient, admin: AuthedUser
) -> None:
    await fund_wallet(runtime, uuid.uuid4(), eur(5000))

    response = await client.get(f"{LEDGER}/check", headers=admin.headers)

    assert response.json() == {"balanced": True, "totals": {"EUR": 0}, "mismatches": []}


async def test_an_admin_lists_accounts_by_kind_and_owner(
    runtime: Runtime, client: httpx.AsyncClient, admin: AuthedUser
) -> None:
    vendor = uuid.uuid4()
    held = await hold(runtime, vendor_id=vendor, amount=eur(10000))
    await release(runtime, held.id)

    response = await client.get(
        f"{LEDGER}/accounts?kind=vendor_available&owner_id={vendor}", headers=admin.headers
    )

    [account] = response.json()["items"]
    assert account["kind"] == "vendor_available"
    assert account["balance"] == {"amount": 9000, "currency": "EUR"}
    assert account["must_not_go_negative"] is True
    assert account["version"] == 1


async def test_an_account_statement_shows_every_entry_with_its_cause(
    runtime: Runtime, client: httpx.AsyncClient, admin: AuthedUser
) -> None:
    vendor = uuid.uuid4()
    held = await hold(runtime, vendor_id=vendor, amount=eur(10000))
    await release(runtime, held.id)
    listing = await client.get(
        f"{LEDGER}/accounts?kind={AccountKind.ESCROW}&owner_id={vendor}", headers=admin.headers
    )
    escrow = listing.json()["items"][0]["id"]

    response = await client.get(f"{LEDGER}/accounts/{escrow}/statement", headers=admin.headers)

    lines = response.json()["items"]
    assert [(line["kind"], line["amount"]["amount"]) for line in lines] == [
        ("escrow_release", -10000),
        ("escrow_hold", 10000),
    ]
    assert lines[0]["cause"] == {"type": "hold", "id": str(held.id)}
    assert lines[0]["metadata"]["commission_rate"] == "0.10"


async def test_an_unknown_account_is_not_found(
    client: httpx.AsyncClient, admin: AuthedUser
) -> None:
    response = await client.get(f"{LEDGER}/accounts/{uuid.uuid4()}", headers=admin.headers)
    assert response.status_code == 404


async def test_only_admins_see_the_ledger(client: httpx.AsyncClient) -> None:
    buyer = await register_buyer(client)
    response = await client.get(f"{LEDGER}/trial-balance", headers=buyer.headers)
    assert response.status_code == 403


async def ledger_check(database_url: str, cwd: Path) -> tuple[int, str]:
    """`emporium ledger check` in a process of its own."""
    env = {**os.environ, "EMPORIUM_DATABASE_URL": database_url, "EMPORIUM_SECRET_KEY": "cli-test"}
    process = await asyncio.create_subprocess_exec(
        str(EMPORIUM),
        "ledger",
        "check",
        cwd=cwd,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    output, _ = await process.communicate()
    return process.returncode or 0, output.decode()


async def test_the_ledger_check_command_passes_balanced_books(
    runtime: Runtime, database_url: str, tmp_path: Path
) -> None:
    await fund_wallet(runtime, uuid.uuid4(), eur(5000))

    code, output = await ledger_check(database_url, tmp_path)

    assert code == 0, output
    assert "trial balance EUR: 0" in output


async def test_the_ledger_check_command_fails_on_a_tampered_balance(
    runtime: Runtime, database_url: str, tmp_path: Path
) -> None:
    buyer = uuid.uuid4()
    await fund_wallet(runtime, buyer, eur(5000))
    await _set_wallet_balance(runtime, buyer, 9999)

    code, output = await ledger_check(database_url, tmp_path)

    await _set_wallet_balance(runtime, buyer, 5000)
    assert code == 1
    assert "MISMATCH buyer_wallet" in output


async def _set_wallet_balance(runtime: Runtime, owner: uuid.UUID, cents: int) -> None:
    async with runtime.uow() as uow:
        await uow.session.execute(
            update(Account).where(Account.owner_id == owner).values(balance=cents)
        )
        await uow.commit()
