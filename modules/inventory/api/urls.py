"""Public HTTP API of the inventory module."""

from django.urls import path

from modules.inventory.api.views import AvailabilityView

urlpatterns = [
    path("availability/", AvailabilityView.as_view(), name="inventory-availability"),
]
