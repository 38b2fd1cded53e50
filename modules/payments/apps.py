from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "modules.payments"
    label = "payments"
    verbose_name = "Payments"
    # Periodic tasks (name: task, seconds), scheduled wherever payments is installed (commerce/schedule.py).
    periodic_tasks = {
        "payments-reconcile": ("modules.payments.tasks.payments_reconcile", 10 * 60),
        "payments-ledger-purge": ("modules.payments.tasks.test_ledger_purge", 24 * 60 * 60),
    }

    def ready(self) -> None:
        from contracts.payments import PaymentActionRequired, PaymentDeclined
        from kernel.problems import contract_error_status_register
        from modules.payments import checks  # noqa: F401  checks register themselves

        contract_error_status_register(PaymentDeclined, 402)
        contract_error_status_register(PaymentActionRequired, 402)
