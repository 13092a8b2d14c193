from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("accounts/confirm/<str:token>/", views.confirm_email, name="confirm_email"),
    path("accounts/confirm-again/", views.resend, name="resend"),
    path("accounts/profile/", views.profile_view, name="profile"),
    path("accounts/export/", views.account_export, name="export"),
    path("accounts/delete/", views.delete, name="delete"),
    path("privacy/", views.privacy, name="privacy"),
    path("privacy/export/", views.export_request, name="export_request"),
    path("privacy/export/device/", views.device_export, name="device_export"),
    path("privacy/export/<str:token>/", views.guest_export, name="guest_export"),
]
