"""Wire shapes shared by several pricing slices."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, TypeVar

from pydantic import BaseModel, Field, PlainSerializer, ValidationError

from emporium.kernel.errors import ValidationFailed

# A percentage off: more than 0, at most 100, to the hundredth. Written as a string on the
# wire, so no client ever sees a float.
Percent = Annotated[
    Decimal,
    Field(gt=0, le=100, max_digits=5, decimal_places=2, examples=["12.5"]),
    PlainSerializer(str, return_type=str, when_used="json"),
]
DecimalOut = Annotated[Decimal, PlainSerializer(str, return_type=str, when_used="json")]
HUNDREDTH = Decimal("0.01")


def hundredths(value: object) -> Decimal | None:
    """A stored percentage as the API shows it, always to the hundredth ("12.50")."""
    return None if value is None else Decimal(str(value)).quantize(HUNDREDTH)


CODE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_-]{2,39}$"


def check_window(starts_at: datetime | None, ends_at: datetime | None) -> None:
    """422 when a validity window ends before (or when) it starts."""
    if starts_at is not None and ends_at is not None and ends_at <= starts_at:
        raise ValidationFailed(
            "The window must end after it starts",
            details={"fields": [{"field": "ends_at", "message": "must be after starts_at"}]},
        )


M = TypeVar("M", bound=BaseModel)


def merge_patch(current: dict[str, Any], patch: BaseModel, model: type[M]) -> M:
    """current with the patch's set fields applied, validated as a whole by model (else 422).

    A patch of valid fields can still make an invalid whole (a percentage rule losing its
    percent), so a patch is checked the way a create is.
    """
    merged = {**current, **patch.model_dump(mode="json", exclude_unset=True)}
    try:
        return model.model_validate({k: v for k, v in merged.items() if v is not None})
    except ValidationError as exc:
        fields = [
            {"field": ".".join(map(str, e["loc"])) or "body", "message": e["msg"]}
            for e in exc.errors()
        ]
        raise ValidationFailed(
            "The change would make it invalid", details={"fields": fields}
        ) from exc
