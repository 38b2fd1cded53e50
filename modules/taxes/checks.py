"""Start-up checks of taxes: a tax provider that cannot be loaded would fail every quote, so it fails the start."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, register
from django.utils.module_loading import import_string


@register()
def tax_provider_check(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    """Fail when ``TAX_PROVIDER`` does not name a class with a ``calculate`` method, or the price style is not a bool."""
    errors = []
    try:
        provider = import_string(settings.TAX_PROVIDER)
    except ImportError as error:
        provider = None
        detail = str(error)
    else:
        detail = "it has no calculate method"
    if not (isinstance(provider, type) and callable(getattr(provider, "calculate", None))):
        errors.append(
            Error(
                f"TAX_PROVIDER={settings.TAX_PROVIDER!r} cannot compute taxes: {detail}.",
                hint="Name a class implementing modules.taxes.providers.TaxProvider (default: "
                "modules.taxes.providers.RateTableProvider).",
                id="taxes.E001",
            )
        )
    if not isinstance(settings.TAX_PRICES_INCLUDE_TAX, bool):
        errors.append(Error("TAX_PRICES_INCLUDE_TAX must be true or false.", id="taxes.E002"))
    return errors
