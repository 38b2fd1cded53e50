"""Lift shipping and taxes out: one process of their own, with their own database, called over HTTP.

A second process is started from the same codebase with only shipping and
taxes installed (``COMMERCE_MODULES=shipping,taxes``) on a SQLite file of its
own, loaded with the demo zones and rates. This process reaches both over
HTTP through ``ContractClient`` and composes an order's costs unchanged;
contract errors come back as the same classes. Neither module calls another,
so nothing flows back.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from decimal import Decimal
from pathlib import Path

import pytest

from commerce.transport.client import ContractClient
from commerce.transport.protocols import CONTRACT_PROTOCOLS
from contracts.addresses import Address
from contracts.container import services_override
from contracts.errors import InvalidInput
from contracts.pricing import UnknownCurrency
from contracts.shipping import ShippableLine, ShippingMethodUnavailable
from tests.costs.test_order_costs import order_costs

ROOT = Path(__file__).resolve().parents[2]
SHOP_TOKEN = "extraction-test-token-of-the-shop-process"
BERLIN = Address(name="Ada", line1="1 Main St", city="Berlin", postal_code="10115", country="DE")

pytestmark = pytest.mark.slow


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def shipping_and_taxes_service(tmp_path, settings):
    """Start the shipping-and-taxes process on the demo data; yield its base URL."""
    port = free_port()
    shop_modules = [m for m in settings.MODULES if m not in ("shipping", "taxes")]
    env = {
        **{k: v for k, v in os.environ.items() if not k.endswith(("_SERVICE_URL", "_DATABASE_URL"))},
        "DJANGO_SETTINGS_MODULE": "commerce.settings",
        "COMMERCE_MODULES": "shipping,taxes",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'shipping-taxes.sqlite3'}",
        "CONTRACTS_SERVE_TOKENS": "+".join(shop_modules) + f"={SHOP_TOKEN}",
        "CONTRACTS_ALLOWED_NETWORKS": "127.0.0.0/8,::1/128",
        "SECRET_KEY": "extraction-test-secret-key-" + "x" * 30,
        "DEBUG": "0",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "0",
        "CELERY_BROKER_URL": "",
        "COMMERCE_VAR_DIR": str(tmp_path),
        "TAX_PRICES_INCLUDE_TAX": "1",
    }
    manage = [sys.executable, "manage.py"]
    for args in (
        ["migrate", "--noinput", "-v0"],
        [
            "shell",
            "-c",
            "from modules.shipping.demo import shipping_demo_seed as s; from modules.taxes.demo import taxes_demo_seed as t; s(); t()",
        ],
    ):
        result = subprocess.run([*manage, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
        assert result.returncode == 0, result.stdout + result.stderr
    log = (tmp_path / "service.log").open("w")
    server = subprocess.Popen(
        [*manage, "runserver", f"127.0.0.1:{port}", "--noreload"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(150):
            try:
                urllib.request.urlopen(f"{url}/healthz", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        else:
            pytest.fail((tmp_path / "service.log").read_text())
        yield url
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_an_order_costs_the_same_with_shipping_and_taxes_in_another_process(shipping_and_taxes_service, db):
    shipping, taxes = (
        ContractClient(
            module=m, protocol=CONTRACT_PROTOCOLS[m], base_url=shipping_and_taxes_service, token=SHOP_TOKEN, timeout=10
        )
        for m in ("shipping", "taxes")
    )
    with services_override(shipping=shipping, taxes=taxes):
        # The demo's Germany: DHL Paket by subtotal (4.90 below 50 EUR), VAT 19 % / 7 %, shipping at the highest rate.
        cart = [("BOOK-1", 1, "10.70", 400, "reduced"), ("TEE-M", 1, "23.80", 250, "standard")]
        subtotal, option, tax = order_costs(address=BERLIN, currency="EUR", method_id="dhl-paket", cart=cart)
    assert (option.price, option.zone) == (Decimal("4.90"), "Germany")
    assert tax.gross_total == subtotal + option.price == Decimal("39.40")
    assert (tax.tax_total, [r.rate for r in tax.rates]) == (Decimal("5.28"), [19, 7])
    with pytest.raises(ShippingMethodUnavailable) as unavailable:
        shipping.method_quote(method_id="usps-ground", address=BERLIN, currency="EUR", subtotal=Decimal(1), lines=[])
    assert unavailable.value.method_id == "usps-ground" and unavailable.value.errors[0].field == "shipping_method"
    with pytest.raises(InvalidInput) as invalid:
        shipping.methods_available(
            address=Address(name="", line1="", city="", country="US", region="Narnia"),
            currency="USD",
            subtotal=Decimal(1),
            lines=[ShippableLine(sku="A", quantity=1)],
        )
    assert [p.field for p in invalid.value.errors] == ["region"]
    with pytest.raises(UnknownCurrency):
        taxes.tax_calculate(address=BERLIN, currency="XYZ", lines=[])
