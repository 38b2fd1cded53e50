"""``{% dashboard %}``: the back office's dashboard on the admin index (``commerce.dashboard``)."""

from __future__ import annotations

from typing import Any

from django import template

from commerce.dashboard import dashboard_build

register = template.Library()


@register.inclusion_tag("admin/commerce/dashboard.html", takes_context=True)
def dashboard(context: dict[str, Any]) -> dict[str, Any]:
    request = context["request"]
    return {"board": dashboard_build(user=request.user), "request": request}
