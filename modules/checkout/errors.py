"""Errors only checkout raises: its storefront API's refusals, never part of a contract another module calls.

Each maps to an HTTP status through the kernel's registry (``apps.py``).
"""

from __future__ import annotations

import logging

from contracts.checkout import CartNotFound
from contracts.errors import Conflict, ContractError, InvalidInput, ServiceUnavailable
from contracts.pricing import VoucherInvalid

logger = logging.getLogger(__name__)

__all__ = ["CartNotFound"]  # part of the checkout contract now (cart_total_get); still raised from here


class CartCompleted(Conflict):
    """The cart was completed and can no longer change."""

    code = "cart_completed"


class ItemsUnavailable(Conflict):
    """Some lines are for products that are unpublished or discontinued; ``skus`` names them."""

    code = "items_unavailable"


class InvalidTransition(Conflict):
    """The order cannot move to that status from its current one."""

    code = "invalid_transition"


class RequestInProgress(Conflict):
    """A request with this Idempotency-Key is still running."""

    code = "request_in_progress"


class IdempotencyKeyReused(ContractError):
    """This Idempotency-Key was used with a different request body."""

    code = "idempotency_key_reused"


class CheckoutIncomplete(ServiceUnavailable):
    """Completing failed and not everything done so far could be undone yet; retry with the same Idempotency-Key."""

    code = "checkout_incomplete"


class CartChanged(Conflict):
    """The cart changed while it was being completed; nothing was charged. Review it and complete again."""

    code = "cart_changed"


class VoucherNotAccepted(InvalidInput):
    """This voucher code cannot be used here.

    One answer for every reason (unknown, inactive, expired, used up, not for
    this customer or cart): telling them apart would let anyone probe which
    codes exist. The reason goes to the log; the admin shows the voucher.
    """

    code = "voucher_invalid"


def storefront_error(error: ContractError) -> ContractError:
    """Return the error the storefront is told: a refused voucher becomes ``voucher_invalid``, whatever its reason."""
    if isinstance(error, VoucherInvalid):
        logger.info("voucher refused (%s): %s", error.reason, error.detail)
        return VoucherNotAccepted("This voucher code cannot be used.")
    return error
