"""Checkout under real concurrency: no SKU sold beyond its stock, one order per key.

Runs against whichever database the suite uses: on PostgreSQL (row locks,
lock timeout) under `make test-services`, on SQLite (IMMEDIATE transactions,
busy timeout) under `make test`.
"""

from __future__ import annotations

import threading
from collections import Counter

import pytest
from django.db import connections
from django.test import Client

from modules.checkout.models import Order
from modules.inventory.models import Reservation
from tests.e2e.conftest import availability, complete_body

# Every database: the shop also runs with each module in a database of its own (make test-split).
pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True, databases="__all__")]


def run_together(calls):
    """Run the callables at the same instant, each in its own thread with its own connection."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def worker(index, call):
        try:
            barrier.wait()
            results[index] = call()
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    return results


def complete(token: str, key: str):
    def call():
        response = Client().post(
            f"/api/v1/checkout/carts/{token}/complete/", complete_body(), content_type="application/json",
            HTTP_IDEMPOTENCY_KEY=key,
        )
        return response.status_code, response.json()

    return call


def test_fifty_carts_race_for_ten_units(api_client, shop, new_cart):
    tokens = [new_cart(TEE_M=1) for _ in range(50)]
    results = run_together([complete(token, f"race-{i}") for i, token in enumerate(tokens)])
    statuses = Counter(status for status, _ in results)
    assert statuses == {201: 10, 409: 40}, statuses
    assert {body["code"] for status, body in results if status == 409} == {"out_of_stock"}
    assert Order.objects.count() == 10
    assert availability(api_client, "TEE-M") == {"TEE-M": 0}
    assert not Reservation.objects.filter(state="active").exists()
    from modules.inventory.models import StockLevel

    assert sum(StockLevel.objects.filter(sku="TEE-M").values_list("on_hand", flat=True)) == 0


def test_same_key_sent_twice_at_once_makes_one_order(api_client, shop, new_cart):
    token = new_cart(TEE_M=1)
    results = run_together([complete(token, "twice"), complete(token, "twice")])
    statuses = sorted(status for status, _ in results)
    # The loser either waited and replayed the order, or was told the first is still running.
    assert statuses in ([201, 201], [201, 409]), results
    assert Order.objects.count() == 1
    numbers = {body["number"] for status, body in results if status == 201}
    assert len(numbers) == 1
    assert availability(api_client, "TEE-M") == {"TEE-M": 9}
