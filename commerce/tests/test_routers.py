"""Each module's tables go to the database it lives in; relations never cross modules."""

from __future__ import annotations

from django.apps import apps

from commerce.routers import ModuleRouter
from contracts.container import MODULES


def test_every_module_uses_default_unless_configured(settings):
    router = ModuleRouter()
    for label in MODULES:
        model = next(iter(apps.get_app_config(label).get_models()))
        assert router.db_for_write(model) == "default"


def test_a_module_with_its_own_database_is_routed_and_migrated_only_there(settings):
    settings.MODULE_DATABASES = {**settings.MODULE_DATABASES, "inventory": "inventory"}
    router = ModuleRouter()
    stock_model = next(iter(apps.get_app_config("inventory").get_models()))
    assert router.db_for_read(stock_model) == "inventory"
    assert router.allow_migrate("inventory", "inventory") is True
    assert router.allow_migrate("default", "inventory") is False
    assert router.allow_migrate("default", "catalog") is True
    assert router.allow_migrate("inventory", "catalog") is False
    # The outbox and inbox live with every module, so they commit with its changes.
    assert router.allow_migrate("inventory", "eventbus") is True
    assert router.allow_migrate("inventory", "auth") is False


def test_relations_across_modules_are_refused():
    router = ModuleRouter()
    order_model = apps.get_model("checkout", "Order")
    cart_model = apps.get_model("checkout", "Cart")
    other_model = next(iter(apps.get_app_config("inventory").get_models()))
    assert router.allow_relation(order_model(), other_model()) is False
    assert router.allow_relation(order_model(), cart_model()) is None
