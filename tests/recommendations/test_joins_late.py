"""Recommendations join late: installed on a shop with past orders, a rebuild from the retained history answers as if
the module had been there from the start.

The shop is real (every module, real checkout completions and a cancellation,
a product unpublished through the catalog); the history is what the outboxes
keep. Rebuilding goes through the event bus (``contracts.events.history_replay``),
never through another module's tables.
"""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from commerce.eventbus.models import InboxEntry
from commerce.routers import module_database
from contracts.catalog import ProductPublished, ProductUnpublished, VariantDiscontinued
from contracts.checkout import OrderCancelled, OrderPlaced
from contracts.container import services
from contracts.events import subscribe, subscription_get, subscriptions_for, unsubscribe
from modules.catalog.models import Product
from modules.catalog.services import product_unpublish
from modules.recommendations.services import model_reset
from tests.e2e.conftest import complete_body, load_shop
from tests.fakes.recommendations import FakeRecommendations

pytestmark = pytest.mark.django_db(transaction=True, databases="__all__")  # also with a database per module

EXTRA_CATALOG = """sku,product_slug,product_name,variant_name,category,description,status
PLATE-1,plate,Plate,Default,home/kitchen,A plate,published
SOCK-1,socks,Socks,Default,apparel/socks,Warm socks,published
BOWL-1,bowl,Bowl,Default,home/kitchen,A bowl,published
"""
EXTRA_PRICES = """sku,currency,amount,compare_at
PLATE-1,EUR,12.00,
SOCK-1,EUR,5.00,
BOWL-1,EUR,7.00,
"""
EXTRA_STOCK = """sku,warehouse,on_hand
PLATE-1,MAIN,20
SOCK-1,MAIN,20
BOWL-1,MAIN,20
"""
EVENTS = (OrderPlaced, OrderCancelled, ProductPublished, ProductUnpublished, VariantDiscontinued)
ASKED = [
    *(("products", slug) for slug in ("logo-tee", "enamel-mug", "plate", "socks", "bowl")),
    *(("categories", slug) for slug in ("apparel", "home", "kitchen")),
]


@pytest.fixture
def bigger_shop(transactional_db, tmp_path):
    load_shop(tmp_path)
    for name, text, command in (("c.csv", EXTRA_CATALOG, "import_catalog"), ("p.csv", EXTRA_PRICES, "import_prices"), ("s.csv", EXTRA_STOCK, "import_stock")):
        (tmp_path / name).write_text(text)
        call_command(command, str(tmp_path / name), stdout=io.StringIO())


def history(api_client) -> None:
    """Four orders (one cancelled) and a product unpublished: what the shop did before (or while) the module was there."""
    numbers = []
    for key, lines in enumerate(({"TEE-M": 1, "MUG-1": 1}, {"TEE-M": 1, "PLATE-1": 2, "SOCK-1": 1}, {"MUG-1": 1, "PLATE-1": 1}, {"SOCK-1": 3, "PLATE-1": 1, "BOWL-1": 1})):
        token = api_client.post("/api/v1/checkout/carts/", {"currency": "EUR"}, format="json").json()["token"]
        for sku, quantity in lines.items():
            assert api_client.post(f"/api/v1/checkout/carts/{token}/lines/", {"sku": sku, "quantity": quantity}, format="json").status_code == 200
        placed = api_client.post(f"/api/v1/checkout/carts/{token}/complete/", complete_body(), format="json", HTTP_IDEMPOTENCY_KEY=f"k{key}")
        assert placed.status_code == 201, placed.json()
        numbers.append((placed.json()["number"], placed.json()["access_token"]))
    number, access = numbers[2]
    assert api_client.post(f"/api/v1/checkout/orders/{number}/cancel/?access_token={access}").status_code == 200
    product_unpublish(product=Product.objects.get(slug="bowl"))  # the catalog publishes ProductUnpublished


def answers(api_client) -> dict:
    return {(kind, slug): api_client.get(f"/api/v1/recommendations/{kind}/{slug}/", {"currency": "EUR"}).json() for kind, slug in ASKED}


def rebuild(*args: str) -> str:
    out = io.StringIO()
    call_command("recommendations", "rebuild", *args, stdout=out)
    return out.getvalue()


def test_a_rebuild_answers_as_the_module_that_was_there_from_the_start(api_client, bigger_shop):
    history(api_client)
    live = answers(api_client)
    assert [r["slug"] for r in live[("products", "plate")]["results"]] == ["socks", "logo-tee"]  # bowl: unpublished
    assert [r["slug"] for r in live[("categories", "apparel")]["results"]] == ["socks", "logo-tee"]
    assert live[("products", "plate")]["results"][0]["price"] == {"amount": "5.00", "currency": "EUR"}

    # Installed on this shop now: nothing learned, nothing applied.
    model_reset()
    InboxEntry.objects.using(module_database("recommendations")).filter(subscriber__startswith="recommendations.").delete()
    assert answers(api_client)[("products", "plate")]["results"] == []

    out = rebuild()
    assert "events read" in out and "rebuilt" in out
    assert answers(api_client) == live
    assert rebuild().endswith("rebuilt, 0 events applied now\n")  # idempotent
    assert rebuild("--reset").count("model reset") == 1 and answers(api_client) == live


def test_a_module_installed_after_the_orders_learns_them_all(api_client, bigger_shop):
    """No delivery was ever addressed to the module; the fake that listened from the start is the oracle."""
    ours = [subscription_get(s.name) for e in EVENTS for s in subscriptions_for(e.name) if s.name.startswith("recommendations.")]
    oracle = FakeRecommendations(catalog=services().catalog)
    for event_type in EVENTS:
        subscribe(event_type, name=f"probe.oracle_{event_type.name}", handler=oracle.event_apply)
    for subscription in ours:
        unsubscribe(name=subscription.name)
    try:
        history(api_client)
    finally:
        for subscription in ours:
            subscribe(subscription.event_type, name=subscription.name, handler=subscription.handler, in_transaction=subscription.in_transaction)
        for event_type in EVENTS:
            unsubscribe(name=f"probe.oracle_{event_type.name}")
    assert answers(api_client)[("products", "plate")]["results"] == []
    rebuild()
    facade = services().recommendations
    for kind, slug in ASKED:
        get = (lambda s: facade.bought_together_get(product_slug=s, limit=10)) if kind == "products" else (lambda s: facade.popular_get(category_slug=s, limit=10))
        oget = (lambda s: oracle.bought_together_get(product_slug=s, limit=10)) if kind == "products" else (lambda s: oracle.popular_get(category_slug=s, limit=10))
        mine, theirs = get(slug), oget(slug)
        assert [r.product_slug for r in mine] == [r.product_slug for r in theirs], (kind, slug)
        assert [r.score for r in mine] == pytest.approx([r.score for r in theirs]), (kind, slug)
