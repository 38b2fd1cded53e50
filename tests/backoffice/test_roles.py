"""Staff roles, both ways: what each role sees and does in the admin, and that it can do nothing else."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.models import Group, Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from commerce.roles import ROLES
from modules.catalog.models import Product
from modules.checkout.models import Order
from modules.inventory.models import StockLevel

PAYMENTS = apps.is_installed("modules.payments")
CUSTOMERS = apps.is_installed("modules.customers")
RECOMMENDATIONS = apps.is_installed("modules.recommendations")
SHIPPING_AND_TAXES = {"shipping.shippingzone", "shipping.shippingmethod", "shipping.shippingrate", "taxes.taxrate", "taxes.countrytaxrule"}

CATALOG = {"catalog.product", "catalog.category"}
# The changelists each role opens; every other registered model answers 403.
SEES = {
    "catalog manager": CATALOG,
    "pricing manager": CATALOG
    | {"pricing.price", "pricing.pricelist", "pricing.promotion", "pricing.voucher"}
    | {label for label in SHIPPING_AND_TAXES if apps.is_installed(f"modules.{label.split('.')[0]}")},
    "warehouse": {
        "catalog.product", "inventory.warehouse", "inventory.stocklevel", "inventory.stockmovement",
        "inventory.reservation", "inventory.lowstockthreshold",
    },
    "customer service": {"catalog.product", "checkout.order", "checkout.cart"}
    | ({"payments.payment"} if PAYMENTS else set())
    | ({"customers.customer"} if CUSTOMERS else set()),
}
SEES["shop admin"] = (
    set().union(*SEES.values())
    | {"eventbus.outboxevent", "eventbus.delivery", "eventbus.inboxentry", "auth.user", "auth.group"}
    | {"axes.accessattempt", "axes.accesslog", "axes.accessfailurelog"}
    | ({"recommendations.seenproduct", "recommendations.productpair"} if RECOMMENDATIONS else set())
)
REGISTERED = sorted(model._meta.label_lower for model in admin.site._registry)


def _changelist(label: str) -> str:
    app, model = label.split(".")
    return reverse(f"admin:{app}_{model}_changelist")


def test_the_roles_are_the_five_of_the_back_office():
    assert [role.name for role in ROLES] == list(SEES)


@pytest.mark.parametrize("role", list(SEES))
def test_each_role_sees_its_changelists_and_no_other(client, staff_in, role):
    client.force_login(staff_in(role))
    answers = {label: client.get(_changelist(label)).status_code for label in REGISTERED}
    assert {label for label, status in answers.items() if status == 200} == SEES[role]
    assert {status for label, status in answers.items() if label not in SEES[role]} <= {403}
    index = client.get(reverse("admin:index")).content.decode()
    for label in REGISTERED:
        assert (_changelist(label) in index) == (label in SEES[role]), label


def _order_action(client, order: Order, action: str):
    return client.post(reverse("admin:checkout_order_changelist"), {"action": action, "_selected_action": [order.pk]})


def test_customer_service_cancels_and_fulfils_orders(client, staff_in, make_order, django_capture_on_commit_callbacks):
    cancelled, shipped = make_order(status="placed"), make_order(status="paid")
    client.force_login(staff_in("customer service"))
    with django_capture_on_commit_callbacks(execute=True):
        _order_action(client, cancelled, "cancel")
        _order_action(client, shipped, "mark_fulfilled")
    cancelled.refresh_from_db()
    shipped.refresh_from_db()
    assert (cancelled.status, shipped.status) == ("cancelled", "fulfilled")


@pytest.mark.parametrize("role", ["catalog manager", "pricing manager", "warehouse"])
def test_other_roles_cannot_touch_orders(client, staff_in, make_order, role):
    order = make_order(status="paid")
    client.force_login(staff_in(role))
    for action in ("cancel", "mark_fulfilled"):
        assert _order_action(client, order, action).status_code == 403
    order.refresh_from_db()
    assert order.status == "paid"


def test_customer_service_may_view_products_but_not_change_them(client, staff_in):
    product = Product.objects.create(name="Tee", slug="tee")
    client.force_login(staff_in("customer service"))
    assert client.get(reverse("admin:catalog_product_change", args=[product.pk])).status_code == 200
    assert client.post(reverse("admin:catalog_product_change", args=[product.pk]), {"name": "Hacked"}).status_code == 403
    assert client.get(reverse("admin:catalog_product_add")).status_code == 403
    product.refresh_from_db()
    assert product.name == "Tee"


def test_the_warehouse_imports_stock_and_no_one_else_does(client, staff_in, warehouses, fake_catalog):
    url = reverse("admin:inventory_stocklevel_import")
    for role in ("catalog manager", "pricing manager", "customer service"):
        client.force_login(staff_in(role))
        assert client.post(url, {"file": SimpleUploadedFile("s.csv", b"A,MAIN,5\n")}).status_code == 403
        assert client.get(reverse("admin:inventory_stocklevel_move")).status_code == 403
    assert not StockLevel.objects.exists()
    client.force_login(staff_in("warehouse"))
    assert client.post(url, {"file": SimpleUploadedFile("s.csv", b"sku,warehouse,on_hand\nA,MAIN,5\n")}).status_code == 302
    assert StockLevel.objects.get(sku="A").on_hand == 5


def test_the_catalog_manager_edits_the_catalog_and_nothing_priced(client, staff_in):
    client.force_login(staff_in("catalog manager"))
    assert client.get(reverse("admin:catalog_product_add")).status_code == 200
    assert client.get(reverse("admin:pricing_price_add")).status_code == 403
    assert client.get(reverse("admin:pricing_voucher_add")).status_code == 403


def test_the_pricing_manager_prices_but_does_not_edit_products(client, staff_in):
    client.force_login(staff_in("pricing manager"))
    assert client.get(reverse("admin:pricing_price_add")).status_code == 200
    assert client.get(reverse("admin:pricing_voucher_add")).status_code == 200
    assert client.get(reverse("admin:catalog_product_add")).status_code == 403


def test_only_the_shop_admin_retries_deliveries_and_nobody_manages_staff(client, staff_in):
    for role in SEES:
        user = staff_in(role)
        assert user.has_perm("eventbus.retry_delivery") == (role == "shop admin")
        client.force_login(user)
        assert client.get(reverse("admin:auth_user_add")).status_code == 403
        assert client.get(reverse("admin:auth_group_add")).status_code == 403
        assert not user.has_perm("auth.change_user") and not user.has_perm("auth.change_group")


@pytest.mark.skipif(not PAYMENTS, reason="the payments module is not installed")
def test_customer_service_refunds_payments_when_the_payments_module_provides_the_permission(staff_in):
    assert Permission.objects.filter(content_type__app_label="payments", codename="refund_payment").exists()
    assert staff_in("customer service").has_perm("payments.refund_payment")
    assert not staff_in("warehouse").has_perm("payments.refund_payment")


@pytest.mark.skipif(not CUSTOMERS, reason="the customers module is not installed")
def test_customer_service_deactivates_customers_and_only_the_shop_admin_erases_them(staff_in):
    service, admin_ = staff_in("customer service"), staff_in("shop admin")
    assert service.has_perm("customers.deactivate_customer") and not service.has_perm("customers.erase_customer")
    assert admin_.has_perm("customers.erase_customer")
    assert not any(staff_in(role).has_perm("customers.view_customer") for role in ("catalog manager", "pricing manager", "warehouse"))


def test_setup_roles_is_idempotent_and_puts_a_group_back_to_its_definition(db, capsys):
    call_command("setup_roles")
    first = {group.name: set(group.permissions.values_list("codename", flat=True)) for group in Group.objects.all()}
    assert set(first) == set(SEES)
    warehouse = Group.objects.get(name="warehouse")
    warehouse.permissions.add(Permission.objects.get(codename="cancel_order"))
    capsys.readouterr()
    call_command("setup_roles")
    out = capsys.readouterr().out
    assert "warehouse: updated" in out and "removed: checkout.cancel_order" in out
    assert "catalog manager: unchanged" in out
    again = {group.name: set(group.permissions.values_list("codename", flat=True)) for group in Group.objects.all()}
    assert again == first
    assert Group.objects.count() == len(ROLES)


def test_setup_roles_skips_an_optional_permission_that_no_module_provides(db, capsys):
    Permission.objects.filter(content_type__app_label="payments", codename="refund_payment").delete()
    call_command("setup_roles")
    out = capsys.readouterr().out
    assert "skipped (not provided by this deployment): payments.refund_payment" in out
    assert not Group.objects.get(name="customer service").permissions.filter(codename="refund_payment").exists()


def test_a_role_naming_a_permission_that_does_not_exist_changes_nothing(db):
    from commerce.roles import Role, RoleDefinitionError, roles_apply

    typo = Role(name="typo", purpose="", permissions=("catalog.view_product", "catalog.fly_product"))
    with pytest.raises(RoleDefinitionError, match="catalog.fly_product"):
        roles_apply(roles=(typo,))
    assert not Group.objects.filter(name="typo").exists()
    elsewhere = Role(name="elsewhere", purpose="", permissions=("catalog.view_product", "nosuchapp.view_thing"))
    (applied,) = roles_apply(roles=(elsewhere,))  # an app not installed in this process: skipped, not an error
    assert applied.skipped == ("nosuchapp.view_thing",) and applied.added == ("catalog.view_product",)
