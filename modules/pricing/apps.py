from django.apps import AppConfig


class PricingConfig(AppConfig):
    name = "modules.pricing"
    label = "pricing"
    verbose_name = "Pricing"
