"""Public HTTP API of the pricing module."""

from django.urls import path

urlpatterns: list = []
