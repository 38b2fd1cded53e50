"""Public HTTP API of the catalog module."""

from django.urls import path

from modules.catalog.api.views import CategoryListView, ProductDetailView, ProductListView

urlpatterns = [
    path("categories/", CategoryListView.as_view(), name="catalog-categories"),
    path("products/", ProductListView.as_view(), name="catalog-products"),
    path("products/<str:slug>/", ProductDetailView.as_view(), name="catalog-product"),
]
