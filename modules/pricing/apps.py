from django.apps import AppConfig


class PricingConfig(AppConfig):
    name = "modules.pricing"
    label = "pricing"
    verbose_name = "Pricing"

    def ready(self) -> None:
        from contracts.checkout import OrderCancelled, OrderPlaced
        from contracts.events import subscribe
        from modules.pricing import handlers

        subscribe(OrderPlaced, name="pricing.voucher_confirm", handler=handlers.order_placed_voucher_confirm)
        subscribe(OrderCancelled, name="pricing.voucher_release", handler=handlers.order_cancelled_voucher_release)
