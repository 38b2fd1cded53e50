"""Warehouses: created by the operations command (or the admin), one row each, refused when the code is taken."""

from __future__ import annotations

import re

from django.db import IntegrityError

from kernel.transactions import atomic_for
from modules.inventory.models import Warehouse
from modules.inventory.services.validation import problem, text_check

WAREHOUSE_CODE_RULE = "1 to 20 letters, digits, '-' and '_', starting with a letter or digit"
_CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,19}")
PRIORITY_MAX = 1_000_000


def warehouse_create(*, code: str, name: str, priority: int = 100, active: bool = True) -> Warehouse:
    """Create the warehouse ``code``; ``InvalidInput`` for a bad or taken code, a blank name or a bad priority.

    The code is what stock files and the ledger name the warehouse by, so it
    is kept as given (case matters) and never changed afterwards. Lower
    priorities are allocated first; only active warehouses' stock is sold.
    """
    if not isinstance(code, str) or not _CODE.fullmatch(code):
        raise problem("code", "invalid", f"A warehouse code is {WAREHOUSE_CODE_RULE}.")
    text_check(name, field="name", max_length=200)
    if isinstance(priority, bool) or not isinstance(priority, int) or not 0 <= priority <= PRIORITY_MAX:
        raise problem("priority", "invalid", f"A priority is a whole number from 0 to {PRIORITY_MAX}.")
    if Warehouse.objects.filter(code=code).exists():
        raise problem("code", "warehouse_exists", f"There is already a warehouse {code!r}.")
    try:
        with atomic_for(Warehouse):
            return Warehouse.objects.create(code=code, name=name, priority=priority, active=active)
    except IntegrityError as error:  # created by someone else since the check
        raise problem("code", "warehouse_exists", f"There is already a warehouse {code!r}.") from error
