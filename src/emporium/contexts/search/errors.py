"""Search failures a client can act on."""

from __future__ import annotations

from emporium.kernel.errors import ServiceUnavailable, ValidationFailed


class InvalidSearchQuery(ValidationFailed):
    default_message = "The search parameters are not valid"


class SearchIndexBusy(ServiceUnavailable):
    default_message = "The search index is being written by another process; retry later"
