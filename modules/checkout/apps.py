from django.apps import AppConfig


class CheckoutConfig(AppConfig):
    name = "modules.checkout"
    label = "checkout"
    verbose_name = "Checkout"
