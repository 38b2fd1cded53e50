"""Load a realistic demo shop: catalog, prices, stock, shipping methods and tax rates. Idempotent."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandParser

from modules.catalog.demo import catalog_demo_seed
from modules.inventory.demo import inventory_demo_seed
from modules.pricing.demo import pricing_demo_seed
from modules.shipping.demo import shipping_demo_seed
from modules.taxes.demo import taxes_demo_seed


class Command(BaseCommand):
    help = (
        "Load the demo shop (products, EUR/USD prices, stock in two warehouses, shipping methods, tax rates);"
        " safe to run again."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--products", type=int, default=200, help="how many products (default 200)")

    def handle(self, *args: object, products: int, **options: object) -> None:
        if products < 1:
            self.stderr.write("--products must be at least 1")
            raise SystemExit(2)
        started = time.monotonic()
        # The composition root may call every module; each seeds only its own tables.
        skus = catalog_demo_seed(products=products)
        prices = pricing_demo_seed(skus=skus)
        stock = inventory_demo_seed(skus=skus)
        methods = shipping_demo_seed()
        rates = taxes_demo_seed()
        self.stdout.write(
            f"demo shop ready: {products} products, {len(skus)} SKUs, {prices} prices, {stock} stock levels, "
            f"{methods} shipping methods, {rates} tax rates in {time.monotonic() - started:.1f}s"
        )
