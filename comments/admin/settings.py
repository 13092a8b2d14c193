"""The site's moderation settings: one row, the classifier's secret for editors only."""

from django.contrib import admin
from django.db import models
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _

from ..forms import ModerationSettingsForm
from ..models import ModerationSettings


@admin.register(ModerationSettings)
class ModerationSettingsAdmin(admin.ModelAdmin):
    form = ModerationSettingsForm
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    classifier_fields = ["classifier_url", "classifier_secret", "classifier_timeout"]
    # What everyone else sees of it: never the secret itself.
    classifier_view = ["classifier_url", "signing_secret", "classifier_timeout"]
    fieldsets = [
        (_("Words"), {"fields": ["banned_words", "suspect_words"]}),
        (
            _("Limits"),
            {
                "fields": [
                    "guest_max_links",
                    "account_max_links",
                    "repeat_window_hours",
                    "repeat_story_count",
                    "first_timer_approvals",
                    "report_threshold",
                    "reporter_min_age_hours",
                    "new_reporter_weight",
                    "ban_action",
                ]
            },
        ),
        (
            _("External classifier"),
            {"fields": classifier_fields},
        ),
    ]

    def get_fieldsets(self, request, obj=None):
        if request.user.has_perm("comments.change_classifier"):
            return self.fieldsets
        *others, (title, _options) = self.fieldsets
        return [*others, (title, {"fields": self.classifier_view})]

    def get_readonly_fields(self, request, obj=None):
        if request.user.has_perm("comments.change_classifier"):
            return []
        return self.classifier_view

    @admin.display(description=_("classifier signing secret"))
    def signing_secret(self, obj):
        return _("set (only editors see and change it)") if obj.classifier_secret else "—"

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_object(self, request, object_id, from_field=None):
        # Before the first save the one row exists only as its first values.
        found = super().get_object(request, object_id, from_field)
        if found is None and object_id == "1":
            return ModerationSettings.load_row()
        return found

    def changelist_view(self, request, extra_context=None):
        # One row of settings: the list is just the way in.
        return redirect("admin:comments_moderationsettings_change", ModerationSettings.load().pk)
