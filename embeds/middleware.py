from urllib.parse import urlsplit

from django.core.exceptions import DisallowedHost

EMBED_PREFIX = "/embed/"


def in_frame(request):
    """Return whether the request comes from our frame on another site.

    The frame's own pages live under /embed/; what the frame's script sends (reactions, comments,
    likes, reports) goes to the ordinary addresses, with the frame's address as its Referer (our
    Referrer-Policy sends the whole URL to our own origin), unless they open a page of ours in a
    tab of its own.
    """
    if request.path_info.startswith(EMBED_PREFIX):
        return True
    if request.META.get("HTTP_SEC_FETCH_MODE") == "navigate":
        return False  # our own page, opened from the frame in a tab of its own
    referer = urlsplit(request.META.get("HTTP_REFERER", ""))
    if not referer.path.startswith(request.META.get("SCRIPT_NAME", "").rstrip("/") + EMBED_PREFIX):
        return False
    try:
        return referer.netloc == request.get_host()
    except DisallowedHost:
        return False


class FrameCookieMiddleware:
    """Make every cookie set for our frame on another site a partitioned one (CHIPS).

    In a frame on another site our cookies are third-party: a `SameSite=Lax` cookie is neither
    set nor sent there, and browsers that block third-party cookies drop unpartitioned ones. A
    cookie set `SameSite=None; Secure; Partitioned` is kept in a jar of its own for each top-level
    site, so the frame keeps its reader (guest cookie, session, CSRF token) on that site alone and
    nobody can follow them from site to site. docs/architecture.md says why this and not a token.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.cookies and in_frame(request):
            for morsel in response.cookies.values():
                partition(morsel)
        return response


def partition(morsel):
    """Mark a cookie `Secure; SameSite=None; Partitioned`.

    Python 3.11's cookie Morsel knows no `Partitioned` attribute (3.14 adds it); it writes the
    SameSite value as given, so the flag rides after it.
    """
    morsel["secure"] = True
    morsel["samesite"] = "None; Partitioned"
    return morsel
