from django import template
from django.utils.safestring import mark_safe

from comments.formatting import render_comment

register = template.Library()


@register.filter
def comment_html(body):
    """Render a comment body through the allowlist sanitiser."""
    return mark_safe(render_comment(body))  # noqa: S308 - nh3 output is safe by construction


@register.filter
def initial(name):
    """Return the first letter of a name for its avatar."""
    return (name or "?").strip()[:1].upper() or "?"
