from django.contrib import admin, messages
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from comments.admin import reaction_summary
from embeds import snippets
from embeds.admin import EmbeddedSiteFilter, SnippetsAdmin, merge_conversations

from .models import Article, ArticleLink, Tag, teasers_changed

# Bulk updates skip save() and its `updated_at`: bump the version cached story pages are keyed on.
CHANGED = {"page_version": F("page_version") + 1}


class ArticleLinkInline(admin.TabularInline):
    model = ArticleLink
    extra = 1
    fields = ["kind", "title", "url", "position"]


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ["name"]
    search_fields = ["name"]


@admin.register(Article)
class ArticleAdmin(SnippetsAdmin):
    list_display = ["headline", "status", "published_at", "comments_enabled", "moderation_mode"]
    list_filter = [
        "status",
        "comments_enabled",
        "moderation_mode",
        "reactions_enabled",
        "published_at",
        EmbeddedSiteFilter,
    ]
    search_fields = ["headline", "caption", "body", "byline"]
    prepopulated_fields = {"slug": ["headline"]}
    date_hierarchy = "published_at"
    inlines = [ArticleLinkInline]
    autocomplete_fields = ["tags"]
    readonly_fields = ["reactions", "embed_snippet"]
    actions = ["publish_now", "unpublish", "close_comments", "open_comments", merge_conversations]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "headline",
                    "slug",
                    "standfirst",
                    "byline",
                    "body",
                    "reaction_prompt",
                    "tags",
                ]
            },
        ),
        (
            _("Media"),
            {"fields": ["caption", "image_url", "image_alt", "video_url", "video_credit"]},
        ),
        (_("Publishing"), {"fields": ["status", "published_at"]}),
        (
            _("Reader participation"),
            {
                "fields": [
                    "comments_enabled",
                    "comments_close_after_days",
                    "moderation_mode",
                    "reactions_enabled",
                ]
            },
        ),
        (_("Reactions"), {"fields": ["reactions"]}),
        (_("Embed on another site"), {"fields": ["embed_snippet"]}),
    ]

    # What a teaser on another story links to (Article.teasers) may have changed.
    TEASER_FIELDS = {"headline", "slug", "status", "published_at"}

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if not change or self.TEASER_FIELDS & set(form.changed_data):
            teasers_changed()

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        teasers_changed()

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        teasers_changed()

    @admin.display(description=_("What readers think"))
    def reactions(self, obj):
        return reaction_summary(obj) if obj.pk else "—"

    @admin.display(description=_("Snippet"))
    def embed_snippet(self, obj):
        return snippets.story_snippet(obj) if obj.pk else "—"

    @admin.action(description=_("Publish selected stories now"), permissions=["publish"])
    def publish_now(self, request, queryset):
        count = queryset.exclude(status=Article.Status.PUBLISHED).update(
            status=Article.Status.PUBLISHED, published_at=timezone.now(), **CHANGED
        )
        teasers_changed()
        self.message_user(
            request,
            ngettext("Published %d story.", "Published %d stories.", count) % count,
            messages.SUCCESS,
        )

    @admin.action(description=_("Unpublish selected stories"), permissions=["publish"])
    def unpublish(self, request, queryset):
        count = queryset.filter(status=Article.Status.PUBLISHED).update(
            status=Article.Status.DRAFT, **CHANGED
        )
        teasers_changed()
        self.message_user(
            request,
            ngettext("Unpublished %d story.", "Unpublished %d stories.", count) % count,
            messages.SUCCESS,
        )

    @admin.action(description=_("Close comments on selected stories"), permissions=["change"])
    def close_comments(self, request, queryset):
        count = queryset.update(comments_enabled=False, **CHANGED)
        self.message_user(
            request, ngettext("Closed %d story.", "Closed %d stories.", count) % count
        )

    @admin.action(description=_("Reopen comments on selected stories"), permissions=["change"])
    def open_comments(self, request, queryset):
        count = queryset.update(comments_enabled=True, **CHANGED)
        self.message_user(
            request, ngettext("Reopened %d story.", "Reopened %d stories.", count) % count
        )

    def has_publish_permission(self, request):
        return request.user.has_perm("articles.change_article")
