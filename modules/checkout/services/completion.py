"""Completing a cart exactly once per Idempotency-Key: the saga across pricing, payments and inventory.

validate → quote (pricing) → claim the key → attach the payment session
(payments: authorized for exactly the quote's total) → reserve (inventory) →
redeem the voucher (pricing) → create the order, publish OrderPlaced and store
the answer (one transaction). Settling (stock commit, then capture) and the
confirmation email run after the response, as OrderPlaced subscribers with the
bus's retries: the request answers ``placed``.

Each step before the order is undone if a later one fails: a final refusal
(out of stock, cart changed...) cancels the authorization, a failure that may
pass only detaches it so the retry can use it. A session that needs the
customer to act (3-D Secure) answers ``payment_action_required`` and frees the
key: the same key completes once the customer authenticated. No step holds a
database lock of ours while another module is called. Every step is keyed by
the order number chosen when the key is first seen, so a retry resumes the
same attempt and every undo is idempotent.

The request path of a new key costs four transactions: the claim, payments'
attachment, inventory's reservation and the order; a voucher adds pricing's
redemption.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError

from contracts.errors import ContractError, ServiceUnavailable
from contracts.payments import PaymentActionRequired, PaymentNotAuthorized
from kernel.problems import contract_error_document, contract_error_status
from kernel.transactions import atomic_for
from modules.checkout.errors import (
    CheckoutIncomplete,
    RequestInProgress,
    storefront_error,
)
from modules.checkout.models import Cart, CheckoutAttempt
from modules.checkout.selectors import cart_get
from modules.checkout.services.attempts import (
    AttemptClaim,
    LeaseLost,
    attempt_claim,
    attempt_find,
    attempt_finish,
    attempt_pause,
    attempt_release,
    attempt_start,
)
from modules.checkout.services.placement import CompleteRequest, OrderPlan, StepsLeftBehind, order_place, order_plan

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True, kw_only=True)
class CompleteResult:
    status: int
    body: dict[str, Any]
    replayed: bool


def checkout_complete(*, cart_token: str, key: str, request: CompleteRequest, customer_id: int | None = None) -> CompleteResult:
    """Turn the cart into an order exactly once per Idempotency-Key; see the module docstring for the steps.

    A contract failure (out of stock, declined, invalid voucher...) is final:
    its response is stored and replayed for the same key. A failure that may
    pass (a module or the provider unavailable, a payment awaiting the
    customer, a bug) frees the key for a retry once everything done so far is
    undone; if an undo fails too, the attempt is kept for the retry or
    ``checkout_attempts_abandon`` to finish.
    """
    cart = cart_get(token=cart_token)  # unknown carts are a plain 404, and claim nothing
    if attempt_find(cart_token=cart_token, key=key) is None:
        try:
            return _complete_new_key(cart=cart, key=key, request=request, customer_id=customer_id)
        except IntegrityError:
            pass  # a concurrent first request with the same key won the insert: take the key as seen
    return _complete_seen_key(cart_token=cart_token, key=key, request=request, customer_id=customer_id)


def _complete_new_key(*, cart: Cart, key: str, request: CompleteRequest, customer_id: int | None) -> CompleteResult:
    """The common case: plan from reads only, then claim the key in one transaction."""
    try:
        plan = order_plan(cart=cart, email=request.email)
    except ServiceUnavailable:
        raise  # nothing claimed: the key stays free for the retry
    except ContractError as error:
        error = storefront_error(error)
        status, body = contract_error_status(error), contract_error_document(error)
        with atomic_for(CheckoutAttempt):
            attempt_start(
                cart_token=cart.token,
                key=key,
                fingerprint=request.fingerprint,
                state=CheckoutAttempt.State.DONE,
                response_status=status,
                response_body=body,
            )
        return CompleteResult(status=status, body=body, replayed=False)
    with atomic_for(CheckoutAttempt):
        attempt = attempt_start(cart_token=cart.token, key=key, fingerprint=request.fingerprint)
    return _attempt_drive(attempt=attempt, request=request, customer_id=customer_id, resumed=False, plan=plan)


def _complete_seen_key(*, cart_token: str, key: str, request: CompleteRequest, customer_id: int | None) -> CompleteResult:
    try:
        claimed = attempt_claim(cart_token=cart_token, key=key, fingerprint=request.fingerprint)
    except IntegrityError:  # a concurrent first request with the same key won the insert
        claimed = attempt_claim(cart_token=cart_token, key=key, fingerprint=request.fingerprint)
    attempt = claimed.attempt
    if claimed.claim is AttemptClaim.REPLAY:
        return CompleteResult(status=attempt.response_status, body=attempt.response_body, replayed=True)
    return _attempt_drive(
        attempt=attempt, request=request, customer_id=customer_id, resumed=claimed.claim is AttemptClaim.RESUMED
    )


def _attempt_drive(
    *,
    attempt: CheckoutAttempt,
    request: CompleteRequest,
    customer_id: int | None,
    resumed: bool,
    plan: OrderPlan | None = None,
) -> CompleteResult:
    """Run the steps of an attempt this request owns, and store its final answer."""
    try:
        body = order_place(attempt=attempt, request=request, customer_id=customer_id, resumed=resumed, plan=plan)
        return CompleteResult(status=201, body=body, replayed=False)
    except LeaseLost:
        raise RequestInProgress("Another request with this Idempotency-Key took over; retry shortly.") from None
    except StepsLeftBehind as left:
        # Not a final answer: the retry (or the abandon task) finishes the undo, then answers for good.
        attempt_pause(attempt)
        raise CheckoutIncomplete(
            f"Completing failed ({getattr(left.cause, 'code', type(left.cause).__name__)}) and is still being "
            "undone; retry with the same Idempotency-Key."
        ) from None
    except (ServiceUnavailable, PaymentActionRequired, PaymentNotAuthorized):
        # Not final: the provider may answer later, the customer may authenticate; the same key then goes on.
        attempt_release(attempt)
        raise
    except ContractError as error:
        error = storefront_error(error)
        status, body = contract_error_status(error), contract_error_document(error)
        try:
            attempt_finish(attempt=attempt, status=status, body=body)
        except LeaseLost:
            raise RequestInProgress("Another request with this Idempotency-Key took over; retry shortly.") from None
        return CompleteResult(status=status, body=body, replayed=False)
    except Exception:
        attempt_release(attempt)
        raise
