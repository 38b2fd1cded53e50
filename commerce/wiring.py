"""Decide, once, which implementation serves each contract.

Today every module runs in this process, so each contract is served by the
module's local facade. A module lifted out is served here by an HTTP client
of the same contract instead; nothing outside this file changes.
"""

from __future__ import annotations

from contracts.container import Services
from modules.catalog.facade import CatalogFacade
from modules.checkout.facade import CheckoutFacade
from modules.inventory.facade import InventoryFacade
from modules.pricing.facade import PricingFacade


def services_build() -> Services:
    """Return the container of contract implementations for this process."""
    return Services(
        catalog=CatalogFacade(),
        pricing=PricingFacade(),
        inventory=InventoryFacade(),
        checkout=CheckoutFacade(),
    )
