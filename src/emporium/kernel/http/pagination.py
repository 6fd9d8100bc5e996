"""Cursor pagination: opaque cursors over a stable sort key, so inserts never shift pages."""

from __future__ import annotations

import base64
import json
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Query
from pydantic import BaseModel

from emporium.kernel.errors import ValidationFailed

T = TypeVar("T")

DEFAULT_LIMIT = 20
MAX_LIMIT = 100

LimitParam = Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Page size (max 100)")]
CursorParam = Annotated[str | None, Query(max_length=512, description="Opaque cursor")]


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None = None


def encode_cursor(values: list[Any]) -> str:
    raw = json.dumps(values, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str | None, *, size: int) -> list[Any] | None:
    """The key values inside cursor; 422 VALIDATION_ERROR when it was not made by us."""
    if not cursor:
        return None
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, UnicodeDecodeError) as exc:
        raise ValidationFailed("The cursor is not valid", details={"cursor": cursor}) from exc
    if not isinstance(values, list) or len(values) != size:
        raise ValidationFailed("The cursor is not valid", details={"cursor": cursor})
    return values
