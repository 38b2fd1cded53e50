from django.apps import AppConfig


class CustomersConfig(AppConfig):
    name = "modules.customers"
    label = "customers"
    verbose_name = "Customers"
    # Periodic tasks (name: task, seconds), scheduled wherever customers is installed (commerce/schedule.py).
    periodic_tasks = {
        "customers-tokens-purge": ("modules.customers.tasks.refresh_tokens_purge", 24 * 60 * 60),
    }

    def ready(self) -> None:
        from contracts.customers import CustomerTokenInvalid
        from kernel.problems import contract_error_status_register
        from modules.customers import checks  # noqa: F401  checks register themselves
        from modules.customers.services.sessions import CredentialsInvalid, EmailUnconfirmed

        contract_error_status_register(CustomerTokenInvalid, 401)
        contract_error_status_register(CredentialsInvalid, 401)
        contract_error_status_register(EmailUnconfirmed, 403)
