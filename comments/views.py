from django.contrib.auth import login
from django.contrib.auth.forms import UserCreationForm
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from articles.models import Article

from .reactions import ReactionRefused, reaction_bar, reaction_message, reaction_set
from .readers import get_reader


def signup(request):
    """Create a reader account and sign the reader in."""
    next_url = request.POST.get("next") or request.GET.get("next") or "/"
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()):
        next_url = "/"
    form = UserCreationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        return redirect(next_url)
    return render(request, "registration/signup.html", {"form": form, "next": next_url})


# The reaction bar


def wants_json(request):
    """Whether the caller (the bar's script) asked for JSON rather than a page."""
    return request.get_preferred_type(["text/html", "application/json"]) == "application/json"


@require_POST
def react(request, slug):
    """Toggle the reader's reaction; redirect back to the bar, or answer JSON for the script."""
    article = get_object_or_404(Article.objects.published(), slug=slug)
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
