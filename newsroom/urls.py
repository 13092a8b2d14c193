from django.contrib import admin
from django.urls import include, path
from django.views.i18n import set_language

from accounts import views as accounts_views
from articles.views import health
from comments import views as comments_views

urlpatterns = [
    path("admin/", admin.site.urls),
    path("health/", health, name="health"),
    # The footer's language switch: Django's view, which only follows a `next` on this site.
    path("i18n/setlang/", set_language, name="set_language"),
    path("api/", include(("newsroom.api_urls", "api"))),
    # Rate-limited versions of two of Django's account views, found before the rest.
    path("accounts/login/", comments_views.login_view, name="login"),
    path("accounts/password_reset/", comments_views.password_reset_view, name="password_reset"),
    path("accounts/signup/", accounts_views.signup, name="signup"),
    path("", include("accounts.urls")),
    path("accounts/", include("django.contrib.auth.urls")),
    path("", include("notifications.urls")),
    path("", include("embeds.urls")),
    path("", include("comments.urls")),
    path("", include("articles.urls")),
]
