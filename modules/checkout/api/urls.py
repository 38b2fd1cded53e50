"""Public HTTP API of the checkout module."""

from django.urls import path

urlpatterns: list = []
