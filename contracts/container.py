"""The service container: how one module calls another synchronously.

Callers look the implementation up at call time (``services().inventory``),
so the composition root can decide, once, whether a contract is served by
the local module or by an HTTP client, and tests can swap in a fake.
"""

from __future__ import annotations

import typing
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, fields, replace

from contracts.catalog import CatalogService
from contracts.checkout import CheckoutService
from contracts.customers import CustomersService
from contracts.inventory import InventoryService
from contracts.payments import PaymentsService
from contracts.pricing import PricingService
from contracts.recommendations import RecommendationsService
from contracts.shipping import ShippingService
from contracts.taxes import TaxesService


@dataclass(frozen=True, slots=True)
class Services:
    catalog: CatalogService
    pricing: PricingService
    inventory: InventoryService
    checkout: CheckoutService
    payments: PaymentsService
    recommendations: RecommendationsService
    customers: CustomersService
    shipping: ShippingService
    taxes: TaxesService


# The one list of modules: every other list (settings, import rules, Makefile...) is checked against it.
MODULES: tuple[str, ...] = tuple(field.name for field in fields(Services))


def contract_protocols() -> dict[str, type]:
    """Return the Protocol of each module's contract, by module name."""
    hints = typing.get_type_hints(Services)
    return {name: hints[name] for name in MODULES}


_installed: Services | None = None


def services() -> Services:
    """Return the installed implementations of every contract."""
    if _installed is None:
        raise RuntimeError("services are not installed: is the 'commerce' app in INSTALLED_APPS?")
    return _installed


def services_install(container: Services) -> None:
    """Install the implementations; done once by the composition root at start-up."""
    global _installed
    _installed = container


@contextmanager
def services_override(
    *,
    catalog: CatalogService | None = None,
    pricing: PricingService | None = None,
    inventory: InventoryService | None = None,
    checkout: CheckoutService | None = None,
    payments: PaymentsService | None = None,
    recommendations: RecommendationsService | None = None,
    customers: CustomersService | None = None,
    shipping: ShippingService | None = None,
    taxes: TaxesService | None = None,
) -> Iterator[Services]:
    """Serve some contracts with other implementations (fakes) inside the block."""
    global _installed
    previous = services()
    given = {"catalog": catalog, "pricing": pricing, "inventory": inventory, "checkout": checkout, "payments": payments}
    given["recommendations"] = recommendations
    given["customers"] = customers
    given["shipping"] = shipping
    given["taxes"] = taxes
    changes = {name: impl for name, impl in given.items() if impl is not None}
    _installed = replace(previous, **changes)
    try:
        yield _installed
    finally:
        _installed = previous
