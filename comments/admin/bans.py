"""Bans and suspensions."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .. import moderation
from ..forms import BanAddForm
from ..models import Ban


class ActiveBanFilter(admin.SimpleListFilter):
    title = _("state")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [("active", _("In force")), ("ended", _("Ended"))]

    def queryset(self, request, queryset):
        active = queryset.active()
        if self.value() == "active":
            return active
        if self.value() == "ended":
            return queryset.exclude(pk__in=active.values("pk"))
        return queryset


@admin.register(Ban)
class BanAdmin(admin.ModelAdmin):
    list_display = [
        "__str__",
        "kind",
        "reason",
        "expires_at",
        "in_force",
        "created_by",
        "created_at",
    ]
    list_filter = [ActiveBanFilter, "kind", "created_at"]
    search_fields = ["label", "reason", "=value"]
    list_select_related = ["created_by"]
    readonly_fields = ["kind", "value", "reject_past", "created_by", "created_at"]
    actions = ["lift_bans"]

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = BanAddForm
        return super().get_form(request, obj, **kwargs)

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["kind", "identity", "label", "reason", "expires_at", "reject_past"]
        return ["kind", "label", "value", "reason", "expires_at", "reject_past", "created_by",
                "created_at"]  # fmt: skip

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj else []

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        data = form.cleaned_data
        new_ban, rejected = moderation.ban_create(
            kind=data["kind"],
            value=data["value"],
            label=data["label"],
            reason=data["reason"],
            expires_at=data["expires_at"],
            reject_past=data["reject_past"],
            actor=request.user,
        )
        obj.pk = new_ban.pk  # so the admin's "added" message and log link to it

    @admin.display(description=_("in force"), boolean=True)
    def in_force(self, obj):
        return obj.is_active()

    @admin.action(description=_("Lift selected bans now"), permissions=["change"])
    def lift_bans(self, request, queryset):
        count = moderation.ban_lift(bans=queryset, actor=request.user)
        self.message_user(
            request, ngettext("Lifted %d ban.", "Lifted %d bans.", count) % count, messages.SUCCESS
        )
