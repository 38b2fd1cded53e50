from django.apps import AppConfig


class CheckoutConfig(AppConfig):
    name = "modules.checkout"
    label = "checkout"
    verbose_name = "Checkout"
    # Periodic tasks (name: task, seconds), scheduled wherever checkout is installed (commerce/schedule.py).
    periodic_tasks = {
        "carts-purge": ("modules.checkout.tasks.carts_purge", 60 * 60),
        "idempotency-keys-purge": ("modules.checkout.tasks.idempotency_keys_purge", 60 * 60),
        "checkout-attempts-abandon": ("modules.checkout.tasks.checkout_attempts_abandon", 5 * 60),
    }

    def ready(self) -> None:
        from contracts.checkout import OrderCancelled, OrderPlaced
        from contracts.customers import CustomerEmailConfirmed, CustomerErased
        from contracts.events import subscribe
        from contracts.payments import PaymentActionRequired, PaymentDeclined
        from kernel.problems import contract_error_status_register
        from modules.checkout import handlers
        from modules.checkout.errors import IdempotencyKeyReused

        # Payments' refusals, answered here too when payments runs in another process.
        contract_error_status_register(PaymentDeclined, 402)
        contract_error_status_register(PaymentActionRequired, 402)
        contract_error_status_register(IdempotencyKeyReused, 422)

        # These call inventory, pricing and payments: no checkout transaction may stay open across them.
        subscribe(OrderPlaced, name="checkout.order_settle", handler=handlers.order_placed_settle, in_transaction=False)
        subscribe(OrderPlaced, name="checkout.confirmation_send", handler=handlers.order_placed_confirm, in_transaction=False)
        subscribe(
            OrderCancelled,
            name="checkout.payment_reverse",
            handler=handlers.order_cancelled_payment_reverse,
            in_transaction=False,
        )
        # Storefront accounts (modules/customers), through its events only: checkout's own writes, in one transaction.
        subscribe(CustomerEmailConfirmed, name="checkout.guest_orders_attach", handler=handlers.customer_email_confirmed_attach)
        subscribe(CustomerErased, name="checkout.customer_erase", handler=handlers.customer_erased_anonymize)
