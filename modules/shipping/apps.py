from django.apps import AppConfig


class ShippingConfig(AppConfig):
    name = "modules.shipping"
    label = "shipping"
    verbose_name = "Shipping"
