"""Implements ``contracts.checkout.CheckoutService``: the one place where models become contract dataclasses."""


class CheckoutFacade:
    pass
