"""Public HTTP API of the pricing module (mounted at /api/v1/pricing/)."""

from django.urls import path

from modules.pricing.api.views import PricesView, QuotesView

urlpatterns = [
    path("prices/", PricesView.as_view(), name="pricing-prices"),
    path("quotes/", QuotesView.as_view(), name="pricing-quotes"),
]
