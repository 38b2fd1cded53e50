"""Public HTTP API of the checkout module.

Path parameters must have the shape of what they name; anything else
(a NUL byte, an over-long string) is a plain 404 before any query runs.
"""

from django.urls import path, register_converter

from modules.checkout.api import views


class CartTokenConverter:
    regex = r"[A-Za-z0-9_-]{1,64}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


class OrderNumberConverter(CartTokenConverter):
    regex = r"[A-Za-z0-9-]{1,32}"


class SkuConverter(CartTokenConverter):
    regex = r"[A-Za-z0-9._-]{1,64}"


register_converter(CartTokenConverter, "cart_token")
register_converter(OrderNumberConverter, "order_number")
register_converter(SkuConverter, "sku")

urlpatterns = [
    path("carts/", views.CartCreateView.as_view()),
    path("carts/mine/", views.MyCartView.as_view()),  # before the token route: no token is "mine" (they have 43 characters)
    path("carts/<cart_token:token>/", views.CartDetailView.as_view()),
    path("carts/<cart_token:token>/claim/", views.CartClaimView.as_view()),
    path("carts/<cart_token:token>/lines/", views.CartLinesView.as_view()),
    path("carts/<cart_token:token>/lines/<sku:sku>/", views.CartLineView.as_view()),
    path("carts/<cart_token:token>/voucher/", views.CartVoucherView.as_view()),
    path("carts/<cart_token:token>/complete/", views.CartCompleteView.as_view()),
    path("orders/", views.OrderListView.as_view()),
    path("orders/<order_number:number>/", views.OrderDetailView.as_view()),
    path("orders/<order_number:number>/cancel/", views.OrderCancelView.as_view()),
]
