"""Readable, unique, stable slugs: made once from the title and never changed by renames."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

_NON_WORD = re.compile(r"[^a-z0-9]+")
MAX_BASE = 80


def slugify(text: str) -> str:
    """'The Amazing Spider-Man #300' -> 'the-amazing-spider-man-300'."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = _NON_WORD.sub("-", ascii_text.lower()).strip("-")
    if len(slug) > MAX_BASE:
        slug = slug[:MAX_BASE].rsplit("-", 1)[0] or slug[:MAX_BASE]
    return slug or "item"


async def unique_slug(session: AsyncSession, column: Any, text: str) -> str:
    """slugify(text), or with the smallest free numeric suffix when it is taken."""
    base = slugify(text)
    taken = set(
        await session.scalars(select(column).where(or_(column == base, column.like(f"{base}-%"))))
    )
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"
