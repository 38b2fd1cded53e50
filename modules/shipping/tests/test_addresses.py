"""Addresses checked against each country's rules (kernel.addresses, shared by every module): one problem per bad field."""

from __future__ import annotations

import pytest

from contracts.addresses import Address
from contracts.errors import InvalidInput
from kernel.addresses import address_normalize


def address(**changes: str) -> Address:
    base = {"name": "Ada Lovelace", "line1": "1 Main St", "city": "Berlin", "postal_code": "10115", "country": "DE"}
    return Address(**{**base, **changes})


def problems(value: Address) -> dict[str, str]:
    with pytest.raises(InvalidInput) as raised:
        address_normalize(value)
    return {p.field: p.code for p in raised.value.errors}


def test_a_german_address_is_kept_and_tidied():
    normalized = address_normalize(address(country="de", name="  Ada   Lovelace ", phone="+49 30 1234567"))
    assert normalized == address(country="DE", phone="+49 30 1234567")


def test_a_us_state_is_answered_as_its_code_and_zip_plus_four_is_allowed():
    normalized = address_normalize(address(country="US", city="San Francisco", region="California", postal_code="94103-1234"))
    assert (normalized.region, normalized.postal_code) == ("CA", "94103-1234")


def test_the_region_is_required_where_the_country_needs_it_and_must_exist():
    assert problems(address(country="US", city="Austin", postal_code="73301")) == {"region": "required"}
    assert problems(address(country="US", city="Austin", postal_code="73301", region="Narnia")) == {"region": "invalid"}


def test_the_postal_code_is_checked_per_country_and_the_problem_shows_an_example():
    with pytest.raises(InvalidInput) as raised:
        address_normalize(address(postal_code="1011"))
    (problem,) = raised.value.errors
    assert (problem.field, problem.code) == ("postal_code", "invalid")
    assert "DE" in problem.detail and "e.g." in problem.detail
    assert problems(address(postal_code="")) == {"postal_code": "required"}


def test_a_country_without_postal_codes_needs_none():
    assert address_normalize(address(country="IE", city="Dublin", postal_code="")).postal_code == ""


def test_an_unknown_country_is_named_with_every_other_problem():
    assert problems(address(country="XX", name="", line1=" ")) == {"country": "invalid", "name": "required", "line1": "required"}
    assert problems(address(country="Germany")) == {"country": "invalid"}


def test_phone_length_and_type_problems_name_their_field():
    assert problems(address(phone="call me")) == {"phone": "invalid"}
    assert problems(address(city="x" * 129)) == {"city": "max_length"}
    assert problems(address(name=None)) == {"name": "invalid"}  # type: ignore[arg-type]


def test_a_destination_needs_only_its_country_and_checks_what_else_is_given():
    def destination(**values: str) -> Address:
        return address_normalize(Address(name="", line1="", city="", **values), destination_only=True)

    assert destination(country="de") == Address(name="", line1="", city="", country="DE")
    assert destination(country="US", region="california", postal_code="94103").region == "CA"
    assert destination(country="CA", postal_code="h3z 2y7").postal_code == "H3Z 2Y7"
    for values, field in (
        ({"country": "US", "region": "Narnia"}, "region"),
        ({"country": "DE", "postal_code": "1011"}, "postal_code"),
        ({"country": "US", "region": "CA", "postal_code": "10001"}, "postal_code"),  # a New York ZIP is not Californian
        ({"country": "ZZ"}, "country"),
    ):
        with pytest.raises(InvalidInput) as raised:
            destination(**values)
        assert [p.field for p in raised.value.errors] == [field], values
