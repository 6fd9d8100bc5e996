"""Every table of every context, imported once so Alembic and tests see one metadata."""

from __future__ import annotations

from emporium.contexts.catalog import models as catalog_models  # noqa: F401
from emporium.contexts.identity import models as identity_models  # noqa: F401
from emporium.contexts.inventory import models as inventory_models  # noqa: F401
from emporium.contexts.pricing import models as pricing_models  # noqa: F401
from emporium.kernel import dead_letters, dispatcher, events, jobs  # noqa: F401
from emporium.kernel.db import Base
from emporium.kernel.http import idempotency  # noqa: F401

metadata = Base.metadata
