"""The URL map of the deployable: each installed module's API under /api/v1/<module>/."""

from __future__ import annotations

from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from commerce.health import healthz, readyz
from commerce.transport.server import contract_call, event_receive

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="docs"),
    path("internal/contracts/<str:module>/<str:method>", contract_call, name="contract-call"),
    path("internal/events", event_receive, name="event-receive"),
    *([path("webhooks/<str:provider>/", include("modules.payments.api.webhooks"))] if "payments" in settings.MODULES else []),
    *[path(f"api/v1/{module}/", include(f"modules.{module}.api.urls")) for module in settings.MODULES],
]

handler400 = "kernel.problems.handler400"
handler403 = "kernel.problems.handler403"
handler404 = "kernel.problems.handler404"
handler500 = "kernel.problems.handler500"
