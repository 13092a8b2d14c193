import json

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from comments.models import Comment
from comments.readers import guest_key_from_cookie
from comments.views import account_form_limited
from notifications.mail import BadLink

from . import mail, services
from .forms import (
    AccountDeleteForm,
    DisplayNameForm,
    EmailChangeForm,
    ExportRequestForm,
    SignupForm,
)
from .models import Account

BACKEND = "accounts.backends.UsernameOrEmailBackend"


def _next_url(request):
    next_url = request.POST.get("next") or request.GET.get("next") or "/"
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()):
        return "/"
    return next_url


def _signup(request):
    """Create a reader account, sign the reader in and mail the link that confirms the address."""
    next_url = _next_url(request)
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        services.account_signup(user=user)
        login(request, user, backend=BACKEND)
        messages.success(
            request,
            _(
                "Welcome! We sent a link to %(email)s: follow it to confirm your address, "
                "then you can post comments."
            )
            % {"email": user.email},
        )
        return redirect(next_url)
    return render(request, "registration/signup.html", {"form": form, "next": next_url})


signup = account_form_limited("signup", _signup)


@require_http_methods(["GET", "POST"])
def confirm_email(request, token):
    """Show a button (mail scanners follow links), and confirm the address when it is pressed."""
    try:
        user, email = mail.confirmation_for(token)
    except BadLink:
        return TemplateResponse(
            request, "accounts/confirm_email.html", {"bad_link": True}, status=400
        )
    context = {"email": email}
    if request.method == "POST":
        try:
            services.email_confirm(user=user, email=email)
        except services.EmailNotConfirmed:
            return TemplateResponse(
                request, "accounts/confirm_email.html", {"bad_link": True}, status=400
            )
        context["confirmed"] = True
    return TemplateResponse(request, "accounts/confirm_email.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def confirmation_resend(request):
    if request.method == "POST":
        email = services.confirmation_resend(user=request.user)
        if email:
            messages.success(request, _("We sent a new link to %(email)s.") % {"email": email})
        else:
            messages.info(request, _("Your email address is already confirmed."))
        return redirect("accounts:profile")
    return TemplateResponse(request, "accounts/resend.html", {})


resend = account_form_limited("confirmation_resend", confirmation_resend)


def _my_comments(user):
    comments = (
        Comment.objects.filter(Q(reader_key=f"u:{user.pk}") | Q(user=user))
        .select_related("article")
        .order_by("-created_at", "-pk")
    )
    return [(comment, services.reason_for_author(comment)) for comment in comments]


@login_required
@require_http_methods(["GET", "POST"])
def profile(request):
    user = request.user
    name_form = DisplayNameForm(initial={"display_name": user.first_name})
    email_form = EmailChangeForm(user=user)
    action = request.POST.get("action")
    if action == "name":
        name_form = DisplayNameForm(request.POST)
        if name_form.is_valid():
            user.first_name = name_form.cleaned_data["display_name"]
            user.last_name = ""
            user.save(update_fields=["first_name", "last_name"])
            messages.success(request, _("Your display name is saved."))
            return redirect("accounts:profile")
    elif action == "email":
        email_form = EmailChangeForm(request.POST, user=user)
        if email_form.is_valid():
            email = email_form.cleaned_data["email"]
            services.email_change_request(user=user, email=email)
            messages.success(
                request,
                _(
                    "We sent a link to %(email)s. Your address changes when you follow it; "
                    "until then we keep using the old one."
                )
                % {"email": email},
            )
            return redirect("accounts:profile")
    context = {
        "account": Account.objects.filter(user=user).first(),
        "name_form": name_form,
        "email_form": email_form,
        "my_comments": _my_comments(user),
    }
    status = 400 if request.method == "POST" else 200
    return TemplateResponse(request, "accounts/profile.html", context, status=status)


profile_view = account_form_limited("profile", profile)


def _download(data, name):
    response = HttpResponse(
        json.dumps(data, indent=2, ensure_ascii=False), content_type="application/json"
    )
    stamp = timezone.now().strftime("%Y-%m-%d")
    response["Content-Disposition"] = f'attachment; filename="newsroom-{name}-{stamp}.json"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
def account_export(request):
    return _download(services.reader_export(user=request.user), "account")


@login_required
@require_http_methods(["GET", "POST"])
def account_delete(request):
    form = AccountDeleteForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        keep = form.cleaned_data["comments"] == AccountDeleteForm.KEEP
        services.account_delete(user=request.user, keep_comments=keep)
        logout(request)
        messages.success(request, _("Your account is deleted. Thank you for reading with us."))
        return redirect("accounts:privacy")
    status = 400 if request.method == "POST" else 200
    return TemplateResponse(request, "accounts/delete.html", {"form": form}, status=status)


delete = account_form_limited("account_delete", account_delete)


def _privacy_page(request, form, status=200):
    context = {
        "form": form,
        "has_reader_cookie": bool(guest_key_from_cookie(request)),
        "retention_days": settings.NEWSROOM["RETENTION_DAYS"],
    }
    return TemplateResponse(request, "accounts/privacy.html", context, status=status)


def privacy(request):
    return _privacy_page(request, ExportRequestForm())


@require_POST
def _export_request(request):
    form = ExportRequestForm(request.POST)
    if not form.is_valid():
        return _privacy_page(request, form, status=400)
    services.guest_export_request(email=form.cleaned_data["email"])
    context = {"email": form.cleaned_data["email"], "hours": mail.EXPORT_LINK_HOURS}
    return TemplateResponse(request, "accounts/export_requested.html", context)


export_request = account_form_limited("privacy_export", _export_request)


@require_http_methods(["GET", "POST"])
def guest_export(request, token):
    """Show a button (mail scanners follow links); download the data when it is pressed."""
    try:
        email = mail.export_email_for(token)
    except BadLink:
        return TemplateResponse(
            request, "accounts/guest_export.html", {"bad_link": True}, status=400
        )
    if request.method == "POST":
        return _download(services.reader_export(email=email), "comments")
    return TemplateResponse(request, "accounts/guest_export.html", {"email": email})


@require_POST
def device_export(request):
    """Download what this browser did as a guest (its reader cookie), for guests with no email."""
    reader_key = guest_key_from_cookie(request)
    if not reader_key:
        messages.info(
            request, _("This browser holds no reader identity, so we hold nothing of it.")
        )
        return redirect(reverse("accounts:privacy"))
    return _download(services.reader_export(reader_key=reader_key), "this-browser")
