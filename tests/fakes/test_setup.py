"""The fakes' set-up helpers: what they add beyond the contract keeps to it (the contract itself: tests/contracts)."""

from __future__ import annotations

import inspect

import pytest

from commerce.transport.protocols import CONTRACT_PROTOCOLS
from contracts.errors import ServiceUnavailable
from tests.fakes.catalog import FakeCatalog
from tests.fakes.checkout import FakeCheckout
from tests.fakes.inventory import FakeInventory
from tests.fakes.pricing import FakePricing
from tests.fakes.recommendations import FakeRecommendations
from tests.fakes.shipping import FakeShipping
from tests.fakes.taxes import FakeTaxes

FAKES = {"catalog": FakeCatalog, "pricing": FakePricing, "inventory": FakeInventory, "checkout": FakeCheckout}
FAKES["recommendations"] = FakeRecommendations
FAKES["shipping"] = FakeShipping
FAKES["taxes"] = FakeTaxes


def parameters(function) -> list[tuple[str, object, object]]:
    return [(p.name, p.kind, p.default) for p in inspect.signature(function).parameters.values()]


@pytest.mark.parametrize("module", sorted(FAKES))
def test_each_fake_takes_the_arguments_of_its_contract(module):
    protocol = CONTRACT_PROTOCOLS[module]
    methods = [name for name, value in vars(protocol).items() if callable(value) and not name.startswith("_")]
    assert methods
    for name in methods:
        assert parameters(getattr(FAKES[module], name)) == parameters(getattr(protocol, name)), name


def test_a_catalog_that_knows_every_sku_still_answers_as_the_contract_says():
    catalog = FakeCatalog(knows_every_sku=True)
    catalog.unknown.add("GHOST")
    variants = catalog.variants_get(skus=["ANY-1", "GHOST", "not a sku", "ANY-1"])
    assert set(variants) == {"ANY-1"} and variants["ANY-1"].sellable
    assert catalog.category_skus_get(slug="any") == frozenset()
    assert FakeCatalog().variants_get(skus=["ANY-1"]) == {}


def test_calls_are_recorded_and_a_failure_is_armed_per_method():
    catalog = FakeCatalog()
    catalog.variants_add(["A", "B"], category_path="apparel/shirts")
    catalog.fail["variants_get"] = ServiceUnavailable("catalog down")
    with pytest.raises(ServiceUnavailable):
        catalog.variants_get(skus=["A"])
    assert catalog.category_skus_get(slug="shirts") == {"A", "B"}
    del catalog.fail["variants_get"]
    assert set(catalog.variants_get(skus=["A"])) == {"A"}
    assert catalog.count("variants_get") == 2 and catalog.called("category_skus_get") == [{"slug": "shirts"}]
