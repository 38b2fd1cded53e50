"""Start-up checks: a tax provider that cannot load fails the start, naming the setting."""

from __future__ import annotations

from modules.taxes.checks import tax_provider_check


def test_the_default_provider_passes(settings):
    settings.TAX_PROVIDER = "modules.taxes.providers.RateTableProvider"
    settings.TAX_PRICES_INCLUDE_TAX = True
    assert tax_provider_check() == []


def test_a_provider_that_cannot_load_or_compute_fails(settings):
    settings.TAX_PROVIDER = "modules.taxes.providers.Nope"
    settings.TAX_PRICES_INCLUDE_TAX = "yes"
    assert [e.id for e in tax_provider_check()] == ["taxes.E001", "taxes.E002"]
    settings.TAX_PROVIDER = "modules.taxes.calculator.tax_compute"  # a function, not a provider
    assert [e.id for e in tax_provider_check()] == ["taxes.E001", "taxes.E002"]
