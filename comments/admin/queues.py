"""The comment queues: list, filters, one-click decisions, bans from a comment, the dashboard."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, Exists, F, OuterRef, Q, Subquery
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.defaultfilters import linebreaksbr
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import formats, timezone
from django.utils.html import format_html, format_html_join
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from .. import dashboard, moderation
from ..forms import BanForm
from ..models import Comment, CommentReport, ReaderProfile
from .in_place import InPlaceMixin
from .readers import DeskMedia, reader_panel_context
from .review import ReviewMixin

Status = Comment.Status


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
        if queue == "pending":
            return queryset.in_moderation()
        if queue in Status.values:
            return queryset.filter(status=queue)
        return queryset


class WaitingStoryFilter(admin.SimpleListFilter):
    """Stories with comments waiting, the busiest first."""

    title = _("story (waiting comments)")
    parameter_name = "article"
    limit = 20

    def lookups(self, request, model_admin):
        busiest = (
            Comment.objects.in_moderation()
            .values("article", "article__headline")
            .annotate(n=Count("pk"))
            .order_by("-n", "article")[: self.limit]
        )
        return [
            (str(row["article"]), f"{Truncator(row['article__headline']).chars(50)} ({row['n']})")
            for row in busiest
        ]

    def queryset(self, request, queryset):
        value = self.value()
        if value and value.isdigit():
            return queryset.filter(article_id=value)
        return queryset


class ClassifierScoreFilter(admin.SimpleListFilter):
    """The classifier's score in bands: the likeliest trouble first."""

    title = _("classifier score")
    parameter_name = "score"
    bands = {
        "high": Q(classifier_score__gte=0.9),
        "medium": Q(classifier_score__gte=0.7, classifier_score__lt=0.9),
        "low": Q(classifier_score__lt=0.7),
        "none": Q(classifier_score__isnull=True),
    }

    def lookups(self, request, model_admin):
        return [
            ("high", _("0.9 and above")),
            ("medium", _("0.7 to 0.9")),
            ("low", _("below 0.7")),
            ("none", _("no score")),
        ]

    def queryset(self, request, queryset):
        band = self.bands.get(self.value())
        return queryset if band is None else queryset.filter(band)


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


def expected_status(request):
    """The status the moderator saw when they clicked, if the button sent one."""
    seen = request.GET.get("expected", "")
    return seen if seen in Status.values else None


class ModerateMixin:
    def has_moderate_permission(self, request):
        return request.user.has_perm("comments.moderate_comment")


@admin.register(Comment)
class CommentAdmin(ReviewMixin, InPlaceMixin, ModerateMixin, admin.ModelAdmin):
    list_display = [
        "comment_summary",
        "status_badge",
        "decision",
        "classifier_score_display",
        "report_count",
        "quick_actions",
    ]
    list_display_links = ["comment_summary"]
    list_filter = [
        QueueFilter,
        WaitingStoryFilter,
        ClassifierScoreFilter,
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
                    "classifier_score_display",
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
        "classifier_score_display",
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
        # Work queues put the urgent first (Comment.objects.by_priority); archives newest first.
        if request.GET.get("queue", QueueFilter.default) in {"pending", "reported"}:
            return Comment.objects.priority_ordering()
        return ["-created_at", "-id"]

    def has_add_permission(self, request):
        return False  # Comments come from readers, through the pipeline.

    def get_queryset(self, request):
        open_reports = CommentReport.objects.filter(
            comment=OuterRef("pk"), resolved_at__isnull=True
        )
        notes = ReaderProfile.objects.filter(reader_key=OuterRef("reader_key")).values("notes")
        return (
            super()
            .get_queryset(request)
            .annotate(has_open_reports=Exists(open_reports), reader_notes=Subquery(notes[:1]))
        )

    def changelist_view(self, request, extra_context=None):
        queue = request.GET.get("queue", QueueFilter.default)
        title = _("Comments: %(queue)s") % {
            "queue": dict(QUEUE_LABELS).get(queue, _("all comments")).lower()
        }
        review = {"queue": queue if queue in {"pending", "reported"} else "pending"}
        if request.GET.get("article", "").isdigit():
            review["article"] = request.GET["article"]
        context = {"title": title, "review_query": urlencode(review), **(extra_context or {})}
        return super().changelist_view(request, context)

    # Columns

    @admin.display(description=_("comment"), ordering="created_at")
    def comment_summary(self, obj):
        return format_html(
            '<span class="desk-author">{}{} <span class="desk-when">{}</span></span>'
            '<span class="desk-body">{}</span><span class="desk-story">{} {}</span>{}',
            obj.author_name,
            " ★" if obj.is_featured else "",
            formats.date_format(timezone.localtime(obj.created_at), "SHORT_DATETIME_FORMAT"),
            self._body(obj.body),
            _("on") if obj.parent_id is None else _("replying on"),
            Truncator(obj.article.headline).chars(70),
            self._notes(obj),
        )

    def _notes(self, obj):
        # Annotated by get_queryset: the author's notes cost no query per row.
        notes = getattr(obj, "reader_notes", None)
        if not notes:
            return ""
        return format_html(
            '<span class="desk-notes-line"><strong>{}</strong> {} <a href="{}">{}</a></span>',
            _("Notes:"),
            Truncator(notes).chars(120),
            reverse("admin:comments_readerprofile_for", args=[obj.reader_key]),
            _("all notes"),
        )

    def _body(self, body):
        short = Truncator(body).chars(220)
        if short == body:
            return body
        # The whole text is one click away, without leaving the queue.
        return format_html(
            '{}<details class="desk-more"><summary>{}</summary>{}</details>',
            short,
            _("Show all"),
            body,
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

    # Sorted once: lowest first, no score first; twice: highest first, no score last.
    @admin.display(
        description=_("classifier score"), ordering=F("classifier_score").asc(nulls_first=True)
    )
    def classifier_score_display(self, obj):
        if obj.classifier_score is None and not obj.classifier_labels:
            return "—"
        return format_html(
            '<span class="desk-score">{}</span><span class="desk-when">{}</span>',
            "—" if obj.classifier_score is None else f"{obj.classifier_score:.2f}",
            ", ".join(f"{name} {value:.2f}" for name, value in obj.classifier_top_labels[:3]),
        )

    @admin.display(description=_("moderate"))
    def quick_actions(self, obj):
        # The status the moderator saw travels with the click: a comment decided since is left.
        seen = f"?expected={obj.status}"
        buttons = [
            (status, reverse("admin:comments_comment_moderate", args=[obj.pk, status]) + seen, name)
            for status, name in DECISION_BUTTONS[:2]
            if obj.status != status
        ]
        if getattr(obj, "has_open_reports", False):
            keep = reverse("admin:comments_comment_keep", args=[obj.pk]) + seen
            buttons.append(("keep", keep, KEEP))
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
            *self.review_urls(),
            *self.in_place_urls(),
        ] + super().get_urls()

    def moderate_view(self, request, object_id, status):
        return require_POST(self._moderate_one)(request, object_id, status)

    def _moderate_one(self, request, object_id, status):
        if not self.has_moderate_permission(request) or status not in Status.values:
            return self._denied(request)
        comment = get_object_or_404(Comment, pk=object_id)
        try:
            moderation.comment_moderate(
                comments=Comment.objects.filter(pk=comment.pk),
                status=status,
                actor=request.user,
                expected_status=expected_status(request),
            )
        except moderation.AlreadyDecided as decided:
            return self._already_decided(request, decided)
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
        try:
            kept = moderation.comment_keep(
                comments=Comment.objects.filter(pk=comment.pk),
                actor=request.user,
                expected_status=expected_status(request),
            )
        except moderation.AlreadyDecided as decided:
            return self._already_decided(request, decided)
        if kept:
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

    def _already_decided(self, request, decided):
        self.message_user(request, str(decided), messages.WARNING)
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
            "series": [(dashboard.SERIES_LABELS[key], colour) for key, colour in dashboard.SERIES],
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
