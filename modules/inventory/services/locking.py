"""Locking and the retrying transaction: how overselling is made impossible.

- every operation that changes what is available of a SKU first locks that
  SKU's ``StockLevel`` rows (``SELECT ... FOR UPDATE``) in one global order
  (SKU, then warehouse id), so writers of the same SKU queue instead of racing,
  and two writers can never wait for each other in a cycle (no deadlock);
  a reservation row, when one is involved, is always locked before stock rows;
- what is free is read by a new statement after the locks are held, so it
  includes everything committed by the writers we queued behind;
- on-hand is decreased by a conditional update (``on_hand >= quantity``) and a
  database constraint forbids negative stock, as the last line of defence;
- on SQLite, ``select_for_update`` is a no-op, but every transaction starts
  ``IMMEDIATE`` (settings), so writers run one at a time;
- nothing here calls another module while holding a lock (the catalog check
  of imports and manual movements runs before the transaction starts);
- a lock wait longer than ``lock_timeout`` fails fast as ``InventoryBusy``
  (retryable, 503); a deadlock or serialization failure is retried.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from typing import TypeVar

from django.db import OperationalError, connections, router

from contracts.inventory import InventoryBusy
from kernel.transactions import atomic_for
from modules.inventory import selectors
from modules.inventory.models import StockLevel

logger = logging.getLogger(__name__)

T = TypeVar("T")

# PostgreSQL SQLSTATEs: deadlock and serialization failure are worth retrying as a whole;
# lock_not_available (lock_timeout) and query_canceled (statement_timeout) mean "busy, come back later".
_RETRY_SQLSTATES = frozenset({"40P01", "40001"})
_BUSY_SQLSTATES = frozenset({"55P03", "57014"})
_ATTEMPTS = 3


def inventory_db() -> str:
    """Return the database alias of the inventory tables (transactions open through ``atomic_for``)."""
    return router.db_for_write(StockLevel)


def _is_busy(error: OperationalError) -> bool:
    sqlstate = getattr(error.__cause__, "sqlstate", None)
    return sqlstate in _BUSY_SQLSTATES or "database is locked" in str(error) or "database table is locked" in str(error)


def transaction_run(fn: Callable[[], T]) -> T:
    """Run ``fn`` in one transaction (a savepoint inside the caller's); retry deadlocks, map lock timeouts.

    The transaction is the module's own (``kernel.transactions.atomic_for``),
    wrapped in the retry that inventory's locking needs.

    A rolled-back attempt leaves nothing behind: its outbox rows and their
    on-commit deliveries go with it.
    """
    for attempt in range(1, _ATTEMPTS + 1):
        try:
            with atomic_for(StockLevel):
                return fn()
        except OperationalError as error:
            if getattr(error.__cause__, "sqlstate", None) in _RETRY_SQLSTATES and attempt < _ATTEMPTS:
                logger.info("inventory transaction retried after %s (attempt %s)", error.__cause__, attempt)
                time.sleep(0.01 * attempt)
                continue
            if _is_busy(error) or getattr(error.__cause__, "sqlstate", None) in _RETRY_SQLSTATES:
                raise InventoryBusy("The stock is busy; nothing changed. Try again in a moment.") from error
            raise
    raise AssertionError("unreachable")  # pragma: no cover


def stock_lock(*, skus: Iterable[str]) -> None:
    """Lock every stock row of ``skus`` in the global order (SKU, warehouse id); no-op on SQLite (IMMEDIATE)."""
    if not connections[inventory_db()].features.has_select_for_update:
        # SQLite: the IMMEDIATE transaction already holds the database's one write lock; nothing to send.
        return
    for chunk in selectors.chunks(skus):
        list(
            StockLevel.objects.select_for_update()
            .filter(sku__in=chunk)
            .order_by("sku", "warehouse_id")
            .values_list("pk", flat=True)
        )
