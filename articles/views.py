from django.core.cache import cache
from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from django.views.generic import DetailView, ListView

from comments.models import Comment
from comments.reactions import reaction_bar
from comments.readers import known_reader_key
from comments.story import story_context

from . import live, page_cache, story_page
from .models import Article


class ArticleListView(ListView):
    template_name = "articles/article_list.html"
    context_object_name = "articles"
    paginate_by = 20

    def get_queryset(self):
        return Article.objects.published().annotate(comment_count=Comment.objects.count_for())


class ArticleDetailView(DetailView):
    template_name = "articles/article_detail.html"
    context_object_name = "article"

    def get_queryset(self):
        return Article.objects.published().prefetch_related("links", "tags")

    def get(self, request, *args, **kwargs):
        if not page_cache.serves(request):
            return super().get(request, *args, **kwargs)
        known = not page_cache.is_cacheable(request)
        if known and request.user.is_staff:  # editors see deleted comments' text
            return super().get(request, *args, **kwargs)
        story = page_cache.lookup(kwargs["slug"])
        key = page_cache.cache_key(request, story)
        if key is None:
            return super().get(request, *args, **kwargs)
        entry = page_cache.fetch(key)
        if entry is None or entry.get("reader_parts") is None:
            entry = self.store_shared_page(key, story)
        if known:
            return story_page.respond(request, story, entry)
        return page_cache.respond(request, story, entry, HttpResponse)

    def store_shared_page(self, key, story):
        """Render the page every reader shares, as a reader without identity sees it; cache it."""
        request, self.request = self.request, story_page.without_reader(self.request)
        try:
            self.object = self.get_object()
            html, context = self.render_for_cache()
            plain, reader_parts = story_page.shared_parts(html, context, self.request)
        finally:
            self.request = request
        return page_cache.store(key, plain, story.pk, reader_parts=reader_parts)

    def render_for_cache(self):
        """Render the page for any reader without an identity, with its tokens left blank.

        Return the HTML, its reader regions fenced (articles.story_page), and its context.
        """
        context = self.get_context_data(object=self.object)
        context["csrf_token"] = page_cache.csrf_placeholder()
        context[story_page.SHARED_RENDER] = True
        context["comment_fragments"] = {}
        if (form := context.get("comment_form")) is not None:
            form.fields["ts"].initial = page_cache.timestamp_placeholder()
        return self.render_to_response(context).render().content.decode(), context

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["teasers"] = teasers = self.object.teasers()
        # A story a teaser already links to is not listed twice.
        teased = {teaser.href for teaser in teasers}
        context["more_stories"] = [
            story
            for story in Article.objects.published()
            .exclude(pk=self.object.pk)
            .only("headline", "slug", "caption", "published_at")[:4]
            if story.get_absolute_url() not in teased
        ]
        # Before the comments are read: what is decided after this, the page may not hold.
        context["live"] = live.page_state(self.object)
        if self.object.reactions_open:
            context["reaction_bar"] = reaction_bar(self.object, known_reader_key(self.request))
        context.update(story_context(self.request, self.object, form=kwargs.get("comment_form")))
        return context


@require_safe
def story_live(request, slug):
    """What changed on an open story page since its version: see articles.live."""
    return live.respond(request, slug)


def _database_status():
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as error:  # noqa: BLE001 - any database failure means unhealthy
        return "unreachable", type(error).__name__
    return "ok", None


def _cache_status():
    if hasattr(cache, "ping"):  # it falls back to memory (newsroom/cache.py): ask the store
        return "ok" if cache.ping() else "unreachable"
    try:
        cache.has_key("health")
    except Exception:  # noqa: BLE001 - any cache failure means degraded
        return "unreachable"
    return "ok"


@never_cache
def health(request):
    """Answer whether the app can serve: 503 without its database, "degraded" without its cache.

    A dead cache still answers 200, so a load balancer keeps sending readers: pages then render
    from the database and rate limits count per process.
    """
    database, detail = _database_status()
    cache_status = _cache_status()
    body = {"status": "ok", "database": database, "cache": cache_status}
    if database != "ok":
        return JsonResponse({**body, "status": "error", "detail": detail}, status=503)
    if cache_status != "ok":
        body["status"] = "degraded"
    return JsonResponse(body)
