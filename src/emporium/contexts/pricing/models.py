"""Pricing tables (VAT rates so far; price lists, discounts and bundles come with issue 5)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import Numeric, String
from sqlalchemy.orm import Mapped, mapped_column

from emporium.kernel.db import Base, UTCDateTime


class VatRate(Base):
    """The VAT rate of one tax category in one destination country."""

    __tablename__ = "pricing_vat_rate"

    country: Mapped[str] = mapped_column(String(2), primary_key=True)
    tax_category: Mapped[str] = mapped_column(String(20), primary_key=True)
    rate: Mapped[Decimal] = mapped_column(Numeric(6, 4))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
