import functools

from django.contrib import messages
from django.contrib.auth.views import LoginView, PasswordResetView
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from accounts.forms import LoginForm
from articles.models import Article, published_story
from articles.views import ArticleDetailView

from . import ratelimits, services, tokens
from .forms import (
    CommentEditForm,
    CommentForm,
    CommentReportForm,
    add_service_errors,
)
from .models import Comment
from .moderation import CommentRefused
from .reactions import ReactionRefused, reaction_bar, reaction_message, reaction_set
from .readers import client_ip, get_reader
from .story import new_comment_form, request_reader_key, story_context
from .threads import thread_page
from .tokens import make_token

# Forms that mail the address typed into them: limited per address too.
EMAIL_LIMITED_FORMS = {"password_reset", "privacy_export"}


def account_form_limited(group, view):
    """Answer 429 to posts of an account form past its rate limits; let the rest through."""

    @functools.wraps(view)
    def limited(request, *args, **kwargs):
        if request.method == "POST":
            email = request.POST.get("email", "") if group in EMAIL_LIMITED_FORMS else ""
            try:
                ratelimits.enforce_account_form(group=group, ip=client_ip(request), email=email)
            except ratelimits.RateLimited as stopped:
                response = render(request, "registration/rate_limited.html", status=429)
                response["Retry-After"] = str(stopped.retry_after)
                return response
        return view(request, *args, **kwargs)

    return limited


login_view = account_form_limited("login", LoginView.as_view(authentication_form=LoginForm))
password_reset_view = account_form_limited("password_reset", PasswordResetView.as_view())


# Reader comments. Every action works as a plain form post with a redirect; the script sends
# `X-Requested-With: fetch` and gets JSON (writes) or an HTML fragment (reads) instead.


def is_fetch(request):
    return request.headers.get("X-Requested-With") == "fetch"


def _story_or_404(slug):
    """Return the published story a reader writes to (the lookup compiled once), or raise 404."""
    article = published_story.first(slug, timezone.now())
    if article is None:
        raise Http404(_("No such story."))
    return article


def _published_comment(request, pk):
    """Return a comment the reader may see on a published story, or raise 404."""
    return get_object_or_404(
        Comment.objects.visible_to(request_reader_key(request)).select_related("article"),
        pk=pk,
        article__in=Article.objects.published(),
    )


def _render_story(request, article, form, status):
    view = ArticleDetailView()
    view.setup(request, slug=article.slug)
    view.object = article
    context = view.get_context_data(object=article, comment_form=form)
    return TemplateResponse(request, view.template_name, context, status=status)


def _node_context(request, article):
    return {
        "article": article,
        "comments_open": article.comments_open,
        "can_see_deleted": request.user.is_staff,
    }


def _thread_payload(request, comment):
    """Return the JSON a script needs to redraw the comment's thread and the count."""
    article = comment.article
    root = comment.thread_id or comment.pk
    page = thread_page(article, reader_key=request_reader_key(request), thread=root)
    html = ""
    if page.threads:
        html = render_to_string(
            "comments/_node.html",
            {"threads": page.threads[:1], **_node_context(request, article)},
            request=request,
        )
    return {
        "comment_id": comment.pk,
        "thread_id": root,
        "thread_html": html,
        "count": article.comments.live().count(),
        "url": comment.get_absolute_url(),
    }


def _refused(form, refused):
    form.add_error(None, refused.message)
    return refused.status


def _form_failed(request, form, status, template, context, *, retry_after=None):
    """Answer a form that did not go through, keeping everything the reader typed."""
    if is_fetch(request):
        errors = form.errors.get_json_data()
        messages_ = [error["message"] for field in errors.values() for error in field]
        response = JsonResponse(
            {
                "ok": False,
                "message": " ".join(messages_),
                "errors": errors,
                "form_html": render_to_string(
                    template, {**context, "form": form, "fragment": True}, request=request
                ),
            },
            status=status,
        )
    else:
        response = TemplateResponse(request, template, {**context, "form": form}, status=status)
    if retry_after:
        response["Retry-After"] = str(retry_after)
    return response


def _done(request, message, *, redirect_to, payload=None, status=200):
    """Answer a write that went through; `payload()` (JSON for the script) runs only if asked."""
    if is_fetch(request):
        extra = payload() if payload else {}
        return JsonResponse({"ok": True, "message": str(message), **extra}, status=status)
    messages.success(request, message)
    return redirect(redirect_to)


def _posted_message(comment):
    if comment.status == Comment.Status.PENDING:
        return _(
            "Thanks! Your comment is awaiting moderation. Only you can see it until an editor "
            "approves it."
        )
    return _("Thanks! Your comment is published.")


def _token_kept(refused):
    """Whether a refused post left its form token unspent, so the form can offer it again.

    Fields are checked before the pipeline, so a form with mistakes never spends its token, and
    a too-fast post is refused before it is spent. Offering that same token again keeps the time
    the reader already spent on the page: a fresh one would start the anti-spam minimum again and
    greet their corrected comment with "That was quick!".
    """
    cause = refused.__cause__
    return isinstance(cause, tokens.Rejected) and cause.reason == tokens.Rejected.TOO_FAST


def _submit(request, article, *, parent=None):
    """Bind, validate and post a comment or reply through the one write path."""
    reader = get_reader(request)
    prefix_id = f"reply-{parent.pk}-%s" if parent else "id_%s"
    form = CommentForm(
        request.POST,
        article=article,
        browser=tokens.issuing_browser(request),
        reader_is_guest=reader.is_guest,
        auto_id=prefix_id,
    )
    status, retry_after, token_spent = 400, None, False
    if form.is_valid():
        data = form.cleaned_data
        try:
            comment = services.comment_submit(
                article=article,
                reader=reader,
                body=data["body"],
                author_name=data.get("author_name", ""),
                author_email=data.get("author_email", ""),
                parent=parent,
                user_agent=request.headers.get("User-Agent", ""),
                token=tokens.Presented.form(request, data["ts"]),
                notify_replies=data.get("notify_replies", False),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        except CommentRefused as refused:
            status, retry_after = _refused(form, refused), refused.retry_after
            token_spent = not _token_kept(refused)
        else:
            return _done(
                request,
                _posted_message(comment),
                redirect_to=comment.get_absolute_url(),
                # The form's token is spent: the script puts this one in for the next comment.
                payload=lambda: {
                    **_thread_payload(request, comment),
                    "ts": make_token(article, browser=form.browser),
                },
                status=201,
            )
    if token_spent:
        form.renew_token()
    if parent is None and not is_fetch(request):
        response = _render_story(request, article, form, status)
        if retry_after:
            response["Retry-After"] = str(retry_after)
        return response
    template = "comments/reply.html" if parent else "comments/_comment_form.html"
    context = {"article": article, "parent": parent, **_node_context(request, article)}
    return _form_failed(request, form, status, template, context, retry_after=retry_after)


@require_POST
def comment_post(request, slug):
    article = _story_or_404(slug)
    return _submit(request, article)


def comment_list(request, slug):
    """A page of threads: an HTML fragment for the script, the story page for everyone else."""
    if request.method == "POST":
        return _submit(request, _story_or_404(slug))
    article = get_object_or_404(Article.objects.published(), slug=slug)
    if not is_fetch(request):
        query = request.GET.urlencode()
        return redirect(f"{article.get_absolute_url()}{'?' + query if query else ''}#comments")
    return TemplateResponse(
        request,
        "comments/_thread_page.html",
        {"article": article, **story_context(request, article)},
    )


def comment_permalink(request, pk):
    return redirect(_published_comment(request, pk).get_absolute_url())


def comment_reply(request, pk):
    parent = _published_comment(request, pk)
    article = parent.article
    if request.method == "POST":
        return _submit(request, article, parent=parent)
    if not article.comments_open:
        messages.error(request, _("Comments are closed on this story."))
        return redirect(parent.get_absolute_url())
    form = new_comment_form(
        request, article, request_reader_key(request), auto_id=f"reply-{parent.pk}-%s"
    )
    template = "comments/_comment_form.html" if is_fetch(request) else "comments/reply.html"
    return TemplateResponse(
        request,
        template,
        {"form": form, "article": article, "parent": parent, **_node_context(request, article)},
    )


def _own_comment(request, pk):
    comment = _published_comment(request, pk)
    if not comment.is_by(request_reader_key(request)):
        raise PermissionDenied(_("You can only change your own comments."))
    return comment


def comment_edit(request, pk):
    comment = _own_comment(request, pk)
    context = {"comment": comment, "article": comment.article}
    form = CommentEditForm(
        request.POST or None, initial={"body": comment.body}, auto_id=f"edit-{pk}-%s"
    )
    status, retry_after = 400, None
    if request.method == "POST" and form.is_valid():
        try:
            services.comment_edit(
                comment=comment, reader=get_reader(request), body=form.cleaned_data["body"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        except CommentRefused as refused:
            status, retry_after = _refused(form, refused), refused.retry_after
        else:
            return _done(
                request,
                _("Your comment has been updated."),
                redirect_to=comment.get_absolute_url(),
                payload=lambda: _thread_payload(request, comment),
            )
    if request.method != "POST":
        if not comment.is_editable():
            messages.error(request, _("This comment can no longer be edited."))
            return redirect(comment.get_absolute_url())
        status = 200
    template = "comments/_edit_form.html" if is_fetch(request) else "comments/edit.html"
    if request.method == "POST":
        return _form_failed(request, form, status, template, context, retry_after=retry_after)
    return TemplateResponse(request, template, {**context, "form": form})


def comment_delete(request, pk):
    comment = _own_comment(request, pk)
    if request.method == "POST":
        services.comment_delete(comment=comment, reader=get_reader(request))
        page = f"{comment.article.get_absolute_url()}#comments"
        return _done(
            request,
            _("Your comment has been deleted."),
            redirect_to=page,
            payload=lambda: _thread_payload(request, comment),
        )
    template = "comments/_delete_form.html" if is_fetch(request) else "comments/delete.html"
    return TemplateResponse(request, template, {"comment": comment, "article": comment.article})


def _back_to(request, comment):
    """Return where a no-script reader came from on the story page, or the permalink."""
    next_url = request.POST.get("next", "")
    story = comment.article.get_absolute_url()
    if next_url.startswith(story) and url_has_allowed_host_and_scheme(
        next_url, {request.get_host()}, request.is_secure()
    ):
        return f"{next_url.split('#')[0]}#c{comment.pk}"
    return comment.get_absolute_url()


@require_POST
def comment_like(request, pk):
    comment = _published_comment(request, pk)
    wanted = {"1": True, "0": False}.get(request.POST.get("liked", ""))
    try:
        liked, count = services.comment_like_toggle(
            comment=comment, reader=get_reader(request), liked=wanted
        )
    except ValidationError as error:
        return _refuse(request, comment, error.messages[0], 400)
    except CommentRefused as refused:
        response = _refuse(request, comment, refused.message, refused.status)
        response["Retry-After"] = str(refused.retry_after or 60)
        return response
    message = _("You like this comment.") if liked else _("You no longer like this comment.")
    if is_fetch(request):
        label = ngettext("%(count)s like", "%(count)s likes", count) % {"count": count}
        return JsonResponse(
            {
                "ok": True,
                "liked": liked,
                "like_count": count,
                "like_label": label,
                "message": message,
            }
        )
    return redirect(_back_to(request, comment))


def _refuse(request, comment, message, status):
    if is_fetch(request):
        return JsonResponse({"ok": False, "message": str(message)}, status=status)
    messages.error(request, message)
    response = redirect(_back_to(request, comment))
    return response


def comment_report(request, pk):
    comment = _published_comment(request, pk)
    context = {"comment": comment, "article": comment.article}
    form = CommentReportForm(request.POST or None, auto_id=f"report-{pk}-%s")
    if request.method == "POST" and form.is_valid():
        try:
            services.comment_report(
                comment=comment,
                reader=get_reader(request),
                reason=form.cleaned_data["reason"],
                text=form.cleaned_data["text"],
            )
        except services.AlreadyReported as error:
            if is_fetch(request):  # the script thanks them at the comment, as for a new report
                return JsonResponse(
                    {"ok": False, "reported": True, "message": error.messages[0]}, status=409
                )
            return _refuse(request, comment, error.messages[0], 409)
        except CommentRefused as refused:
            response = _refuse(request, comment, refused.message, refused.status)
            response["Retry-After"] = str(refused.retry_after or 60)
            return response
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return _done(
                request,
                _("Thanks, a moderator will look at it."),
                redirect_to=comment.get_absolute_url(),
            )
    template = "comments/_report_form.html" if is_fetch(request) else "comments/report.html"
    if request.method == "POST":
        return _form_failed(request, form, 400, template, context)
    return TemplateResponse(request, template, {**context, "form": form})


# The reaction bar


def wants_json(request):
    """Whether the caller (the bar's script) asked for JSON rather than a page."""
    return request.get_preferred_type(["text/html", "application/json"]) == "application/json"


@require_POST
def react(request, slug):
    """Toggle the reader's reaction; redirect back to the bar, or answer JSON for the script."""
    article = _story_or_404(slug)
    reader = get_reader(request)
    try:
        reaction_set(article=article, reader=reader, kind=request.POST.get("kind", ""))
    except ReactionRefused as refused:
        if wants_json(request):
            response = JsonResponse({"error": refused.message}, status=refused.status)
        else:
            response = render(
                request,
                "comments/reaction_refused.html",
                {"article": article, "message": refused.message},
                status=refused.status,
            )
        if refused.retry_after:
            response["Retry-After"] = str(refused.retry_after)
        return response
    if wants_json(request):
        bar = reaction_bar(article, reader.key)
        return JsonResponse(bar.as_dict(message=reaction_message(bar)))
    return redirect(f"{article.get_absolute_url()}#reactions")
