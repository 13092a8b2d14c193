from django.urls import path

from . import views
from .feeds import StoryCommentsFeed

urlpatterns = [
    path("stories/<slug:slug>/reactions/", views.react, name="react"),
    path("stories/<slug:slug>/comments/", views.comment_list, name="comment_list"),
    path("stories/<slug:slug>/comments.atom", StoryCommentsFeed(), name="comment_feed"),
    path("stories/<slug:slug>/comments/post/", views.comment_post, name="comment_post"),
    path("comments/preview/", views.comment_preview, name="comment_preview"),
    path("comments/<int:pk>/", views.comment_permalink, name="comment_permalink"),
    path("comments/<int:pk>/reply/", views.comment_reply, name="comment_reply"),
    path("comments/<int:pk>/edit/", views.comment_edit, name="comment_edit"),
    path("comments/<int:pk>/delete/", views.comment_delete, name="comment_delete"),
    path("comments/<int:pk>/like/", views.comment_like, name="comment_like"),
    path("comments/<int:pk>/report/", views.comment_report, name="comment_report"),
]
