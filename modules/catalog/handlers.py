"""Event subscribers of the catalog: keep the storefront's response cache fresh (see ``cache``).

Each only bumps a generation in the cache: idempotent, so a repeated delivery is harmless.
"""

from __future__ import annotations

from contracts.events import Event
from modules.catalog.cache import catalog_changed, storefront_changed


def storefront_cache_invalidate(event: Event) -> None:
    """A price changed or a SKU crossed between in and out of stock: cached responses are stale."""
    storefront_changed()


def catalog_cache_invalidate(event: Event) -> None:
    """A product was published or unpublished or a variant discontinued: responses and counts are stale."""
    catalog_changed()
