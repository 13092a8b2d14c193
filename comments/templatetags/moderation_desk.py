from django import template
from django.utils.translation import gettext as _

from comments import dashboard

register = template.Library()


@register.simple_tag
def desk_queues():
    """Queue sizes for the admin index's moderation desk box."""
    return dashboard.queue_sizes()


@register.filter
def desk_duration(delta):
    """Show a wait as the two largest units: "2 d 4 h", "3 h 20 min", "45 s"."""
    seconds = max(0, int(delta.total_seconds()))
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, seconds = divmod(rest, 60)
    parts = [(days, _("d")), (hours, _("h")), (minutes, _("min")), (seconds, _("s"))]
    shown = [f"{value} {unit}" for value, unit in parts if value][:2]
    return " ".join(shown) or f"0 {_('s')}"
