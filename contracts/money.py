"""Currencies' minor units (ISO 4217): the one table every module and the admin read amounts by.

Money crosses every boundary as ``Decimal`` + currency code; how many
decimals a currency has is a fact about the currency, not about any module,
so it lives here, standard library only.
"""

from __future__ import annotations

# ISO 4217 minor units of the currencies a shop may be configured to sell in.
# A currency absent here is refused by pricing even when configured: its decimals are unknown.
ISO_MINOR_UNITS: dict[str, int] = {
    "AUD": 2,
    "BHD": 3,
    "CAD": 2,
    "CHF": 2,
    "CZK": 2,
    "DKK": 2,
    "EUR": 2,
    "GBP": 2,
    "HUF": 2,
    "ISK": 0,
    "JOD": 3,
    "JPY": 0,
    "KRW": 0,
    "KWD": 3,
    "NOK": 2,
    "NZD": 2,
    "OMR": 3,
    "PLN": 2,
    "SEK": 2,
    "TND": 3,
    "USD": 2,
}


def minor_units(currency: str) -> int:
    """Return how many decimals ``currency`` has (JPY 0, EUR 2, KWD 3); ``KeyError`` for an unknown one."""
    return ISO_MINOR_UNITS[currency]
