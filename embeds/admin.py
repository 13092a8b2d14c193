from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from articles.models import Article

from . import services, snippets
from .models import EmbeddedPage, EmbedSite


class SnippetsAdmin(admin.ModelAdmin):
    """Shows snippets that point at the address the editor reached the admin by."""

    def changeform_view(self, request, *args, **kwargs):
        with snippets.serving(request):
            response = super().changeform_view(request, *args, **kwargs)
            if hasattr(response, "render"):
                response.render()  # here, while the snippets know the address
        return response


@admin.register(EmbedSite)
class EmbedSiteAdmin(SnippetsAdmin):
    list_display = ["name", "origin_summary", "active", "auto_create_stories", "signed"]
    list_filter = ["active", "auto_create_stories"]
    search_fields = ["name", "origins"]
    readonly_fields = ["snippet"]
    fields = ["name", "origins", "active", "auto_create_stories", "secret", "snippet"]

    @admin.display(description=gettext_lazy("origins"))
    def origin_summary(self, obj):
        return ", ".join(obj.origin_list)

    @admin.display(description=gettext_lazy("signed"), boolean=True)
    def signed(self, obj):
        return obj.is_signed

    @admin.display(description=gettext_lazy("Snippet for this site's pages"))
    def snippet(self, obj):
        return snippets.site_snippet(obj) if obj.pk else _("Save the site to see its snippet.")


@admin.register(EmbeddedPage)
class EmbeddedPageAdmin(admin.ModelAdmin):
    list_display = ["url", "article", "site", "created_at"]
    list_filter = ["site"]
    list_select_related = ["article", "site"]
    search_fields = ["url", "article__headline"]
    readonly_fields = ["url", "site", "article", "created_at"]

    def has_add_permission(self, request):
        return False  # pages are made by their first embed; a page moves with its story's merge


class EmbeddedSiteFilter(admin.SimpleListFilter):
    """Stories made for embedding sites' pages: any site's, or one site's."""

    title = gettext_lazy("embedded page of")
    parameter_name = "embedded_site"

    def lookups(self, request, model_admin):
        sites = EmbedSite.objects.values_list("pk", "name")
        return [("any", _("Any site")), *((str(pk), name) for pk, name in sites)]

    def queryset(self, request, queryset):
        value = self.value() or ""
        if value == "any":
            return queryset.filter(embedded_pages__isnull=False).distinct()
        if value.isdigit() and len(value) < 19:
            return queryset.filter(embedded_pages__site_id=int(value)).distinct()
        return queryset


class MergeForm(forms.Form):
    target = forms.ModelChoiceField(
        queryset=Article.objects.all(),
        label=gettext_lazy("Move the conversation into"),
        help_text=gettext_lazy(
            "Comments, replies, likes, reports and reactions move into this story, and the "
            "embedded pages show it from now on. The stories moved from are closed."
        ),
    )


@admin.action(
    description=gettext_lazy("Move the conversation into another story"), permissions=["change"]
)
def merge_conversations(modeladmin, request, queryset):
    """Ask which story to move the selected stories' conversations into; then move them."""
    form = MergeForm(request.POST if "apply" in request.POST else None)
    if form.is_bound and form.is_valid():
        target = form.cleaned_data["target"]
        comments = reactions = stories = 0
        for source in queryset.exclude(pk=target.pk):
            moved, reacted = services.story_merge(source=source, target=target)
            comments, reactions, stories = comments + moved, reactions + reacted, stories + 1
        modeladmin.message_user(
            request,
            ngettext(
                "Moved the conversation of %(stories)d story into “%(target)s”: "
                "%(comments)d comments, %(reactions)d reactions.",
                "Moved the conversations of %(stories)d stories into “%(target)s”: "
                "%(comments)d comments, %(reactions)d reactions.",
                stories,
            )
            % {"stories": stories, "target": target, "comments": comments, "reactions": reactions},
            messages.SUCCESS,
        )
        return None
    return TemplateResponse(
        request,
        "admin/embeds/merge.html",
        {
            **modeladmin.admin_site.each_context(request),
            "title": _("Move conversations"),
            "form": form,
            "stories": queryset,
            "opts": modeladmin.model._meta,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        },
    )
