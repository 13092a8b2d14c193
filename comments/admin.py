"""
The moderation desk: comment queues, bans, readers, the audit log and the dashboard.

Every status change made here goes through `comments.moderation`, which writes the audit log.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.db.models import Count, Exists, OuterRef, Subquery, Sum
from django.db.models.functions import Coalesce
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect
from django.template.defaultfilters import linebreaksbr
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import formats, timezone
from django.utils.html import format_html, format_html_join
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from articles.models import Article

from . import dashboard, moderation
from .forms import BanAddForm, BanForm, ModerationSettingsForm
from .models import (
    Ban,
    Comment,
    CommentReport,
    ModerationAction,
    ModerationSettings,
    ReactionKind,
    ReactionTally,
    ReaderProfile,
)
from .reactions import reaction_bar, reaction_timeline

Status = Comment.Status


class DeskMedia:
    css = {"all": ["comments/moderation-desk.css"]}


class QueueFilter(admin.SimpleListFilter):
    """The desk's queues. Opening the comment list shows the pending queue."""

    title = _("queue")
    parameter_name = "queue"
    default = "pending"

    def lookups(self, request, model_admin):
        counts = dashboard.queue_sizes()
        names = [
            ("pending", _("Pending")),
            ("reported", _("Reported")),
            ("approved", _("Approved")),
            ("rejected", _("Rejected")),
            ("spam", _("Spam")),
            ("deleted", _("Deleted by author")),
        ]
        return [(key, f"{label} ({counts[key]})") for key, label in names] + [
            ("all", _("All comments"))
        ]

    def value(self):
        return super().value() or self.default

    def choices(self, changelist):
        for lookup, title in self.lookup_choices:
            yield {
                "selected": self.value() == lookup,
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }

    def queryset(self, request, queryset):
        queue = self.value()
        if queue == "reported":
            return queryset.reported()
        if queue == "deleted":
            return queryset.deleted_by_author()
        if queue in Status.values:
            return queryset.filter(status=queue)
        return queryset


class CommentReportInline(admin.TabularInline):
    model = CommentReport
    extra = 0
    can_delete = False
    fields = [
        "reason",
        "text",
        "body_at_report",
        "network",
        "is_established",
        "created_at",
        "resolved_at",
        "resolution",
        "resolved_by",
    ]
    readonly_fields = fields
    verbose_name_plural = _("reports from readers")

    def has_add_permission(self, request, obj):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=_("network"))
    def network(self, obj):
        # Enough of the keyed hash to see which reports came from the same network.
        return obj.network_hash[:8] or "—"


def safe_next(request, fallback):
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return fallback


class ModerateMixin:
    def has_moderate_permission(self, request):
        return request.user.has_perm("comments.moderate_comment")


@admin.register(Comment)
class CommentAdmin(ModerateMixin, admin.ModelAdmin):
    list_display = ["comment_summary", "status_badge", "decision", "report_count", "quick_actions"]
    list_display_links = ["comment_summary"]
    list_filter = [
        QueueFilter,
        ("article", admin.RelatedOnlyFieldListFilter),
        "moderation_rule",
        "is_featured",
        "created_at",
    ]
    search_fields = ["body", "author_name", "author_email", "article__headline"]
    search_help_text = _("Search comment text, author name or email, or story headline.")
    list_select_related = ["article"]
    list_per_page = 50
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER
    actions = [
        "approve_comments",
        "reject_comments",
        "mark_spam",
        "hold_comments",
        "feature_comments",
        "unfeature_comments",
        "keep_comments",
    ]
    inlines = [CommentReportInline]
    fieldsets = [
        (None, {"fields": ["article", "parent_link", "body", "status", "is_featured"]}),
        (_("Earlier texts"), {"fields": ["revision_history"]}),
        (
            _("Author"),
            {"fields": ["author_name", "author_email", "reader_link", "user", "user_agent"]},
        ),
        (
            _("Moderation"),
            {
                "fields": [
                    "moderation_rule",
                    "moderation_reason",
                    "decided_at",
                    "decided_by",
                    "report_count",
                    "like_count",
                ]
            },
        ),
        (
            _("Dates"),
            {"fields": ["created_at", "edited_at", "deleted_at"], "classes": ["collapse"]},
        ),
    ]
    readonly_fields = [
        "article",
        "parent_link",
        "body",
        "author_name",
        "author_email",
        "reader_link",
        "user",
        "user_agent",
        "moderation_rule",
        "moderation_reason",
        "decided_at",
        "decided_by",
        "report_count",
        "like_count",
        "created_at",
        "edited_at",
        "deleted_at",
        "revision_history",
    ]
    Media = DeskMedia

    def get_ordering(self, request):
        # Work queues are first in, first out; archives read newest first.
        if request.GET.get("queue", QueueFilter.default) in {"pending", "reported"}:
            return ["created_at", "id"]
        return ["-created_at", "-id"]

    def has_add_permission(self, request):
        return False  # Comments come from readers, through the pipeline.

    def get_queryset(self, request):
        open_reports = CommentReport.objects.filter(
            comment=OuterRef("pk"), resolved_at__isnull=True
        )
        return super().get_queryset(request).annotate(has_open_reports=Exists(open_reports))

    def changelist_view(self, request, extra_context=None):
        queue = request.GET.get("queue", QueueFilter.default)
        title = _("Comments: %(queue)s") % {
            "queue": dict(QUEUE_LABELS).get(queue, _("all comments")).lower()
        }
        return super().changelist_view(request, {"title": title, **(extra_context or {})})

    # Columns

    @admin.display(description=_("comment"), ordering="created_at")
    def comment_summary(self, obj):
        return format_html(
            '<span class="desk-author">{}{} <span class="desk-when">{}</span></span>'
            '<span class="desk-body">{}</span><span class="desk-story">{} {}</span>',
            obj.author_name,
            " ★" if obj.is_featured else "",
            formats.date_format(timezone.localtime(obj.created_at), "SHORT_DATETIME_FORMAT"),
            Truncator(obj.body).chars(220),
            _("on") if obj.parent_id is None else _("replying on"),
            Truncator(obj.article.headline).chars(70),
        )

    @admin.display(description=_("status"), ordering="status")
    def status_badge(self, obj):
        label = obj.get_status_display()
        if obj.deleted_at:
            label = _("%(status)s, deleted") % {"status": label}
        return format_html('<span class="desk-badge desk-{}">{}</span>', obj.status, label)

    @admin.display(description=_("why"))
    def decision(self, obj):
        return obj.moderation_reason

    @admin.display(description=_("moderate"))
    def quick_actions(self, obj):
        buttons = [
            (status, reverse("admin:comments_comment_moderate", args=[obj.pk, status]), label)
            for status, label in DECISION_BUTTONS[:2]
            if obj.status != status
        ]
        if getattr(obj, "has_open_reports", False):
            buttons.append(("keep", reverse("admin:comments_comment_keep", args=[obj.pk]), KEEP))
        return format_html(
            '<span class="desk-quick">{}</span>',
            format_html_join(
                "",
                '<button type="submit" class="desk-button desk-{}" formmethod="post" '
                'formaction="{}" aria-label="{} {}">{}</button>',
                ((css, url, label, obj.author_name, label) for css, url, label in buttons),
            ),
        )

    @admin.display(description=_("in reply to"))
    def parent_link(self, obj):
        if obj.parent_id is None:
            return "—"
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:comments_comment_change", args=[obj.parent_id]),
            Truncator(str(obj.parent)).chars(80),
        )

    @admin.display(description=_("before each edit, newest first"))
    def revision_history(self, obj):
        revisions = obj.revisions.all()
        if not revisions:
            return _("Not edited.")
        return format_html(
            '<ol class="desk-revisions">{}</ol>',
            format_html_join(
                "",
                '<li><span class="desk-when">{} · {}</span><span class="desk-body">{}</span></li>',
                (
                    (
                        formats.date_format(
                            timezone.localtime(revision.created_at), "SHORT_DATETIME_FORMAT"
                        ),
                        revision.get_status_display(),
                        linebreaksbr(revision.body),
                    )
                    for revision in revisions
                ),
            ),
        )

    @admin.display(description=_("reader"))
    def reader_link(self, obj):
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:comments_readerprofile_for", args=[obj.reader_key]),
            obj.reader_key,
        )

    # Actions: each moves the selection through comments.moderation and says what it did.

    def _moderate(self, request, queryset, status, message):
        count = moderation.comment_moderate(comments=queryset, status=status, actor=request.user)
        self.message_user(request, message(count) % count, messages.SUCCESS)

    @admin.action(description=_("Approve selected comments"), permissions=["moderate"])
    def approve_comments(self, request, queryset):
        self._moderate(request, queryset, Status.APPROVED, lambda n: ngettext(
            "Approved %d comment.", "Approved %d comments.", n))  # fmt: skip

    @admin.action(description=_("Reject selected comments"), permissions=["moderate"])
    def reject_comments(self, request, queryset):
        self._moderate(request, queryset, Status.REJECTED, lambda n: ngettext(
            "Rejected %d comment.", "Rejected %d comments.", n))  # fmt: skip

    @admin.action(description=_("Mark selected comments as spam"), permissions=["moderate"])
    def mark_spam(self, request, queryset):
        self._moderate(request, queryset, Status.SPAM, lambda n: ngettext(
            "Marked %d comment as spam.", "Marked %d comments as spam.", n))  # fmt: skip

    @admin.action(description=_("Hold selected comments for review"), permissions=["moderate"])
    def hold_comments(self, request, queryset):
        self._moderate(request, queryset, Status.PENDING, lambda n: ngettext(
            "Held %d comment.", "Held %d comments.", n))  # fmt: skip

    @admin.action(description=_("Make selected comments editor's picks"), permissions=["moderate"])
    def feature_comments(self, request, queryset):
        count = moderation.comment_feature(comments=queryset, actor=request.user)
        self.message_user(
            request,
            ngettext("Made %d comment an editor's pick.", "Made %d comments editor's picks.", count)
            % count,
            messages.SUCCESS,
        )

    @admin.action(description=_("Remove editor's pick"), permissions=["moderate"])
    def unfeature_comments(self, request, queryset):
        count = moderation.comment_feature(comments=queryset, actor=request.user, featured=False)
        self.message_user(
            request,
            ngettext(
                "Removed %d comment from editor's picks.",
                "Removed %d comments from editor's picks.",
                count,
            )
            % count,
            messages.SUCCESS,
        )

    @admin.action(
        description=_("Keep selected comments up and resolve their reports"),
        permissions=["moderate"],
    )
    def keep_comments(self, request, queryset):
        selected = queryset.count()
        kept = moderation.comment_keep(comments=queryset, actor=request.user)
        if kept:
            self.message_user(
                request,
                ngettext(
                    "Kept %d comment; its reports are resolved.",
                    "Kept %d comments; their reports are resolved.",
                    kept,
                )
                % kept,
                messages.SUCCESS,
            )
        if selected > kept:
            self.message_user(
                request,
                ngettext(
                    "%d selected comment had no open reports and was left as it was.",
                    "%d selected comments had no open reports and were left as they were.",
                    selected - kept,
                )
                % (selected - kept),
                messages.WARNING,
            )

    # Deleting outright (superusers only) changes the story page too: its cached copy must go.

    def delete_model(self, request, obj):
        self.delete_queryset(request, Comment.objects.filter(pk=obj.pk))

    def delete_queryset(self, request, queryset):
        with transaction.atomic():
            queryset.mark_stories_changed()
            super().delete_queryset(request, queryset)

    # The change page: status changes go through the pipeline's audit trail too.

    def save_model(self, request, obj, form, change):
        one = Comment.objects.filter(pk=obj.pk)
        if "status" in form.changed_data:
            moderation.comment_moderate(comments=one, status=obj.status, actor=request.user)
        if "is_featured" in form.changed_data:
            moderation.comment_feature(comments=one, actor=request.user, featured=obj.is_featured)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        comment = self.get_object(request, object_id)
        extra_context = extra_context or {}
        if comment is not None:
            extra_context.update(reader_panel_context(comment.reader_key, latest=comment))
            extra_context["desk_decisions"] = DECISION_BUTTONS
            extra_context["parent"] = (
                Comment.objects.select_related("article").filter(pk=comment.parent_id).first()
            )
        return super().change_view(request, object_id, form_url, extra_context)

    # Extra pages: one-click moderation, banning from a comment, the dashboard.

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path(
                "<int:object_id>/moderate/<str:status>/",
                wrap(self.moderate_view),
                name="comments_comment_moderate",
            ),
            path("<int:object_id>/keep/", wrap(self.keep_view), name="comments_comment_keep"),
            path("<int:object_id>/ban/", wrap(self.ban_view), name="comments_comment_ban"),
            path("dashboard/", wrap(self.dashboard_view), name="comments_dashboard"),
        ] + super().get_urls()

    def moderate_view(self, request, object_id, status):
        return require_POST(self._moderate_one)(request, object_id, status)

    def _moderate_one(self, request, object_id, status):
        if not self.has_moderate_permission(request) or status not in Status.values:
            return self._denied(request)
        comment = get_object_or_404(Comment, pk=object_id)
        moderation.comment_moderate(
            comments=Comment.objects.filter(pk=comment.pk), status=status, actor=request.user
        )
        self.message_user(
            request,
            _("%(status)s the comment by %(name)s.")
            % {"status": ACTION_VERB[status], "name": comment.author_name},
            messages.SUCCESS,
        )
        return HttpResponseRedirect(
            safe_next(request, reverse("admin:comments_comment_changelist"))
        )

    def keep_view(self, request, object_id):
        return require_POST(self._keep_one)(request, object_id)

    def _keep_one(self, request, object_id):
        if not self.has_moderate_permission(request):
            return self._denied(request)
        comment = get_object_or_404(Comment, pk=object_id)
        if moderation.comment_keep(
            comments=Comment.objects.filter(pk=comment.pk), actor=request.user
        ):
            text, level = (
                _("Kept the comment by %(name)s; its reports are resolved."),
                messages.SUCCESS,
            )
        else:
            text, level = (
                _("The comment by %(name)s has no open reports; nothing changed."),
                messages.WARNING,
            )
        self.message_user(request, text % {"name": comment.author_name}, level)
        return HttpResponseRedirect(
            safe_next(request, reverse("admin:comments_comment_changelist"))
        )

    def ban_view(self, request, object_id):
        return require_POST(self._ban)(request, object_id)

    def _ban(self, request, object_id):
        if not request.user.has_perm("comments.add_ban"):
            return self._denied(request)
        comment = get_object_or_404(Comment, pk=object_id)
        back = safe_next(request, reverse("admin:comments_comment_change", args=[comment.pk]))
        form = BanForm(request.POST)
        if not form.is_valid():
            for field, errors in form.errors.items():
                label = form.fields[field].label if field in form.fields else ""
                self.message_user(request, f"{label}: {' '.join(errors)}", messages.ERROR)
            return HttpResponseRedirect(back)
        kind = form.cleaned_data["kind"]
        try:
            value, label = moderation.ban_identity(comment, kind)
        except ValueError as error:
            self.message_user(request, str(error), messages.ERROR)
            return HttpResponseRedirect(back)
        new_ban, rejected = moderation.ban_create(
            kind=kind,
            value=value,
            label=label,
            reason=form.cleaned_data["reason"],
            actor=request.user,
            expires_at=form.expires_at(),
            reject_past=form.cleaned_data["reject_past"],
        )
        text = _("Suspended %(who)s.") if new_ban.is_suspension else _("Banned %(who)s.")
        text = text % {"who": new_ban}
        if form.cleaned_data["reject_past"]:
            text += (
                " "
                + ngettext("Rejected %d past comment.", "Rejected %d past comments.", rejected)
                % rejected
            )
        self.message_user(request, text, messages.SUCCESS)
        return HttpResponseRedirect(back)

    def dashboard_view(self, request):
        if not self.has_view_permission(request):
            return self._denied(request)
        figures = dashboard.moderation_figures()
        context = {
            **self.admin_site.each_context(request),
            "title": _("Moderation dashboard"),
            "opts": self.model._meta,
            "figures": figures,
            "daily_chart": dashboard.column_chart(figures.daily),
            "stories": dashboard.bar_rows(figures.most_discussed, "recent_comments"),
            "queues": dashboard.bar_rows(
                [
                    {"key": key, "label": label, "count": figures.queues[key]}
                    for key, label in QUEUE_LABELS
                ],
                "count",
            ),
            "rules": dashboard.bar_rows(figures.by_rule, "count"),
            "series": dashboard.SERIES,
        }
        return TemplateResponse(request, "admin/comments/dashboard.html", context)

    def _denied(self, request):
        raise PermissionDenied


DECISION_BUTTONS = [
    (Status.APPROVED, _("Approve")),
    (Status.REJECTED, _("Reject")),
    (Status.SPAM, _("Spam")),
    (Status.PENDING, _("Hold")),
]
KEEP = _("Keep")
ACTION_VERB = {
    Status.APPROVED: _("Approved"),
    Status.REJECTED: _("Rejected"),
    Status.SPAM: _("Marked as spam"),
    Status.PENDING: _("Held"),
}
QUEUE_LABELS = [
    ("pending", _("Pending")),
    ("reported", _("Reported")),
    ("approved", _("Approved")),
    ("rejected", _("Rejected")),
    ("spam", _("Spam")),
    ("deleted", _("Deleted by author")),
]


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


# Reactions


@admin.register(ReactionKind)
class ReactionKindAdmin(admin.ModelAdmin):
    list_display = ["key", "emoji", "label", "position", "enabled", "reactions"]
    list_display_links = ["key"]
    list_editable = ["emoji", "label", "position", "enabled"]
    list_filter = ["enabled"]

    def get_queryset(self, request):
        totals = (
            ReactionTally.objects.filter(kind=OuterRef("key"))
            .values("kind")
            .annotate(total=Sum("count"))
            .values("total")
        )
        return super().get_queryset(request).annotate(total=Subquery(totals))

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        # Narrow inputs keep the whole editable list on one screen.
        sizes = {"emoji": 4, "label": 16, "position": 3}
        if db_field.name in sizes:
            kwargs["widget"] = forms.TextInput(attrs={"size": sizes[db_field.name]})
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        # Counts hang on the key: renaming it would orphan every reaction already made.
        return ["key"] if obj else []

    # Every story page shows the bar: a changed or removed kind changes them all.

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        Article.objects.mark_changed()

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        Article.objects.mark_changed()

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        Article.objects.mark_changed()

    @admin.display(description=_("reactions"), ordering="total")
    def reactions(self, obj):
        return obj.total or 0


def timeline_chart(buckets, *, unit, width=640, height=200):
    """Lay out a bar chart of (start, count) buckets as SVG coordinates."""
    left, right, top, bottom = 40, 8, 12, 28
    plot_w, plot_h = width - left - right, height - top - bottom
    peak = max((count for _start, count in buckets), default=0) or 1
    slot = plot_w / max(len(buckets), 1)
    label_format = "H:i" if unit == "hour" else "j M"
    every = max(1, len(buckets) // 6)
    bars, ticks = [], []
    for index, (start, count) in enumerate(buckets):
        bar_h = plot_h * count / peak
        x = left + index * slot
        when = formats.date_format(start, "j M H:i" if unit == "hour" else "j M Y")
        bars.append(
            {
                "x": round(x + slot * 0.1, 1),
                "y": round(top + plot_h - bar_h, 1),
                "width": round(max(slot * 0.8, 1), 1),
                "height": round(bar_h, 1),
                "title": f"{when}: {count}",
            }
        )
        if index % every == 0:
            ticks.append(
                {"x": round(x + slot / 2, 1), "label": formats.date_format(start, label_format)}
            )
    return {
        "width": width,
        "height": height,
        "left": left,
        "top": top,
        "base": top + plot_h,
        "right": width - right,
        "label_y": height - 8,
        "peak": peak,
        "bars": bars,
        "ticks": ticks,
    }


def reaction_summary(article):
    """Render an editor's view of a story's reactions: totals, shares and a timeline chart."""
    unit, buckets = reaction_timeline(article)
    html = render_to_string(
        "comments/admin_reaction_summary.html",
        {
            "bar": reaction_bar(article),
            "unit": unit,
            "buckets": buckets,
            "chart": timeline_chart(buckets, unit=unit),
            "reactions_open": article.reactions_open,
        },
    )
    # The admin turns newlines in read-only fields into <br>, which would break out of the SVG.
    return mark_safe(" ".join(html.splitlines()))  # noqa: S308 - autoescaped template output
