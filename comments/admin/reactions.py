"""Reaction kinds, and the reaction summary on a story's admin page."""

from django import forms
from django.contrib import admin
from django.db.models import OuterRef, Subquery, Sum
from django.template.loader import render_to_string
from django.utils import formats
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from articles.models import Article

from ..models import ReactionKind, ReactionTally
from ..reactions import reaction_bar, reaction_timeline


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
