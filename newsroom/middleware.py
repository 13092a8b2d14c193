import re

from django.conf import settings
from django.http import HttpResponseBadRequest, HttpResponseNotFound
from django.utils.translation import gettext as _

ADMIN_PREFIX = "/admin/"


class SecurityHeadersMiddleware:
    """Add the Content Security Policy and related headers Django 5.2 does not set itself."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", settings.CONTENT_SECURITY_POLICY)
        response.headers.setdefault(
            "Permissions-Policy", "camera=(), microphone=(), geolocation=()"
        )
        response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        return response


class AdminBadInputMiddleware:
    """Refuse admin requests no editor's click can make, before they reach a filter or a lookup.

    A NUL byte (PostgreSQL refuses it inside a string), a query key or value longer than any
    filter needs, or a number too large for any id column would otherwise be a server error on
    one database and an empty page on another. Each answers 400; an over-large id in the path 404.
    """

    MAX_QUERY_LENGTH = 1000
    MAX_ID = 2**63 - 1
    NUMBER = re.compile(r"[+-]?[0-9]+")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info.startswith(ADMIN_PREFIX):
            refusal = self.refusal(request)
            if refusal is not None:
                return refusal
        return self.get_response(request)

    def refusal(self, request):
        if "\x00" in request.path_info:
            return HttpResponseBadRequest(_("This address is not valid."))
        for segment in request.path_info.split("/"):
            if self.too_large(segment):
                return HttpResponseNotFound(_("There is no such item."))
        for key, values in request.GET.lists():
            for text in (key, *values):
                if (
                    "\x00" in text
                    or len(text) > self.MAX_QUERY_LENGTH
                    or self.too_large(text.strip())
                ):
                    return HttpResponseBadRequest(_("This filter value is not valid."))
        return None

    def too_large(self, text):
        return bool(self.NUMBER.fullmatch(text)) and abs(int(text)) > self.MAX_ID
