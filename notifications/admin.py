from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_tasks_db.admin import DBTaskResultAdmin
from django_tasks_db.models import DBTaskResult

from .models import ReplyNotice, Subscriber


@admin.register(Subscriber)
class SubscriberAdmin(admin.ModelAdmin):
    list_display = ["email", "created_at", "confirmed_at", "unsubscribed_at", "bounced_at"]
    list_filter = [
        ("confirmed_at", admin.EmptyFieldListFilter),
        ("unsubscribed_at", admin.EmptyFieldListFilter),
        ("bounced_at", admin.EmptyFieldListFilter),
    ]
    search_fields = ["email"]
    readonly_fields = ["email", "created_at", "confirmation_sent_at", "confirmed_at"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False  # addresses come from readers who opt in and confirm


@admin.register(ReplyNotice)
class ReplyNoticeAdmin(admin.ModelAdmin):
    list_display = ["created_at", "subscriber", "reply", "status"]
    list_filter = ["status", "created_at"]
    list_select_related = ["subscriber", "reply"]
    search_fields = ["subscriber__email"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


admin.site.unregister(DBTaskResult)


@admin.register(DBTaskResult)
class TaskResultAdmin(DBTaskResultAdmin):
    """django-tasks-db's list of background jobs, with a way to run failed ones again."""

    actions = ["retry"]
    search_fields = ["task_path"]

    @admin.action(description=_("Run the selected failed tasks again"))
    def retry(self, request, queryset):
        failed = list(queryset.failed())
        for row in failed:
            result = row.task_result
            row.task.enqueue(*result.args, **result.kwargs)
        self.message_user(
            request,
            ngettext(
                "%(count)d failed task queued again.",
                "%(count)d failed tasks queued again.",
                len(failed),
            )
            % {"count": len(failed)},
            messages.SUCCESS,
        )

    def has_change_permission(self, request, obj=None):
        # Actions need change permission; the page itself stays read-only (readonly_fields).
        return request.user.has_perm("django_tasks_database.change_dbtaskresult")
