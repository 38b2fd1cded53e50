"""Checkout's abuse limits: how often carts, vouchers and completions may be tried, and declined cards."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.cache import cache
from rest_framework.throttling import BaseThrottle

from kernel.throttles import throttle_for

CartCreateThrottle = throttle_for("cart_create")
VoucherThrottle = throttle_for("voucher")
CompleteAddressThrottle = throttle_for("complete_address")
CompleteCartThrottle = throttle_for("complete_cart", key="token")


def _declines_key(cart_token: str) -> str:
    return f"checkout:declines:{cart_token}"


def payment_decline_record(*, cart_token: str) -> None:
    """Count a declined payment of this cart; the count lasts for the cool-down after the latest decline."""
    key = _declines_key(cart_token)
    cache.set(key, (cache.get(key) or 0) + 1, timeout=settings.CHECKOUT_PAYMENT_DECLINES_COOLDOWN_SECONDS)


class PaymentDeclinesThrottle(BaseThrottle):
    """After ``CHECKOUT_PAYMENT_DECLINES_MAX`` declines, a cart answers 429 until the cool-down passes.

    Without it, one cart is a card-testing oracle: each try says whether a
    stolen card number works.
    """

    def allow_request(self, request: Any, view: Any) -> bool:
        if not settings.THROTTLES_ENABLED:
            return True
        return (cache.get(_declines_key(view.kwargs.get("token", ""))) or 0) < settings.CHECKOUT_PAYMENT_DECLINES_MAX

    def wait(self) -> float:
        return float(settings.CHECKOUT_PAYMENT_DECLINES_COOLDOWN_SECONDS)
