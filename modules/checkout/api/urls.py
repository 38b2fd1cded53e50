"""Public HTTP API of the checkout module."""

from django.urls import path

from modules.checkout.api import views

urlpatterns = [
    path("carts/", views.CartCreateView.as_view()),
    path("carts/<str:token>/", views.CartDetailView.as_view()),
    path("carts/<str:token>/lines/", views.CartLinesView.as_view()),
    path("carts/<str:token>/lines/<str:sku>/", views.CartLineView.as_view()),
    path("carts/<str:token>/voucher/", views.CartVoucherView.as_view()),
    path("carts/<str:token>/complete/", views.CartCompleteView.as_view()),
    path("orders/", views.OrderListView.as_view()),
    path("orders/<str:number>/", views.OrderDetailView.as_view()),
    path("orders/<str:number>/cancel/", views.OrderCancelView.as_view()),
]
