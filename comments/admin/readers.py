"""Readers as the desk sees them: their profile, history, bans and notes."""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import redirect
from django.urls import path
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from .. import moderation
from ..forms import BanForm
from ..models import Ban, Comment, ModerationAction, ReaderProfile

Status = Comment.Status


class DeskMedia:
    css = {"all": ["comments/moderation-desk.css"]}


def reader_panel_context(reader_key, *, latest=None):
    """What the desk shows about a reader next to one of their comments or their profile."""
    history = list(
        Comment.objects.by_reader(reader_key)
        .select_related("article")
        .order_by("-created_at", "-id")[:20]
    )
    latest = latest or (history[0] if history else None)
    counts = dict(
        Comment.objects.by_reader(reader_key)
        .values_list("status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {
        "reader_key": reader_key,
        "history": history,
        "history_counts": [(label, counts.get(value, 0)) for value, label in Status.choices],
        "profile": ReaderProfile.objects.filter(reader_key=reader_key).first(),
        "bans": list(
            Ban.objects.active().matching(
                reader_key=reader_key,
                email_hash=moderation.email_hash(latest.author_email) if latest else "",
                network_hash=latest.network_hash if latest else "",
            )
        ),
        "ban_comment": latest,
        "ban_form": BanForm(),
    }


@admin.register(ReaderProfile)
class ReaderProfileAdmin(admin.ModelAdmin):
    list_display = ["__str__", "reader_key", "is_trusted", "comment_count", "notes_excerpt"]
    list_filter = ["is_trusted"]
    search_fields = ["display_name", "=reader_key", "notes"]
    fields = ["reader_key", "display_name", "is_trusted", "notes"]
    readonly_fields = ["reader_key", "display_name"]
    Media = DeskMedia

    def get_queryset(self, request):
        counts = (
            Comment.objects.filter(reader_key=OuterRef("reader_key"))
            .order_by()
            .values("reader_key")
            .annotate(n=Count("pk"))
            .values("n")
        )
        return super().get_queryset(request).annotate(comments=Coalesce(Subquery(counts), 0))

    def has_add_permission(self, request):
        return False  # Profiles are opened from a reader's comment.

    @admin.display(description=_("comments"), ordering="comments")
    def comment_count(self, obj):
        return obj.comments

    @admin.display(description=_("moderator notes"))
    def notes_excerpt(self, obj):
        return Truncator(obj.notes).chars(80)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if form.changed_data:
            changes = []
            if "is_trusted" in form.changed_data:
                changes.append(_("trusted") if obj.is_trusted else _("no longer trusted"))
            if "notes" in form.changed_data:
                changes.append(_("notes changed"))
            ModerationAction.objects.create(
                reader_key=obj.reader_key,
                actor=request.user,
                action=ModerationAction.Action.NOTE,
                reason=f"{obj}: {', '.join(str(c) for c in changes)}"[:255],
            )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        profile = self.get_object(request, object_id)
        extra_context = extra_context or {}
        if profile is not None:
            extra_context.update(reader_panel_context(profile.reader_key))
        return super().change_view(request, object_id, form_url, extra_context)

    def get_urls(self):
        return [
            path(
                "for/<str:reader_key>/",
                self.admin_site.admin_view(self.open_profile),
                name="comments_readerprofile_for",
            )
        ] + super().get_urls()

    def open_profile(self, request, reader_key):
        """Open the reader's profile, creating it the first time a moderator looks."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        latest = Comment.objects.by_reader(reader_key).order_by("-created_at").first()
        profile, _created = ReaderProfile.objects.get_or_create(
            reader_key=reader_key,
            defaults={"display_name": latest.author_name if latest else ""},
        )
        return redirect("admin:comments_readerprofile_change", profile.pk)
