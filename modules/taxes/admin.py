"""Admin of taxes: rates per country, region and class (with CSV import), and each country's rule for shipping.

Plain admin edits checked by ``TaxRate.clean()``; taxes publishes no events.
"""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from kernel.admin_import import CsvImportAdminMixin
from modules.taxes.imports import tax_rates_import
from modules.taxes.models import CountryTaxRule, TaxRate


@admin.register(TaxRate)
class TaxRateAdmin(CsvImportAdminMixin, admin.ModelAdmin):
    list_display = ("country", "region", "tax_class", "rate", "updated_at")
    list_filter = ("tax_class", "country")
    search_fields = ("country", "region")
    ordering = ("country", "region", "tax_class")
    change_list_template = "admin/taxes/taxrate/change_list.html"
    import_columns = "country,region,tax_class,rate"
    import_title = "Import tax rates"
    import_help = (
        "A header row is optional; region blank for the whole country (a region's rate beats its country's); "
        "tax_class is standard, reduced or zero; rate in percent (19 for 19 %). Rates not in the file are kept."
    )

    def import_run(self, *, text: str, dry_run: bool, request: HttpRequest) -> str:
        result = tax_rates_import(text=text, dry_run=dry_run)
        return f"{result.created} created, {result.updated} updated, {result.unchanged} unchanged"


@admin.register(CountryTaxRule)
class CountryTaxRuleAdmin(admin.ModelAdmin):
    list_display = ("country", "shipping")
    search_fields = ("country",)
