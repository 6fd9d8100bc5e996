"""Wire shapes of the catalog shared by several slices."""

from __future__ import annotations

import re
import uuid
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, Field, PlainSerializer, model_validator

from emporium.contexts.catalog.models import TaxCategory
from emporium.kernel.errors import ValidationFailed
from emporium.kernel.http.schemas import MoneyIn, MoneyOut, Strict

Rate = Annotated[Decimal, PlainSerializer(float, return_type=float, when_used="json")]

_KEY = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
MAX_ATTRIBUTES = 50
AttributeValueT = str | int | float | bool


def check_attributes(value: dict[str, Any]) -> dict[str, Any]:
    """Typed key/values: snake_case keys, scalar values (text up to 200 characters)."""
    if len(value) > MAX_ATTRIBUTES:
        raise ValueError(f"at most {MAX_ATTRIBUTES} attributes")
    for key, item in value.items():
        if not _KEY.match(key):
            raise ValueError(f"attribute key {key!r} must be snake_case, up to 40 characters")
        if isinstance(item, str) and len(item) > 200:
            raise ValueError(f"attribute {key!r} is longer than 200 characters")
    return value


Attributes = Annotated[dict[str, AttributeValueT], AfterValidator(check_attributes)]


class VendorRead(BaseModel):
    id: uuid.UUID
    name: str
    slug: str
    description: str
    status: str
    commission_rate: Rate
    created_at: datetime
    approved_at: datetime | None = None
    suspended_at: datetime | None = None


class CategoryRead(BaseModel):
    id: uuid.UUID
    slug: str
    name: str
    parent_id: uuid.UUID | None = None


def require_uuid(value: str, error: type[ValidationFailed] = ValidationFailed) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError as exc:
        raise error("Not a valid id", details={"id": value}) from exc


SKU_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._\-/]{0,63}$"


class VariantCreate(BaseModel):
    model_config = {"extra": "forbid", "str_strip_whitespace": True}

    sku: str = Field(pattern=SKU_PATTERN)
    title: str = Field("", max_length=200)
    attributes: Attributes = Field(default_factory=dict)
    price: MoneyIn
    weight_grams: int = Field(0, ge=0, le=1_000_000)
    tax_category: TaxCategory = TaxCategory.STANDARD
    unique: bool = False
    condition: str | None = Field(None, min_length=1, max_length=60)
    grade: str | None = Field(None, min_length=1, max_length=60)
    certification: str | None = Field(None, min_length=1, max_length=64)
    stock: int | None = Field(None, ge=0, le=10_000_000)

    @model_validator(mode="after")
    def _unique_rules(self) -> VariantCreate:
        if self.unique:
            if self.stock is not None and self.stock > 1:
                raise ValueError("a unique item has a quantity of at most 1")
            if not self.condition:
                raise ValueError("a unique item needs its condition")
        elif self.grade or self.certification:
            raise ValueError("only unique items carry a grade and a certification number")
        return self


class VariantUpdate(Strict):
    title: str | None = Field(None, max_length=200)
    attributes: Attributes | None = None
    price: MoneyIn | None = None
    weight_grams: int | None = Field(None, ge=0, le=1_000_000)
    tax_category: TaxCategory | None = None
    condition: str | None = Field(None, min_length=1, max_length=60)
    grade: str | None = Field(None, min_length=1, max_length=60)
    certification: str | None = Field(None, min_length=1, max_length=64)


class ProductCreate(Strict):
    title: str = Field(min_length=1, max_length=200)
    description: str = Field("", max_length=20_000)
    category_id: uuid.UUID | None = None
    attributes: Attributes = Field(default_factory=dict)
    variants: list[VariantCreate] = Field(default_factory=list, max_length=100)

    @model_validator(mode="after")
    def _distinct_skus(self) -> ProductCreate:
        skus = [v.sku for v in self.variants]
        if len(skus) != len(set(skus)):
            raise ValueError("variant SKUs must differ")
        return self


class ProductUpdate(Strict):
    title: str | None = Field(None, min_length=1, max_length=200)
    description: str | None = Field(None, max_length=20_000)
    category_id: uuid.UUID | None = None
    clear_category: bool = False
    attributes: Attributes | None = None
    slug: str | None = Field(None, pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$", max_length=200)


class StockRead(BaseModel):
    on_hand: int
    reserved: int
    available: int


class VariantRead(BaseModel):
    id: uuid.UUID
    sku: str
    title: str
    attributes: dict[str, Any]
    price: MoneyOut
    weight_grams: int
    tax_category: str
    unique: bool
    condition: str | None = None
    grade: str | None = None
    certification: str | None = None
    stock: StockRead | None = None


class ImageRead(BaseModel):
    id: uuid.UUID
    url: str
    alt: str
    content_type: str
    width: int
    height: int


class ProductRead(BaseModel):
    """The seller's and admin's view of a product."""

    id: uuid.UUID
    vendor_id: uuid.UUID
    slug: str
    status: str
    title: str
    description: str
    category_id: uuid.UUID | None
    attributes: dict[str, Any]
    variants: list[VariantRead]
    images: list[ImageRead]
    created_at: datetime
    updated_at: datetime
    published_at: datetime | None = None


class StatusRead(BaseModel):
    status: str
