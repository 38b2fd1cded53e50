"""The URL map of the deployable: each installed module's API under /api/v1/<module>/."""

from __future__ import annotations

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from commerce.health import healthz, readyz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="docs"),
    path("api/v1/catalog/", include("modules.catalog.api.urls")),
    path("api/v1/pricing/", include("modules.pricing.api.urls")),
    path("api/v1/inventory/", include("modules.inventory.api.urls")),
    path("api/v1/checkout/", include("modules.checkout.api.urls")),
]

handler400 = "kernel.problems.handler400"
handler403 = "kernel.problems.handler403"
handler404 = "kernel.problems.handler404"
handler500 = "kernel.problems.handler500"
