from django.http import HttpResponse
from django.urls import path

from newsroom.urls import urlpatterns as newsroom_urlpatterns


def trivial(request):
    """Answer with a few bytes: the fastest any Django view behind this stack can be."""
    return HttpResponse("ok\n", content_type="text/plain; charset=utf-8")


# As many bytes as the 200-comment story page: shows what the size alone costs under the server.
LARGE_BODY = b"<p>" + b"x" * (110 * 1024 - 8) + b"</p>\n"


def trivial_large(request):
    """Answer with a fixed 110 KiB page and nothing else to do: the trivial view, page-sized."""
    return HttpResponse(LARGE_BODY)


urlpatterns = [
    path("bench/trivial/", trivial, name="bench-trivial"),
    path("bench/trivial-large/", trivial_large, name="bench-trivial-large"),
    *newsroom_urlpatterns,
]
