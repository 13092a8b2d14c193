from django.http import HttpResponse
from django.urls import path

from newsroom.urls import urlpatterns as newsroom_urlpatterns


def trivial(request):
    """Answer with a few bytes: the fastest any Django view behind this stack can be."""
    return HttpResponse("ok\n", content_type="text/plain; charset=utf-8")


urlpatterns = [path("bench/trivial/", trivial, name="bench-trivial"), *newsroom_urlpatterns]
