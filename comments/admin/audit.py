"""The audit log: every decision by a person or a rule, read-only."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from ..models import ModerationAction


class ByFilter(admin.SimpleListFilter):
    title = _("decided by")
    parameter_name = "by"

    def lookups(self, request, model_admin):
        return [("person", _("A moderator")), ("rule", _("A rule"))]

    def queryset(self, request, queryset):
        if self.value() == "person":
            return queryset.filter(actor__isnull=False)
        if self.value() == "rule":
            return queryset.filter(actor__isnull=True)
        return queryset


@admin.register(ModerationAction)
class ModerationActionAdmin(admin.ModelAdmin):
    list_display = ["created_at", "who", "action", "comment_link", "change", "reason"]
    list_filter = [ByFilter, "action", "rule", "to_status", "created_at"]
    search_fields = ["reason", "=reader_key", "comment__body", "actor__username"]
    list_select_related = ["actor", "comment"]
    date_hierarchy = "created_at"
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # An audit log nobody can edit.

    @admin.display(description=_("by"), ordering="actor__username")
    def who(self, obj):
        if obj.actor_id:
            return obj.actor.get_username()
        return _("rule: %(rule)s") % {"rule": obj.rule or "-"}

    @admin.display(description=_("comment"))
    def comment_link(self, obj):
        if obj.comment_id is None:
            return obj.reader_key or "—"
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:comments_comment_change", args=[obj.comment_id]),
            Truncator(str(obj.comment)).chars(60),
        )

    @admin.display(description=_("status"))
    def change(self, obj):
        if not obj.to_status:
            return "—"
        return f"{obj.get_from_status_display() or '·'} → {obj.get_to_status_display()}"
