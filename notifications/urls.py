from django.urls import path

from . import views

app_name = "notifications"
urlpatterns = [
    path("notices/confirm/<str:token>/", views.confirm, name="confirm"),
    path("notices/unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
