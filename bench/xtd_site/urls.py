from django.urls import include, path
from django.views.generic import DetailView

from .models import Story

urlpatterns = [
    path("stories/<slug:slug>/", DetailView.as_view(model=Story), name="story"),
    path("comments/", include("django_comments_xtd.urls")),
]
