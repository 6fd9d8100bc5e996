"""Catalog: vendors, categories, collections, products, variants (unique graded items), media.

The public facade other contexts may use.
"""

from __future__ import annotations

from emporium.contexts.catalog.demo_data import DemoVendors, seed_demo_catalog
from emporium.contexts.catalog.events import PRODUCT_VIEW_EVENTS
from emporium.contexts.catalog.lookups import (
    ProductGroups,
    VariantInfo,
    VendorInfo,
    product_groups,
    suspended_vendor_ids,
    variant_infos,
    vendor_info,
    vendor_infos,
)
from emporium.contexts.catalog.models import ProductStatus, TaxCategory, VendorStatus
from emporium.contexts.catalog.search_feed import (
    all_documents,
    product_documents,
    products_in_category,
    products_of_vendor,
)
from emporium.contexts.catalog.subscribers import CACHE_INVALIDATOR
from emporium.contexts.catalog.vendors import approve_vendor, register_vendor, suspend_vendor

__all__ = [
    "CACHE_INVALIDATOR",
    "PRODUCT_VIEW_EVENTS",
    "DemoVendors",
    "ProductGroups",
    "ProductStatus",
    "TaxCategory",
    "VariantInfo",
    "VendorInfo",
    "VendorStatus",
    "all_documents",
    "approve_vendor",
    "product_documents",
    "product_groups",
    "products_in_category",
    "products_of_vendor",
    "register_vendor",
    "seed_demo_catalog",
    "suspend_vendor",
    "suspended_vendor_ids",
    "variant_infos",
    "vendor_info",
    "vendor_infos",
]
