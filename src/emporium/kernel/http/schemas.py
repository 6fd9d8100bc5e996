"""Wire shapes shared by every context: Money and strict request models."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from emporium.kernel.money import Money


class Strict(BaseModel):
    """Base of request bodies: unknown fields are refused, strings are trimmed."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class MoneyIn(Strict):
    amount: int = Field(ge=0, le=10**12, description="Minor units (cents)")
    currency: str = Field(pattern=r"^[A-Z]{3}$", examples=["EUR"])

    def to_money(self) -> Money:
        return Money(self.amount, self.currency)


class MoneyOut(BaseModel):
    amount: int
    currency: str

    @classmethod
    def of(cls, money: Money) -> MoneyOut:
        return cls(amount=money.amount, currency=money.currency)
