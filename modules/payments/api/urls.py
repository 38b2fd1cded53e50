"""Public HTTP API of the payments module: sessions, staff refunds, and the test provider's authentication page."""

from django.urls import path

from modules.payments.api import views

urlpatterns = [
    path("sessions/", views.SessionCreateView.as_view()),
    path("sessions/<str:session_id>/", views.SessionDetailView.as_view()),
    path("sessions/<str:session_id>/refunds/", views.RefundsView.as_view()),
    path("test-provider/intents/<str:intent_id>/authenticate/", views.TestAuthenticateView.as_view()),
]
