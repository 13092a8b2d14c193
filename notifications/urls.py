from django.urls import path

from . import views

app_name = "notifications"
urlpatterns = [
    path("notices/confirm/<str:token>/", views.confirm, name="confirm"),
    path("notices/unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("notices/settings/", views.my_notice_settings, name="my_settings"),
    path("notices/settings/<str:token>/", views.notice_settings, name="settings"),
]
