"""Public HTTP API of the payments module: sessions, staff refunds, and the test provider's authentication page.

Path parameters must have the shape of what they name; anything else is a
plain 404 before any query runs.
"""

from django.urls import path, register_converter

from modules.payments.api import views


class SessionIdConverter:
    regex = r"ps_[a-f0-9]{24}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


class IntentIdConverter(SessionIdConverter):
    regex = r"[A-Za-z0-9_]{1,64}"


register_converter(SessionIdConverter, "payment_session")
register_converter(IntentIdConverter, "intent_id")

urlpatterns = [
    path("sessions/", views.SessionCreateView.as_view()),
    path("sessions/<payment_session:session_id>/", views.SessionDetailView.as_view()),
    path("sessions/<payment_session:session_id>/refunds/", views.RefundsView.as_view()),
    path("test-provider/intents/<intent_id:intent_id>/authenticate/", views.TestAuthenticateView.as_view()),
]
