from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommentsConfig(AppConfig):
    name = "comments"
    verbose_name = _("Reader comments and reactions")

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from .accounts import merge_guest_on_login

        user_logged_in.connect(merge_guest_on_login, dispatch_uid="comments.merge_guest_on_login")
