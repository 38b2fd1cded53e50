"""Public HTTP API of the recommendations module."""

from django.urls import path

from modules.recommendations.api.views import BoughtTogetherView, PopularView

urlpatterns = [
    path("products/<str:slug>/", BoughtTogetherView.as_view(), name="recommendations-bought-together"),
    path("categories/<str:slug>/", PopularView.as_view(), name="recommendations-popular"),
]
