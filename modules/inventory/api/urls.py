"""Public HTTP API of the inventory module."""

from django.urls import path

urlpatterns: list = []
