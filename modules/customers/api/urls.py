"""Public HTTP API of the customers module: storefront accounts, their tokens, profile and address book."""

from django.urls import path, register_converter

from modules.customers.api import views


class AddressIdConverter:
    regex = r"[0-9]{1,18}"  # a bigint: a longer number is a plain 404, never a database error

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)


register_converter(AddressIdConverter, "address_id")

urlpatterns = [
    path("register/", views.RegisterView.as_view()),
    path("email/confirm/", views.EmailConfirmView.as_view()),
    path("email/confirm/resend/", views.EmailConfirmResendView.as_view()),
    path("email/change/confirm/", views.EmailChangeConfirmView.as_view()),
    path("sign-in/", views.SignInView.as_view()),
    path("tokens/refresh/", views.TokenRefreshView.as_view()),
    path("sign-out/", views.SignOutView.as_view()),
    path("password/reset/", views.PasswordResetView.as_view()),
    path("password/reset/confirm/", views.PasswordResetConfirmView.as_view()),
    path("me/", views.MeView.as_view()),
    path("me/password/", views.PasswordChangeView.as_view()),
    path("me/erase/", views.EraseView.as_view()),
    path("me/export/", views.ExportView.as_view()),
    path("me/email/", views.EmailChangeView.as_view()),
    path("me/addresses/", views.AddressesView.as_view()),
    path("me/addresses/<address_id:address_id>/", views.AddressView.as_view()),
]
