from django.template.response import TemplateResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from . import mail, services


@require_http_methods(["GET", "POST"])
def confirm(request, token):
    """Show a button (mail scanners follow links), and confirm the address when it is pressed."""
    try:
        subscriber = mail.subscriber_to_confirm(token)
    except mail.BadLink:
        return TemplateResponse(
            request, "notifications/confirm.html", {"bad_link": True}, status=400
        )
    if request.method == "POST":
        services.confirm(subscriber)
    context = {"subscriber": subscriber, "confirmed": request.method == "POST"}
    return TemplateResponse(request, "notifications/confirm.html", context)


# Mail clients post the one-click unsubscribe themselves (RFC 8058), with no CSRF token; the
# signed link is the proof, and unsubscribing twice changes nothing.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token):
    try:
        subscriber = mail.subscriber_to_unsubscribe(token)
    except mail.BadLink:
        context = {"bad_link": True}
        return TemplateResponse(request, "notifications/unsubscribe.html", context, status=400)
    if request.method == "POST":
        services.unsubscribe(subscriber)
    context = {"subscriber": subscriber, "unsubscribed": request.method == "POST"}
    return TemplateResponse(request, "notifications/unsubscribe.html", context)
