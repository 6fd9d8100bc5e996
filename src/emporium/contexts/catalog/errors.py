"""Catalog errors with stable codes."""

from __future__ import annotations

from emporium.kernel.errors import Conflict, InvalidStateTransition, NotFound, ValidationFailed


class VendorNotFound(NotFound):
    default_message = "Vendor not found"


class ProductNotFound(NotFound):
    default_message = "Product not found"


class VariantNotFound(NotFound):
    default_message = "Variant not found"


class CategoryNotFound(NotFound):
    default_message = "Category not found"


class CollectionNotFound(NotFound):
    default_message = "Collection not found"


class VendorNotApproved(InvalidStateTransition):
    default_message = "Products can be published only once the vendor is approved"


class DuplicateSku(Conflict):
    default_message = "This vendor already has a variant with this SKU"


class DuplicateCertification(Conflict):
    default_message = "A unique item with this certification number already exists"


class SlugTaken(Conflict):
    default_message = "This slug is already taken"


class InvalidCatalogData(ValidationFailed):
    default_message = "The catalog data is not valid"


class NotAUniqueItem(ValidationFailed):
    default_message = "Only unique items carry condition, grade and certification"
