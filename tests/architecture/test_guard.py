"""The runtime guard: module code querying another module's tables fails the test that ran it, naming both."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection

from commerce.architecture.guard import BoundaryViolation, boundary_guard, tables_owned
from commerce.architecture.source import ROOT

pytestmark = pytest.mark.django_db


def run_as(module: str, source: str) -> dict[str, Any]:
    """Run ``source`` as if it were a file of ``module`` (its frames are under modules/<module>/)."""
    namespace: dict[str, Any] = {}
    exec(compile(source, str(ROOT / "modules" / module / "injected_leak.py"), "exec"), namespace)
    return namespace


def test_the_guard_is_on_every_connection():
    connection.ensure_connection()
    assert boundary_guard in connection.execute_wrappers


def test_every_modules_tables_are_known_with_their_owner():
    owned = tables_owned()
    assert owned["catalog_product"] == "catalog" and owned["inventory_stocklevel"] == "inventory"
    assert "eventbus_outbox" not in owned.values() and not any(table.startswith("auth_") for table in owned)


def test_module_code_querying_another_modules_model_fails_naming_both():
    namespace = run_as("pricing", "def leak():\n    from modules.catalog.models import Product\n    return Product.objects.count()\n")
    with pytest.raises(BoundaryViolation) as caught:
        namespace["leak"]()
    message = str(caught.value)
    assert "module pricing queried the tables of module catalog (catalog_product)" in message
    assert "modules/pricing/injected_leak.py:3" in message


def test_raw_sql_into_another_modules_table_fails():
    namespace = run_as(
        "checkout",
        "from django.db import connection\n\ndef leak():\n    with connection.cursor() as cursor:\n"
        "        cursor.execute('SELECT COUNT(*) FROM inventory_stocklevel')\n",
    )
    with pytest.raises(BoundaryViolation, match="module checkout queried the tables of module inventory"):
        namespace["leak"]()


def test_a_handler_catching_everything_cannot_hide_it():
    namespace = run_as(
        "inventory",
        "def leak():\n    from modules.checkout.models import Order\n    try:\n        Order.objects.exists()\n"
        "    except Exception:\n        return 'swallowed'\n",
    )
    with pytest.raises(BoundaryViolation, match="module inventory queried the tables of module checkout"):
        namespace["leak"]()


def test_a_module_reads_its_own_tables():
    namespace = run_as("catalog", "def own():\n    from modules.catalog.models import Product\n    return Product.objects.count()\n")
    assert namespace["own"]() == 0


def test_calling_another_module_through_its_contract_is_that_modules_code():
    namespace = run_as(
        "checkout",
        "def call():\n    from contracts.container import services\n"
        "    return services().inventory.availability_get(skus=['NOPE-1'])\n",
    )
    assert namespace["call"]()["NOPE-1"].available == 0


def test_code_outside_the_modules_is_not_a_module():
    # Tests, the event bus, commerce and kernel may touch any table (the bus keeps every module's outbox).
    from modules.catalog.models import Product
    from modules.inventory.models import StockLevel

    assert Product.objects.count() == 0 and StockLevel.objects.count() == 0
