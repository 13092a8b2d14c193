from django.urls import path

from . import views

app_name = "embeds"

# Fixed addresses have no trailing slash, so no story's slug can take their place.
urlpatterns = [
    path("embed/loader.js", views.script("loader.js"), name="loader"),
    path("embed/count.js", views.script("count.js"), name="count_script"),
    path("embed/counts", views.counts, name="counts"),
    path("embed/page", views.page, name="page"),
    path("embed/<slug:slug>/", views.frame, name="frame"),
    path("embed/<slug:slug>/login/", views.login, name="login"),
]
