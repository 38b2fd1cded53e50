"""The checkout HTTP API; the other modules are their verified fakes (tests/fakes)."""

from __future__ import annotations

from decimal import Decimal

from django.core import mail

from contracts.checkout import OrderCancelled, OrderPlaced
from contracts.errors import ServiceUnavailable
from contracts.pricing import VoucherInvalid
from modules.checkout.models import Cart, CheckoutAttempt, Order
from modules.checkout.tests.conftest import complete_body

CARTS = "/api/v1/checkout/carts/"


def test_new_cart_has_an_unguessable_token_and_is_empty(api_client, shop):
    response = api_client.post(CARTS, {"currency": "EUR"}, format="json")
    assert response.status_code == 201
    body = response.json()
    assert len(body["token"]) >= 43  # 256 random bits, url-safe
    assert body["lines"] == [] and body["total"] == "0" and body["currency"] == "EUR"


def test_cart_refuses_unknown_or_lowercase_currency(api_client, shop):
    assert api_client.post(CARTS, {"currency": "eur"}, format="json").status_code == 400
    response = api_client.post(CARTS, {"currency": "GBP"}, format="json")
    assert response.status_code == 400 and response.json()["code"] == "unknown_currency"


def test_adding_a_sku_twice_grows_its_line_and_the_cart_is_priced_live(api_client, cart):
    response = api_client.post(f"{CARTS}{cart}/lines/", {"sku": "TEE-M", "quantity": 1}, format="json")
    assert response.status_code == 200
    body = response.json()
    tee = next(line for line in body["lines"] if line["sku"] == "TEE-M")
    assert tee["quantity"] == 3 and tee["unit_price"] == "19.90" and tee["total"] == "59.70"
    assert tee["name"] == "Tee" and tee["available"] == 5
    assert body["subtotal"] == "68.20" and body["total"] == "68.20"


def test_set_and_remove_lines(api_client, cart):
    body = api_client.patch(f"{CARTS}{cart}/lines/MUG/", {"quantity": 4}, format="json").json()
    assert next(l for l in body["lines"] if l["sku"] == "MUG")["quantity"] == 4
    body = api_client.patch(f"{CARTS}{cart}/lines/MUG/", {"quantity": 0}, format="json").json()
    assert [l["sku"] for l in body["lines"]] == ["TEE-M"]
    body = api_client.delete(f"{CARTS}{cart}/lines/TEE-M/").json()
    assert body["lines"] == []


def test_bad_line_input_is_refused_and_changes_nothing(api_client, cart):
    for payload in (
        {"sku": "MUG", "quantity": 0},
        {"sku": "MUG", "quantity": -1},
        {"sku": "MUG", "quantity": 1.5},
        {"sku": "MUG", "quantity": "2"},
        {"sku": "MUG", "quantity": 100},
        {"sku": "MUG", "quantity": True},
        {"sku": "MUG", "quantity": 1, "unit_price": "0.01"},
    ):
        response = api_client.post(f"{CARTS}{cart}/lines/", payload, format="json")
        assert response.status_code == 400, payload  # breaks the published schema
        assert response["Content-Type"] == "application/problem+json"
    response = api_client.post(f"{CARTS}{cart}/lines/", {"sku": "NOPE", "quantity": 1}, format="json")
    assert response.status_code == 404 and response.json()["code"] == "unknown_sku"  # well-formed, names nothing
    response = api_client.post(f"{CARTS}{cart}/lines/", {"sku": "MUG", "quantity": 1, "unit_price": "0.01"}, format="json")
    assert response.json()["errors"][0] == {"field": "unit_price", "code": "unknown_field", "detail": "Unknown field."}
    response = api_client.post(f"{CARTS}{cart}/lines/", {"sku": "MUG", "quantity": 99}, format="json")
    assert response.status_code == 422  # 1 + 99 is over the per-line maximum: a rule the schema cannot state
    body = api_client.get(f"{CARTS}{cart}/").json()
    assert {l["sku"]: l["quantity"] for l in body["lines"]} == {"TEE-M": 2, "MUG": 1}


def test_unpublished_sku_cannot_be_added(api_client, cart):
    response = api_client.post(f"{CARTS}{cart}/lines/", {"sku": "OLD", "quantity": 1}, format="json")
    assert response.status_code == 409 and response.json()["code"] == "items_unavailable"


def test_cart_line_count_is_capped(api_client, shop, settings):
    settings.CHECKOUT_MAX_CART_LINES = 2
    token = api_client.post(CARTS, {"currency": "EUR"}, format="json").json()["token"]
    shop.catalog.variant_add("THIRD", product_name="Third")
    shop.pricing.price_set("THIRD", "8.50")
    for sku in ("TEE-M", "MUG"):
        assert api_client.post(f"{CARTS}{token}/lines/", {"sku": sku, "quantity": 1}, format="json").status_code == 200
    response = api_client.post(f"{CARTS}{token}/lines/", {"sku": "THIRD", "quantity": 1}, format="json")
    assert response.status_code == 422 and response.json()["code"] == "too_many_lines"


def test_unknown_cart_is_404_problem(api_client, shop):
    response = api_client.get(f"{CARTS}not-a-real-token/")
    assert response.status_code == 404 and response.json()["code"] == "cart_not_found"


def test_voucher_applies_and_is_removed(api_client, cart):
    response = api_client.put(f"{CARTS}{cart}/voucher/", {"code": "save10"}, format="json")
    assert response.status_code == 200
    body = response.json()
    assert body["voucher_code"] == "SAVE10" and body["discount_total"] == "4.83" and body["total"] == "43.47"
    assert body["applied"] == [{"code": "SAVE10", "amount": "4.83"}]
    assert api_client.delete(f"{CARTS}{cart}/voucher/").json()["voucher_code"] is None


def test_any_unusable_voucher_is_refused_with_one_code(api_client, cart, shop):
    response = api_client.put(f"{CARTS}{cart}/voucher/", {"code": "NOPE"}, format="json")
    assert response.status_code == 422 and response.json()["code"] == "voucher_invalid"
    # Unknown, used up or inactive: the storefront cannot tell them apart (no probing for codes that exist).
    shop.pricing.fail["quote_create"] = VoucherInvalid("This voucher has been used up.", reason="exhausted")
    exhausted = api_client.put(f"{CARTS}{cart}/voucher/", {"code": "SAVE10"}, format="json")
    shop.pricing.fail.pop("quote_create")
    assert exhausted.json()["code"] == "voucher_invalid" and exhausted.json()["detail"] == response.json()["detail"]
    response = api_client.put(f"{CARTS}{cart}/voucher/", {"code": "X" * 10_000}, format="json")
    assert response.status_code == 400
    empty = api_client.post(CARTS, {"currency": "EUR"}, format="json").json()["token"]
    response = api_client.put(f"{CARTS}{empty}/voucher/", {"code": "ß" * 64}, format="json")  # "SS" * 64 upper-cased
    assert response.status_code == 422 and response.json()["code"] == "voucher_invalid"
    response = api_client.put(f"{CARTS}{empty}/voucher/", {"code": "0"}, format="json")  # nothing to judge a code against
    assert response.status_code == 422 and response.json()["code"] == "cart_empty"
    assert Cart.objects.get(token=empty).voucher_code is None
    assert Cart.objects.get(token=cart).voucher_code is None


def test_complete_places_the_order_at_server_prices(api_client, cart, shop, complete, event_probe):
    published = event_probe(OrderPlaced, OrderCancelled)
    response = complete(cart)
    assert response.status_code == 201, response.json()
    order = response.json()
    # The answer comes before settling: the order is placed; the OrderPlaced subscriber then takes stock and money.
    assert order["status"] == "placed" and order["currency"] == "EUR" and order["email"] == "ada@example.com"
    assert order["total"] == "48.30" and order["subtotal"] == "48.30" and order["discount_total"] == "0.00"
    assert [(l["sku"], l["quantity"], l["unit_price"], l["total"]) for l in order["lines"]] == [
        ("TEE-M", 2, "19.90", "39.80"),
        ("MUG", 1, "8.50", "8.50"),
    ]
    assert order["access_token"] and order["number"].startswith("CO-")
    assert shop.inventory.on_hand == {"TEE-M": 3, "MUG": 0, "OLD": 3}
    assert shop.inventory.active_holds() == 0
    assert shop.payments.of(order["number"]).status == "captured"
    read = api_client.get(f"/api/v1/checkout/orders/{order['number']}/", {"access_token": order["access_token"]}).json()
    assert read["status"] == "paid"
    assert [(e.name, e.order_number, e.total) for e in published] == [("checkout.OrderPlaced", order["number"], Decimal("48.30"))]
    assert [m.subject for m in mail.outbox] == [f"Your order {order['number']}"]
    # Completed carts are frozen.
    assert api_client.post(f"{CARTS}{cart}/lines/", {"sku": "MUG", "quantity": 1}, format="json").status_code == 409
    assert complete(cart, key="another-key").status_code == 409


def test_same_key_same_body_replays_without_a_second_order(cart, complete):
    first = complete(cart)
    second = complete(cart)
    assert second.status_code == first.status_code == 201
    assert second.json() == first.json()
    assert second["Idempotent-Replayed"] == "true"
    assert Order.objects.count() == 1


def test_same_key_different_body_is_422(cart, complete):
    complete(cart)
    response = complete(cart, body=complete_body(email="other@example.com"))
    assert response.status_code == 422 and response.json()["code"] == "idempotency_key_reused"
    assert Order.objects.count() == 1


def test_key_still_in_progress_is_409(cart, complete):
    from django.utils import timezone

    CheckoutAttempt.objects.create(
        cart_token=cart, key="key-1", fingerprint="x", order_number="CO-RUNNING1", locked_until=timezone.now() + timezone.timedelta(seconds=60)
    )
    import hashlib
    import json

    fingerprint = hashlib.sha256(json.dumps(complete_body(), sort_keys=True).encode()).hexdigest()
    CheckoutAttempt.objects.filter(key="key-1").update(fingerprint=fingerprint)
    response = complete(cart)
    assert response.status_code == 409 and response.json()["code"] == "request_in_progress"
    assert Order.objects.count() == 0


def test_missing_idempotency_key_is_400(api_client, cart):
    response = api_client.post(f"{CARTS}{cart}/complete/", complete_body(), format="json")
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "Idempotency-Key"


def test_complete_refuses_bad_bodies(api_client, cart, complete):
    bad = [
        {**complete_body(), "total": "0.01"},
        {**complete_body(), "email": "not-an-email"},
        {**complete_body(), "shipping_address": {"name": "x"}},
        {**complete_body(), "payment": {"method": "cash"}},
    ]
    for body in bad:
        assert complete(cart, key=f"k-{len(str(body))}", body=body).status_code == 400
    assert Order.objects.count() == 0


def test_out_of_stock_is_409_with_what_is_available_and_holds_nothing(api_client, cart, shop, complete):
    shop.inventory.stock_set("MUG", 0)
    response = complete(cart)
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "out_of_stock"
    assert body["shortages"] == [{"sku": "MUG", "requested": 1, "available": 0}]
    assert shop.inventory.active_holds() == 0
    assert Order.objects.count() == 0
    # A final answer: the authorization is cancelled, nothing stays held.
    assert [session.status for session in shop.payments.sessions.values()] == ["canceled"]
    assert complete(cart).json() == body  # replayed


def test_declined_payment_is_402_and_releases_stock_and_voucher(api_client, cart, shop, complete):
    api_client.put(f"{CARTS}{cart}/voucher/", {"code": "SAVE10"}, format="json")
    response = complete(cart, body=complete_body(token="decline"))
    assert response.status_code == 402 and response.json()["code"] == "payment_declined"
    assert response.json()["decline_code"] == "generic_decline"
    assert shop.inventory.active_holds() == 0
    assert shop.pricing.redemptions == {}
    assert Order.objects.count() == 0
    assert [(s.status, s.decline_code) for s in shop.payments.sessions.values()] == [("requires_payment_method", "generic_decline")]
    assert Cart.objects.get(token=cart).status == "open"


def test_provider_error_leaves_nothing_behind_and_frees_the_key(api_client, cart, shop, complete):
    api_client.put(f"{CARTS}{cart}/voucher/", {"code": "SAVE10"}, format="json")
    response = complete(cart, body=complete_body(token="error"))
    assert response.status_code == 503 and response.json()["code"] == "payment_provider_unavailable"
    assert shop.inventory.active_holds() == 0 and shop.pricing.redemptions == {}
    assert Order.objects.count() == 0
    assert all(s.status not in ("authorized", "captured") for s in shop.payments.sessions.values())
    assert not CheckoutAttempt.objects.exists()


def test_voucher_exhausted_after_reservation_releases_the_stock(api_client, cart, shop, complete):
    api_client.put(f"{CARTS}{cart}/voucher/", {"code": "SAVE10"}, format="json")
    shop.pricing.fail["voucher_redeem"] = VoucherInvalid("This voucher has been used up.", reason="exhausted")
    response = complete(cart)
    assert response.status_code == 400 and response.json()["code"] == "voucher_invalid"
    assert shop.inventory.active_holds() == 0 and Order.objects.count() == 0


def test_inventory_down_leaves_no_voucher_use_and_no_payment(api_client, cart, shop, complete):
    api_client.put(f"{CARTS}{cart}/voucher/", {"code": "SAVE10"}, format="json")
    shop.inventory.fail["reservation_create"] = ServiceUnavailable("inventory timed out")
    response = complete(cart)
    assert response.status_code == 503
    assert shop.pricing.redemptions == {} and Order.objects.count() == 0
    # A failure that may pass: the authorization is only let go of, for the retry to pay with.
    assert [(s.status, s.order_number) for s in shop.payments.sessions.values()] == [("authorized", None)]
    del shop.inventory.fail["reservation_create"]
    assert complete(cart).status_code == 201  # the same key may be retried


def test_commit_failure_after_the_order_leaves_the_order_standing(cart, shop, complete):
    shop.inventory.fail["reservation_commit"] = RuntimeError("inventory hiccup")
    response = complete(cart)
    assert response.status_code == 201
    # The hold is still there for inventory's OrderPlaced subscriber to commit.
    assert shop.inventory.active_holds() == 1


def test_unsellable_line_blocks_completion(api_client, cart, shop, complete):
    shop.catalog.variant_change("MUG", published=False)
    body = api_client.get(f"{CARTS}{cart}/").json()
    assert next(l for l in body["lines"] if l["sku"] == "MUG")["problem"] == "unavailable"
    response = complete(cart)
    assert response.status_code == 409 and response.json()["code"] == "items_unavailable"
    assert shop.inventory.count("reservation_create") == 0


def test_order_read_with_access_token_and_404_otherwise(api_client, cart, complete):
    order = complete(cart).json()
    url = f"/api/v1/checkout/orders/{order['number']}/"
    ok = api_client.get(url, {"access_token": order["access_token"]})
    assert ok.status_code == 200 and ok.json()["number"] == order["number"] and "access_token" not in ok.json()
    wrong = api_client.get(url, {"access_token": "guess"})
    missing = api_client.get("/api/v1/checkout/orders/CO-00000000/", {"access_token": order["access_token"]})
    assert wrong.status_code == missing.status_code == 404
    assert wrong.json() == missing.json()


def test_cancel_returns_stock_releases_voucher_refunds_payment(
    api_client, cart, shop, complete, django_capture_on_commit_callbacks, event_probe
):
    published = event_probe(OrderPlaced, OrderCancelled)
    api_client.put(f"{CARTS}{cart}/voucher/", {"code": "SAVE10"}, format="json")
    order = complete(cart).json()
    assert shop.pricing.redemptions
    url = f"/api/v1/checkout/orders/{order['number']}/cancel/?access_token={order['access_token']}"
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.post(url)
    assert response.status_code == 200 and response.json()["status"] == "cancelled"
    assert shop.inventory.on_hand == {"TEE-M": 5, "MUG": 1, "OLD": 3}
    assert shop.pricing.redemptions == {}
    assert shop.payments.of(order["number"]).status == "refunded"
    assert [e.name for e in published] == ["checkout.OrderPlaced", "checkout.OrderCancelled"]
    again = api_client.post(url)
    assert again.status_code == 409 and again.json()["code"] == "invalid_transition"
    assert api_client.post(f"/api/v1/checkout/orders/{order['number']}/cancel/?access_token=nope").status_code == 404


def test_signed_in_customer_lists_only_their_orders(api_client, shop, complete, django_user_model):
    alice = django_user_model.objects.create_user("alice", password="pw-alice-123")
    bob = django_user_model.objects.create_user("bob", password="pw-bob-12345")
    for user in (alice, bob):
        api_client.force_authenticate(user)
        token = api_client.post(CARTS, {"currency": "EUR"}, format="json").json()["token"]
        api_client.post(f"{CARTS}{token}/lines/", {"sku": "TEE-M", "quantity": 1}, format="json")
        assert complete(token).status_code == 201
    api_client.force_authenticate(alice)
    listed = api_client.get("/api/v1/checkout/orders/").json()
    assert listed["count"] == 1
    number = listed["results"][0]["number"]
    assert Order.objects.get(number=number).customer_id == alice.pk
    assert api_client.get(f"/api/v1/checkout/orders/{number}/").status_code == 200  # owner, no token
    api_client.force_authenticate(None)
    assert api_client.get("/api/v1/checkout/orders/").status_code in (401, 403)


def test_oversized_body_is_refused(api_client, cart):
    response = api_client.post(
        f"{CARTS}{cart}/lines/", "x" * (5 * 1024 * 1024), content_type="application/json"
    )
    assert response.status_code == 413 and response.json()["code"] == "body_too_large"


def test_cart_costs_the_same_queries_whatever_its_size(api_client, shop, django_assert_max_num_queries):
    for n in range(30):
        shop.catalog.variant_add(f"SKU-{n}", product_name=f"Thing {n}")
        shop.pricing.price_set(f"SKU-{n}", "1.00")
    small = api_client.post(CARTS, {"currency": "EUR"}, format="json").json()["token"]
    large = api_client.post(CARTS, {"currency": "EUR"}, format="json").json()["token"]
    api_client.post(f"{CARTS}{small}/lines/", {"sku": "SKU-0", "quantity": 1}, format="json")
    for n in range(30):
        api_client.post(f"{CARTS}{large}/lines/", {"sku": f"SKU-{n}", "quantity": 1}, format="json")
    with django_assert_max_num_queries(2):
        assert len(api_client.get(f"{CARTS}{small}/").json()["lines"]) == 1
    with django_assert_max_num_queries(2):
        assert len(api_client.get(f"{CARTS}{large}/").json()["lines"]) == 30


def test_order_list_page_costs_constant_queries(api_client, shop, complete, django_user_model, django_assert_max_num_queries):
    user = django_user_model.objects.create_user("carol", password="pw-carol-123")
    api_client.force_authenticate(user)
    shop.inventory.stock_set("TEE-M", 100)
    for i in range(12):
        token = api_client.post(CARTS, {"currency": "EUR"}, format="json").json()["token"]
        api_client.post(f"{CARTS}{token}/lines/", {"sku": "TEE-M", "quantity": 1}, format="json")
        assert complete(token, key=f"k{i}").status_code == 201
    with django_assert_max_num_queries(4):
        assert api_client.get("/api/v1/checkout/orders/?page_size=2").json()["count"] == 12
    with django_assert_max_num_queries(4):
        assert len(api_client.get("/api/v1/checkout/orders/?page_size=12").json()["results"]) == 12


def test_malformed_path_parameters_are_404_before_any_query(api_client, shop):
    for path in ("carts/%00/", "carts/x%00y/lines/", f"carts/{'a' * 65}/", "orders/%00/", "orders/CO-1%00/cancel/"):
        response = api_client.get(f"/api/v1/checkout/{path}")
        assert response.status_code == 404, path
        assert response["Content-Type"] == "application/problem+json"
