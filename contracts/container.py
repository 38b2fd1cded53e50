"""The service container: how one module calls another synchronously.

Callers look the implementation up at call time (``services().inventory``),
so the composition root can decide, once, whether a contract is served by
the local module or by an HTTP client, and tests can swap in a fake.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace

from contracts.catalog import CatalogService
from contracts.checkout import CheckoutService
from contracts.inventory import InventoryService
from contracts.pricing import PricingService


@dataclass(frozen=True, slots=True)
class Services:
    catalog: CatalogService
    pricing: PricingService
    inventory: InventoryService
    checkout: CheckoutService


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
) -> Iterator[Services]:
    """Serve some contracts with other implementations (fakes) inside the block."""
    global _installed
    previous = services()
    changes = {
        name: impl
        for name, impl in (("catalog", catalog), ("pricing", pricing), ("inventory", inventory), ("checkout", checkout))
        if impl is not None
    }
    _installed = replace(previous, **changes)
    try:
        yield _installed
    finally:
        _installed = previous
