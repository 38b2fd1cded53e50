"""Admin of the composition root: third-party admins held to the project's rule that every action needs a permission."""

from __future__ import annotations

from axes.admin import AccessAttemptAdmin
from axes.models import AccessAttempt
from django.contrib import admin

if admin.site.is_registered(AccessAttempt):
    admin.site.unregister(AccessAttempt)


@admin.register(AccessAttempt)
class SignInAttemptAdmin(AccessAttemptAdmin):
    """Locked-out admin sign-ins (django-axes); clearing them needs the permission to delete them."""

    @admin.action(description="Clean up expired attempts", permissions=["delete"])
    def cleanup_expired_attempts(self, request, queryset):  # noqa: ANN001, ANN201  axes' own signature
        return super().cleanup_expired_attempts(request, queryset)


# The admin index opens with the back office's dashboard (commerce/dashboard.py).
admin.site.index_template = "admin/commerce/index.html"
