"""Order numbers people can read out on the phone: `EMP-2026-000123`, unique on both databases.

PostgreSQL hands the numbers out from a sequence: no row lock, so concurrent checkouts never
queue on a counter (a rolled-back order leaves a gap, which is fine for a reference number).
SQLite has one writer at a time (`BEGIN IMMEDIATE`), so the highest number plus one is free
when the writing transaction reads it. The unique constraints on `seq` and `number` back both.
"""

from __future__ import annotations

from sqlalchemy import func, select, text

from emporium.contexts.orders.models import Order
from emporium.kernel.uow import UnitOfWork

SEQUENCE = "orders_order_number_seq"


async def next_number(uow: UnitOfWork) -> tuple[int, str]:
    """The next order's sequence value and its human-friendly number (the clock's year)."""
    if uow.db.is_postgres:
        seq = int(await uow.session.scalar(text(f"SELECT nextval('{SEQUENCE}')")) or 0)
    else:
        seq = int(await uow.session.scalar(select(func.max(Order.seq))) or 0) + 1
    return seq, f"EMP-{uow.clock.now().year}-{seq:06d}"
