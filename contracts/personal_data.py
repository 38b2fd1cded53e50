"""Personal data: what a module holds about one customer, for the customer's export.

Every module that holds personal data offers, in its contract,
``personal_data_export(*, customer_id: int, email: str) -> PersonalData``
(``email`` for what it keeps by email, such as per-customer voucher uses);
the customers module gathers every such answer into one export, and each
module anonymizes what it holds on ``contracts.customers.CustomerErased``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True, kw_only=True)
class PersonalData:
    """The records one module holds about a customer: JSON values (strings for amounts and times)."""

    module: str
    records: tuple[Mapping[str, Any], ...] = ()
