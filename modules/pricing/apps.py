from django.apps import AppConfig


class PricingConfig(AppConfig):
    name = "modules.pricing"
    label = "pricing"
    verbose_name = "Pricing"
    # Periodic tasks (name: task, seconds), scheduled wherever pricing is installed (commerce/schedule.py).
    periodic_tasks = {"price-list-windows": ("modules.pricing.tasks.price_list_windows_publish", 10)}

    def ready(self) -> None:
        from contracts.checkout import OrderCancelled, OrderPlaced
        from contracts.customers import CustomerErased
        from contracts.events import subscribe
        from modules.pricing import handlers

        subscribe(OrderPlaced, name="pricing.voucher_confirm", handler=handlers.order_placed_voucher_confirm)
        subscribe(OrderCancelled, name="pricing.voucher_release", handler=handlers.order_cancelled_voucher_release)
        subscribe(CustomerErased, name="pricing.customer_forget", handler=handlers.customer_erased_forget)
