from django.contrib import admin
from django.urls import include, path

from articles.views import health

urlpatterns = [
    path("admin/", admin.site.urls),
    path("health/", health, name="health"),
    path("api/", include(("newsroom.api_urls", "api"))),
    path("accounts/", include("django.contrib.auth.urls")),
    path("", include("comments.urls")),
    path("", include("articles.urls")),
]
