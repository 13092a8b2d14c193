from django import template

from ..models import WebhookEndpoint

register = template.Library()


@register.simple_tag
def disabled_webhooks():
    """Webhook endpoints switched off after repeated failures, for the moderation dashboard."""
    return list(WebhookEndpoint.objects.filter(is_active=False, disabled_at__isnull=False))
