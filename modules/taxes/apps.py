from django.apps import AppConfig


class TaxesConfig(AppConfig):
    name = "modules.taxes"
    label = "taxes"
    verbose_name = "Taxes"

    def ready(self) -> None:
        from contracts.taxes import TaxRateMissing
        from kernel.problems import contract_error_status_register
        from modules.taxes import checks  # noqa: F401  checks register themselves

        # The shop cannot say what the order costs there yet: not the customer's fault, not a conflict of theirs.
        contract_error_status_register(TaxRateMissing, 422)
