from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_tasks_db.admin import DBTaskResultAdmin
from django_tasks_db.models import DBTaskResult

from newsroom import outbound

from . import webhooks
from .models import Digest, ReplyNotice, Subscriber, WebhookDelivery, WebhookEndpoint


@admin.register(Subscriber)
class SubscriberAdmin(admin.ModelAdmin):
    list_display = [
        "email",
        "frequency",
        "created_at",
        "confirmed_at",
        "unsubscribed_at",
        "bounced_at",
    ]
    list_filter = [
        "frequency",
        ("confirmed_at", admin.EmptyFieldListFilter),
        ("unsubscribed_at", admin.EmptyFieldListFilter),
        ("bounced_at", admin.EmptyFieldListFilter),
    ]
    search_fields = ["email"]
    readonly_fields = ["email", "created_at", "confirmation_sent_at", "confirmed_at"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False  # addresses come from readers who opt in and confirm


class RecordAdmin(admin.ModelAdmin):
    """A log the worker writes: read, never added or changed by hand."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ReplyNotice)
class ReplyNoticeAdmin(RecordAdmin):
    list_display = ["created_at", "subscriber", "kind", "reply", "status", "digest"]
    list_filter = ["status", "kind", "created_at"]
    list_select_related = ["subscriber", "reply", "digest"]
    search_fields = ["subscriber__email"]
    date_hierarchy = "created_at"


@admin.register(Digest)
class DigestAdmin(RecordAdmin):
    list_display = ["day", "subscriber", "created_at"]
    list_select_related = ["subscriber"]
    search_fields = ["subscriber__email"]
    date_hierarchy = "created_at"


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


def validate_webhook_url(url):
    try:
        outbound.resolve_endpoint(
            url, allowed_networks=settings.NEWSROOM["WEBHOOK_ALLOWED_NETWORKS"]
        )
    except outbound.Refused as refused:
        raise ValidationError(
            _(
                "This address was refused: webhooks go only to public https:// addresses "
                "unless the operator allows the network (NEWSROOM_WEBHOOK_ALLOWED_NETWORKS)."
            )
        ) from refused
    except outbound.Unresolvable as error:
        raise ValidationError(
            _("The host name %(host)s could not be resolved.") % {"host": error.host}
        ) from error


class WebhookEndpointForm(forms.ModelForm):
    url = forms.URLField(
        label=_("URL"), assume_scheme="https", max_length=500, validators=[validate_webhook_url]
    )
    events = forms.MultipleChoiceField(
        label=_("Events"),
        choices=WebhookEndpoint.Event.choices,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = WebhookEndpoint
        fields = ["name", "url", "events", "secret", "is_active"]


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    form = WebhookEndpointForm
    list_display = ["name", "url", "is_active", "consecutive_failures", "disabled_at"]
    list_filter = ["is_active"]
    search_fields = ["name", "url"]
    readonly_fields = ["consecutive_failures", "disabled_at"]

    def save_model(self, request, obj, form, change):
        if obj.is_active:
            obj.disabled_at, obj.consecutive_failures = None, 0
        super().save_model(request, obj, form, change)
        webhooks.forget_wanted_events()

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        webhooks.forget_wanted_events()


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(RecordAdmin):
    list_display = [
        "created_at",
        "endpoint",
        "event",
        "status",
        "attempts",
        "response_code",
        "duration_ms",
        "next_attempt_at",
    ]
    list_filter = ["status", "event", "endpoint"]
    list_select_related = ["endpoint"]
    search_fields = ["message_id"]
    date_hierarchy = "created_at"
