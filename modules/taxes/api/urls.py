"""Public HTTP API of the taxes module (mounted at /api/v1/taxes/)."""

from django.urls import path

from modules.taxes.api.views import RatesView

urlpatterns = [
    path("rates/", RatesView.as_view(), name="taxes-rates"),
]
