"""Implements ``contracts.pricing.PricingService``: the one place where models become contract dataclasses."""


class PricingFacade:
    pass
