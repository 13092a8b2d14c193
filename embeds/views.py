import functools
from urllib.parse import urlencode

from django.contrib.auth.views import LoginView
from django.contrib.staticfiles import finders
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET

from accounts.forms import LoginForm
from articles.models import Article
from articles.views import ArticleDetailView
from comments.readers import client_ip
from comments.threads import parse_sort
from comments.views import account_form_limited

from . import services
from .models import allowed_origins


def framed(view):
    """Let the active embedding sites, and only them, show the view's pages in a frame."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        response.xframe_options_exempt = True
        response["Content-Security-Policy"] = services.frame_policy()
        return response

    return wrapped


class FrameView(ArticleDetailView):
    """The story's conversation without our site around it: the story page's own view, cache
    and templates, drawn with the frame's template (its cache key is its own path)."""

    template_name = "embeds/frame.html"


frame = framed(FrameView.as_view())


def _frame_url(slug, sort=None):
    url = reverse("embeds:frame", kwargs={"slug": slug})
    return f"{url}?{urlencode({'sort': sort})}" if sort else url


@framed
@require_GET
def page(request):
    """Show the conversation of an embedding site's page, by its URL; make it on first asking."""
    params = request.GET
    try:
        article = services.page_story(
            url=params.get("url", ""),
            title=params.get("title", ""),
            expires=params.get("exp", ""),
            signature=params.get("sig", ""),
            ip=client_ip(request),
            referer=request.META.get("HTTP_REFERER", ""),
        )
    except services.EmbedRefused as refused:
        response = render(
            request, "embeds/refused.html", {"message": refused.message}, status=refused.status
        )
        if refused.retry_after:
            response["Retry-After"] = str(refused.retry_after)
        return response
    if params.get("open") == "story":  # the snippet's link, for a reader without JavaScript
        return redirect(f"{article.get_absolute_url()}#comments")
    sort = params.get("sort")
    return redirect(_frame_url(article.slug, parse_sort(sort) if sort else None))


class FrameLoginView(LoginView):
    """Sign in inside the frame: the session cookie is the frame's own (partitioned)."""

    authentication_form = LoginForm
    template_name = "embeds/login.html"
    redirect_authenticated_user = False

    def get_default_redirect_url(self):
        return reverse("embeds:frame", kwargs={"slug": self.kwargs["slug"]})

    def get_redirect_url(self):
        return ""  # always back to the story's frame: no `next` to point elsewhere

    def get(self, request, *args, **kwargs):
        get_object_or_404(Article.objects.published(), slug=kwargs["slug"])
        return super().get(request, *args, **kwargs)


login = framed(account_form_limited("login", FrameLoginView.as_view()))


@require_GET
def counts(request):
    """Answer {"counts": {key: n}} for the slugs and page URLs in `k`, for a listing page.

    The only address an embedding site's own pages may read across origins (CORS): an active
    site's origin gets its answer, any other origin is refused.
    """
    origin = request.headers.get("Origin")
    allowed = origin is not None and origin in allowed_origins()
    keys = request.GET.getlist("k")
    if origin is not None and not allowed:
        response = JsonResponse({"detail": _("This site may not embed conversations.")}, status=403)
    elif not keys or len(keys) > services.MAX_KEYS:
        message = _("Ask for between 1 and %(n)d stories.") % {"n": services.MAX_KEYS}
        response = JsonResponse({"detail": message}, status=400)
    else:
        counts = {
            key: {"n": n, "label": ngettext("%(n)d comment", "%(n)d comments", n) % {"n": n}}
            for key, n in services.comment_counts(keys).items()
        }
        response = JsonResponse({"counts": counts})
        response["Cache-Control"] = "max-age=30"
    if allowed:
        response["Access-Control-Allow-Origin"] = origin
    patch_vary_headers(response, ["Origin"])
    return response


@functools.cache
def _script(name):
    with open(finders.find(f"embeds/{name}"), "rb") as file:
        return file.read()


def script(name):
    """Serve one of the embedding scripts at a stable address, for the snippet to point at."""

    @require_GET
    def view(request):
        response = HttpResponse(_script(name), content_type="text/javascript; charset=utf-8")
        response["Cache-Control"] = "public, max-age=3600"
        return response

    return view
