"""The back office in a real browser: API docs, a warehouse import, what a catalog manager cannot see, a cancellation."""

from __future__ import annotations

from django.apps import apps

from contracts.container import services_override
from modules.checkout.models import Order
from modules.inventory.models import StockLevel, Warehouse
from tests.fakes.catalog import FakeCatalog


def test_the_api_docs_render_swagger_ui_from_the_bundled_assets(page, live_server, shot):
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(f"{live_server.url}/api/docs/")
    page.wait_for_selector(".swagger-ui .information-container .title")
    page.wait_for_selector(".opblock-tag")  # the operations, read from /api/schema/
    shot(page, "api-docs")
    assert "commerce" in page.inner_text(".swagger-ui .information-container .title").lower()
    external = [url for url in requested if not url.startswith((live_server.url, "data:", "blob:"))]
    assert external == []  # no CDN: Swagger UI's scripts and styles come from the project (sidecar)
    assert any("swagger-ui" in url and url.endswith(".js") for url in requested)


def test_a_warehouse_user_signs_in_and_imports_stock(page, live_server, staff_in, sign_in, shot, tmp_path):
    Warehouse.objects.create(code="MAIN", name="Main", priority=1)
    user = staff_in("warehouse")
    stock = tmp_path / "stock.csv"
    stock.write_text("sku,warehouse,on_hand\nTEE-M,MAIN,12\nTEE-L,MAIN,3\n")
    with services_override(catalog=FakeCatalog(knows_every_sku=True)):
        sign_in(page, user)
        shot(page, "index")
        page.click("a[href='/admin/inventory/stocklevel/']")
        page.click("text=Import CSV")
        page.set_input_files("input[type=file]", str(stock))
        shot(page, "import-form")
        page.click("input[type=submit][value=Import]")
        page.wait_for_selector(".messagelist .success")
        shot(page, "imported")
        assert "2 rows" in page.inner_text(".messagelist")
    assert dict(StockLevel.objects.values_list("sku", "on_hand")) == {"TEE-M": 12, "TEE-L": 3}
    assert "TEE-M" in page.inner_text("#result_list")


def test_a_catalog_manager_cannot_see_orders_or_payments(page, live_server, staff_in, sign_in, shot, order_make):
    order_make(number="CO-HIDDEN1")
    sign_in(page, staff_in("catalog manager"))
    shot(page, "index")
    index = page.inner_text("#content-main")
    assert "Products" in index
    assert "Orders" not in index and "Payments" not in index and "Dashboard" not in page.content()
    for path in ["/admin/checkout/order/", "/admin/payments/payment/" if apps.is_installed("modules.payments") else None]:
        if path:
            response = page.goto(f"{live_server.url}{path}")
            assert response.status == 403, path
            shot(page, "refused-" + path.strip("/").replace("/", "-"))
    assert "CO-HIDDEN1" not in page.content()


def test_a_customer_service_user_finds_an_order_and_cancels_it(page, live_server, staff_in, sign_in, shot, order_make):
    order_make(number="CO-OTHER01")
    order = order_make(number="CO-FINDME1", total="24.50", status="placed")
    sign_in(page, staff_in("customer service"))
    shot(page, "dashboard")
    assert "34.49 EUR" in page.inner_text("#dashboard-orders")  # both orders of today, as money
    page.click("a[href='/admin/checkout/order/']")
    page.fill("#searchbar", "CO-FINDME1")
    page.press("#searchbar", "Enter")
    page.wait_for_selector("#result_list")
    shot(page, "found")
    rows = page.locator("#result_list tbody tr")
    assert rows.count() == 1 and "24.50 EUR" in rows.first.inner_text()
    rows.first.locator("input.action-select").check()
    page.select_option("select[name=action]", "cancel")
    page.click("button[name=index]")
    page.wait_for_selector(".messagelist .success")
    shot(page, "cancelled")
    assert "Cancelled 1 order(s)." in page.inner_text(".messagelist")
    order.refresh_from_db()
    assert order.status == Order.Status.CANCELLED
