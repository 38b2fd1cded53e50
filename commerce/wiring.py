"""Decide, once, which implementation serves each contract.

A module installed in this process (``COMMERCE_MODULES``) is served by its
local facade; a module running elsewhere by an HTTP client of the same
contract, at ``<MODULE>_SERVICE_URL``. Nothing outside this file changes
when a module is lifted out.
"""

from __future__ import annotations

from django.conf import settings
from django.utils.module_loading import import_string

from commerce.transport.client import ContractClient
from commerce.transport.credentials import client_token_for
from commerce.transport.protocols import CONTRACT_PROTOCOLS
from contracts.container import MODULES, Services
from contracts.errors import ServiceUnavailable

# Every module serves its contract from ``modules/<module>/facade.py`` as ``<Module>Facade``.
LOCAL_FACADES = {module: f"modules.{module}.facade.{module.capitalize()}Facade" for module in MODULES}


class Unavailable:
    """Stands for a module neither installed here nor given a URL: every call says so."""

    def __init__(self, module: str) -> None:
        self._module = module

    def __getattr__(self, name: str) -> object:
        def call(**kwargs: object) -> object:
            raise ServiceUnavailable(
                f"the {self._module} module is not installed in this process and {self._module.upper()}_SERVICE_URL is not set"
            )

        return call


def implementation_for(module: str) -> object:
    """Return the implementation of ``module``'s contract for this process."""
    if module in settings.MODULES:
        # Imported only when installed: a module's models may not load in a process that lacks it.
        return import_string(LOCAL_FACADES[module])()
    url = settings.MODULE_SERVICE_URLS.get(module)
    if url:
        return ContractClient(
            module=module,
            protocol=CONTRACT_PROTOCOLS[module],
            base_url=url,
            token=client_token_for(module),
            timeout=settings.CONTRACTS_TIMEOUT_SECONDS,
        )
    return Unavailable(module)


def services_build() -> Services:
    """Return the container of contract implementations for this process."""
    return Services(**{module: implementation_for(module) for module in LOCAL_FACADES})
