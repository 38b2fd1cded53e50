"""Public HTTP API of the catalog module."""

from django.urls import path

urlpatterns: list = []
