"""The snippets editors copy into an embedding site's pages, as the admin shows them."""

from contextvars import ContextVar

from django.template.loader import render_to_string
from django.urls import reverse

# The address readers reach us at, as the editor's own request to the admin says it.
_public_origin = ContextVar("embeds_public_origin", default="")


class serving:
    """Within this block, snippets point at the origin `request` came to."""

    def __init__(self, request):
        self.origin = request.build_absolute_uri("/").rstrip("/")

    def __enter__(self):
        self.token = _public_origin.set(self.origin)

    def __exit__(self, *exc):
        _public_origin.reset(self.token)


def _context(**values):
    origin = _public_origin.get()
    return {
        "origin": origin,
        "loader": origin + reverse("embeds:loader"),
        "count_script": origin + reverse("embeds:count_script"),
        **values,
    }


def story_snippet(article):
    """The placeholder and loader that embed `article` by its slug."""
    return render_to_string("embeds/snippet_story.html", _context(article=article))


def site_snippet(site):
    """The placeholder and loader that embed a site's page by its URL, and the count script."""
    return render_to_string("embeds/snippet_site.html", _context(site=site))
