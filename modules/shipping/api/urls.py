"""Public HTTP API of the shipping module (mounted at /api/v1/shipping/)."""

from django.urls import path

from modules.shipping.api.views import CountriesView, MethodsView

urlpatterns = [
    path("countries/", CountriesView.as_view(), name="shipping-countries"),
    path("methods/", MethodsView.as_view(), name="shipping-methods"),
]
