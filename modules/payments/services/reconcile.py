"""Reconciliation: every session stuck past a threshold is settled with the provider's word.

- an intermediate status (processing, capturing, canceling, or a session whose
  intent's creation was never answered): ask the provider, finish the move;
- authorized without an order (the cart was abandoned, or the completing
  request died): cancel;
- captured without an order: refund, and report it;
- a refund whose provider answer was lost: ask again under the same key.

Returns what it changed, one line each, for the command and the task's log.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.utils import timezone

from contracts.checkout import OrderNotFound
from contracts.container import services
from contracts.errors import ContractError, ServiceUnavailable
from modules.payments.models import Payment
from modules.payments.providers.base import ProviderUnavailable
from modules.payments.selectors import payments_stuck, refunds_pending
from modules.payments.services.sessions import OPEN, Status, intent_create_at_provider, payment_refresh, payment_sync
from modules.payments.services.settlement import SYSTEM_ACTOR, payment_cancel, payment_capture, refund_create

logger = logging.getLogger(__name__)

INTERMEDIATE = (Status.PROCESSING, Status.CAPTURING, Status.CANCELING)


def _money(amount: Decimal) -> str:
    """An amount as people write it: two places unless the currency needs three."""
    return f"{amount:.2f}" if amount == round(amount, 2) else str(amount)


def _order_exists(number: str | None) -> bool | None:
    """Whether checkout has the order (None: checkout did not answer; decide nothing)."""
    if not number:
        return False
    try:
        services().checkout.order_get(number=number)
    except OrderNotFound:
        return False
    except ServiceUnavailable:
        return None
    return True


def payments_reconcile(*, now: datetime | None = None, limit: int = 500) -> list[str]:
    """Settle the stuck sessions and refunds; return one line per change."""
    now = now or timezone.now()
    stuck_before = now - timedelta(seconds=settings.PAYMENTS_RECONCILE_AFTER_SECONDS)
    abandoned_before = now - timedelta(seconds=settings.PAYMENTS_ABANDONED_AFTER_SECONDS)
    report: list[str] = []
    for payment in payments_stuck(before=stuck_before, statuses=(*INTERMEDIATE, Status.REQUIRES_ACTION))[:limit]:
        _step(report, payment, _intermediate_settle)
    unanswered = Payment.objects.filter(status=Status.REQUIRES_PAYMENT_METHOD, intent_id="", created_at__lt=stuck_before)
    for payment in unanswered[:limit]:
        _step(report, payment, _unanswered_settle)
    for payment in payments_stuck(before=abandoned_before, statuses=(Status.AUTHORIZED, Status.CAPTURED))[:limit]:
        _step(report, payment, _orphan_settle)
    for refund in refunds_pending(before=stuck_before)[:limit]:
        try:
            refund_create(payment=refund.payment, amount=refund.amount, reason=refund.reason, actor=refund.actor, key_suffix=refund.key.rsplit(":", 1)[-1])
            report.append(f"{refund.payment.session_id}: refund {refund.key} of {refund.amount} confirmed by the provider")
        except ContractError as error:
            report.append(f"{refund.payment.session_id}: refund {refund.key} still unanswered ({error.detail})")
    for line in report:
        logger.info("reconcile: %s", line)
    return report


def _step(report: list[str], payment: Payment, settle) -> None:  # noqa: ANN001
    before = payment.status
    try:
        what = settle(payment)
    except (ContractError, ProviderUnavailable) as error:
        report.append(f"{payment.session_id}: {before}, left as is ({getattr(error, 'detail', error)})")
        return
    if what:
        report.append(f"{payment.session_id}: {before} → {payment.status}: {what}")


def _intermediate_settle(payment: Payment) -> str:
    if payment.status == Status.CAPTURING and payment.order_number:
        payment_capture(order_number=payment.order_number)
        payment.refresh_from_db()
        return "capture finished"
    if payment.status == Status.CANCELING:
        payment_cancel(payment=payment)
        return "cancel finished"
    previous = payment.status
    payment = payment_refresh(payment=payment)
    return f"provider says {payment.status}" if payment.status != previous else ""


def _unanswered_settle(payment: Payment) -> str:
    """The intent's creation was never answered: ask again under the same key, then let go of whatever it is."""
    intent = intent_create_at_provider(payment=payment)
    Payment.objects.filter(pk=payment.pk).update(intent_id=intent.id, client_secret=intent.client_secret)
    payment.intent_id = intent.id
    payment = payment_sync(payment=payment, intent=intent)
    if payment.status in (*OPEN, Status.AUTHORIZED):
        payment_cancel(payment=payment)
        return "intent found and cancelled (its creation was never answered)"
    return f"intent found ({payment.status})"


def _orphan_settle(payment: Payment) -> str:
    exists = _order_exists(payment.order_number)
    if exists is None or exists:
        return ""
    if payment.status == Status.AUTHORIZED:
        payment_cancel(payment=payment)
        return "authorized without an order: cancelled"
    left = payment.amount_captured - payment.amount_refunded
    if left > 0:
        refund_create(payment=payment, amount=left, reason="captured without an order", actor=SYSTEM_ACTOR, key_suffix="orphan")
        payment.refresh_from_db()
        return f"captured without an order: {_money(left)} {payment.currency} refunded"
    return ""
