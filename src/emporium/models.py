"""Every table of every context, imported once so Alembic and tests see one metadata."""

from __future__ import annotations

from sqlalchemy import MetaData

from emporium.contexts.cart import models as cart_models  # noqa: F401
from emporium.contexts.catalog import models as catalog_models  # noqa: F401
from emporium.contexts.checkout import models as checkout_models  # noqa: F401
from emporium.contexts.identity import models as identity_models  # noqa: F401
from emporium.contexts.inventory import models as inventory_models  # noqa: F401
from emporium.contexts.orders import models as orders_models  # noqa: F401
from emporium.contexts.payments import models as payments_models  # noqa: F401
from emporium.contexts.payments import sandbox as payments_sandbox  # noqa: F401
from emporium.contexts.payments import sandbox_webhooks as payments_sandbox_webhooks  # noqa: F401
from emporium.contexts.pricing import models as pricing_models  # noqa: F401
from emporium.contexts.search.models import postgres_metadata as search_postgres_metadata
from emporium.contexts.shipping import models as shipping_models  # noqa: F401
from emporium.contexts.shipping import sandbox as shipping_sandbox  # noqa: F401
from emporium.contexts.wallet import models as wallet_models  # noqa: F401
from emporium.contexts.wallet import sandbox as wallet_sandbox  # noqa: F401
from emporium.kernel import dead_letters, dispatcher, events, jobs, saga_model  # noqa: F401
from emporium.kernel.db import Base
from emporium.kernel.http import idempotency  # noqa: F401

metadata = Base.metadata
# Tables that exist on PostgreSQL only (kept out of `metadata`, which SQLite must match too);
# a schema check on PostgreSQL compares these as well.
postgres_only_metadata: list[MetaData] = [search_postgres_metadata]
