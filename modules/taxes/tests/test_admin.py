"""Admin of taxes: pages render, bad rates are refused by field, the rate CSV import is all or nothing."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from kernel.imports import ImportInvalid
from modules.taxes.imports import tax_rates_import
from modules.taxes.models import CountryTaxRule, TaxRate

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(client):
    user = get_user_model().objects.create_superuser("admin", "admin@example.com", "pw")
    client.force_login(user)
    return client


def stored() -> dict[tuple[str, str, str], Decimal]:
    return {(r.country, r.region, r.tax_class): r.rate for r in TaxRate.objects.all()}


def test_every_taxes_page_renders_and_edits_are_checked(staff):
    rate = TaxRate.objects.create(country="DE", tax_class="standard", rate=Decimal(19))
    rule = CountryTaxRule.objects.create(country="US", shipping="exempt")
    for page in (
        "/admin/taxes/taxrate/?tax_class__exact=standard",
        f"/admin/taxes/taxrate/{rate.pk}/change/",
        "/admin/taxes/taxrate/add/",
        "/admin/taxes/taxrate/import/",
        "/admin/taxes/countrytaxrule/",
        f"/admin/taxes/countrytaxrule/{rule.pk}/change/",
    ):
        assert staff.get(page).status_code == 200, page
    response = staff.post(
        "/admin/taxes/taxrate/add/", {"country": "us", "region": "narnia", "tax_class": "standard", "rate": "5"}
    )
    assert response.status_code == 200 and "Not a region code of US" in response.content.decode()
    response = staff.post("/admin/taxes/taxrate/add/", {"country": "us", "region": "tx", "tax_class": "standard", "rate": "6.25"})
    assert response.status_code == 302 and stored()[("US", "TX", "standard")] == Decimal("6.25")
    response = staff.post("/admin/taxes/countrytaxrule/add/", {"country": "XX", "shipping": "highest"})
    assert response.status_code == 200 and not CountryTaxRule.objects.filter(country="XX").exists()


def test_the_import_sets_the_rates_it_names_and_keeps_the_others(db, tmp_path):
    TaxRate.objects.create(country="FR", tax_class="standard", rate=Decimal(20))
    text = "country,region,tax_class,rate\nDE,,standard,19\nde,,reduced,7\nUS,CA,standard,7.25\n"
    result = tax_rates_import(text=text)
    assert (result.created, result.updated, result.unchanged) == (3, 0, 0)
    assert stored() == {
        ("FR", "", "standard"): Decimal(20),
        ("DE", "", "standard"): Decimal(19),
        ("DE", "", "reduced"): Decimal(7),
        ("US", "CA", "standard"): Decimal("7.25"),
    }
    again = tax_rates_import(text=text.replace("7.25", "7.5"))
    assert (again.created, again.updated, again.unchanged) == (0, 1, 2)
    path = tmp_path / "rates.csv"
    path.write_text("DE,,standard,16\n")
    call_command("import_tax_rates", str(path), "--dry-run")
    assert stored()[("DE", "", "standard")] == Decimal(19)


def test_a_bad_file_imports_nothing(db, tmp_path):
    text = "DE,,standard,19\nDE,,standard,19\nXX,,standard,5\nDE,,luxury,5\nDE,,reduced,-1\nDE,,zero,5\n"
    with pytest.raises(ImportInvalid) as raised:
        tax_rates_import(text=text)
    assert [(p.line, p.code) for p in raised.value.problems] == [
        (2, "duplicate"),
        (3, "invalid"),
        (4, "invalid"),
        (5, "invalid"),
        (6, "invalid"),
    ]
    assert stored() == {}
    path = tmp_path / "rates.csv"
    path.write_text(text)
    with pytest.raises(CommandError):
        call_command("import_tax_rates", str(path))
