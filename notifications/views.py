from django.contrib.auth.decorators import login_required
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from . import mail, services
from .forms import NoticeSettingsForm
from .models import Subscriber, normalise_email


def _bad_link(request, page):
    context = {"bad_link": True}
    return TemplateResponse(request, f"notifications/{page}.html", context, status=400)


@require_http_methods(["GET", "POST"])
def confirm(request, token):
    """Show a button (mail scanners follow links), and confirm the address when it is pressed."""
    try:
        subscriber = mail.subscriber_to_confirm(token)
    except mail.BadLink:
        return _bad_link(request, "confirm")
    context = {"subscriber": subscriber, "confirmed": request.method == "POST"}
    if request.method == "POST":
        services.confirm(subscriber)
        # The choices, right away; the form posts to the address's own settings page.
        context["form"] = NoticeSettingsForm(instance=subscriber)
        context["settings_url"] = reverse(
            "notifications:settings", args=[mail.settings_token(subscriber)]
        )
    return TemplateResponse(request, "notifications/confirm.html", context)


# Mail clients post the one-click unsubscribe themselves (RFC 8058), with no CSRF token; the
# signed link is the proof, and unsubscribing twice changes nothing.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token):
    try:
        subscriber = mail.subscriber_to_unsubscribe(token)
    except mail.BadLink:
        return _bad_link(request, "unsubscribe")
    if request.method == "POST":
        services.unsubscribe(subscriber)
    context = {"subscriber": subscriber, "unsubscribed": request.method == "POST"}
    return TemplateResponse(request, "notifications/unsubscribe.html", context)


@require_http_methods(["GET", "POST"])
def notice_settings(request, token):
    """The address's choices, reached from the signed link in every notice."""
    try:
        subscriber = mail.subscriber_for_settings(token)
    except mail.BadLink:
        return _bad_link(request, "settings")
    return _settings_page(request, subscriber)


@login_required
@require_http_methods(["GET", "POST"])
def my_notice_settings(request):
    """The same choices for an account, for the address on the account."""
    email = normalise_email(request.user.email)
    subscriber = Subscriber.objects.filter(email=email).first() if email else None
    return _settings_page(request, subscriber)


def _settings_page(request, subscriber):
    context = {"subscriber": subscriber}
    if subscriber is None or not subscriber.is_reachable:
        return TemplateResponse(request, "notifications/settings.html", context)
    form = NoticeSettingsForm(request.POST or None, instance=subscriber)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            form.save()
            context["saved"] = True
        else:
            status = 400
    context["form"] = form
    context["unsubscribe_path"] = reverse(
        "notifications:unsubscribe", args=[mail.unsubscribe_token(subscriber)]
    )
    return TemplateResponse(request, "notifications/settings.html", context, status=status)
