from django.apps import AppConfig


class CheckoutConfig(AppConfig):
    name = "modules.checkout"
    label = "checkout"
    verbose_name = "Checkout"

    def ready(self) -> None:
        from contracts.checkout import OrderCancelled, OrderPlaced
        from contracts.events import subscribe
        from modules.checkout import handlers

        subscribe(OrderPlaced, name="checkout.order_settle", handler=handlers.order_placed_settle)
        subscribe(OrderPlaced, name="checkout.confirmation_send", handler=handlers.order_placed_confirm)
        subscribe(OrderCancelled, name="checkout.payment_reverse", handler=handlers.order_cancelled_payment_reverse)
