"""A small real shop, loaded through the modules' own import commands."""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command

ADDRESS = {"name": "Ada Lovelace", "line1": "1 Analytical St", "city": "London", "postal_code": "N1 1AA", "country": "GB"}

CATALOG_CSV = """sku,product_slug,product_name,variant_name,category,description,status
TEE-S,logo-tee,Logo Tee,Small,apparel/shirts,Soft cotton tee,published
TEE-M,logo-tee,Logo Tee,Medium,apparel/shirts,Soft cotton tee,published
MUG-1,enamel-mug,Enamel Mug,Default,home/kitchen,A sturdy mug,published
DRAFT-1,secret-thing,Secret Thing,Default,home/kitchen,Not yet,draft
"""
PRICES_CSV = """sku,currency,amount,compare_at
TEE-S,EUR,20.00,
TEE-M,EUR,20.00,25.00
MUG-1,EUR,9.50,
DRAFT-1,EUR,1.00,
TEE-M,USD,22.00,
"""
STOCK_CSV = """sku,warehouse,on_hand
TEE-S,MAIN,0
TEE-M,MAIN,6
TEE-M,EAST,4
MUG-1,MAIN,3
"""


def complete_body(token: str | None = None, email: str = "ada@example.com", session: str | None = None) -> dict:
    """A completion paying into ``session``, or (the former shape) at once with the test card or ``token``."""
    if session is not None:
        payment = {"session": session}
    else:
        payment = {"method": "test"} if token is None else {"method": "test", "token": token}
    return {"email": email, "shipping_address": ADDRESS, "payment": payment}


def session_open(client, cart: str, payment_method: str | None = "pm_card_visa", **extra: str) -> dict:
    """Open a payment session for the cart's total (POST /api/v1/payments/sessions/), paying with ``payment_method``."""
    body = {"cart": cart, **extra, **({"payment_method": payment_method} if payment_method else {})}
    response = client.post("/api/v1/payments/sessions/", body, format="json")
    assert response.status_code in (201, 402), response.json()
    return response.json()


def load_shop(tmp_path: Path) -> None:
    from modules.inventory.models import Warehouse
    from modules.pricing.models import Voucher

    Warehouse.objects.create(code="MAIN", name="Main", priority=1)
    Warehouse.objects.create(code="EAST", name="East", priority=2)
    for name, text, command in (
        ("catalog.csv", CATALOG_CSV, "import_catalog"),
        ("prices.csv", PRICES_CSV, "import_prices"),
        ("stock.csv", STOCK_CSV, "import_stock"),
    ):
        path = tmp_path / name
        path.write_text(text)
        call_command(command, str(path), stdout=io.StringIO())
    Voucher.objects.create(code="ONCE10", kind="percentage", value=Decimal(10), usage_limit=1)


@pytest.fixture
def shop(transactional_db, tmp_path) -> None:
    load_shop(tmp_path)


@pytest.fixture
def new_cart(api_client):
    def make(**lines: int) -> str:
        token = api_client.post("/api/v1/checkout/carts/", {"currency": "EUR"}, format="json").json()["token"]
        for sku, quantity in lines.items():
            response = api_client.post(
                f"/api/v1/checkout/carts/{token}/lines/", {"sku": sku.replace("_", "-"), "quantity": quantity}, format="json"
            )
            assert response.status_code == 200, response.json()
        return token

    return make


def availability(client, *skus: str) -> dict[str, int]:
    query = "&".join(f"sku={s}" for s in skus)
    body = client.get(f"/api/v1/inventory/availability/?{query}").json()
    return {row["sku"]: row["available"] for row in body["results"]}
