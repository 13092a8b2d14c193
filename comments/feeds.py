from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _

from articles.models import Article

from .mentions import mentions_by_thread, mentions_of

FEED_SIZE = 50


class StoryCommentsFeed(Feed):
    """The newest visible comments of one story, as Atom. Authors by name only, never email."""

    feed_type = Atom1Feed

    def get_object(self, request, slug):
        return get_object_or_404(Article.objects.published(), slug=slug)

    def title(self, article):
        return _("Comments on “%(headline)s”") % {"headline": article.headline}

    def subtitle(self, article):
        return article.standfirst or article.caption

    def link(self, article):
        return f"{article.get_absolute_url()}#comments"

    def items(self, article):
        items = list(
            article.comments.live()
            .select_related("article")
            .only(
                "author_name",
                "body",
                "markup",
                "created_at",
                "edited_at",
                "thread_id",
                "article__slug",
                "article__headline",
            )
            .order_by("-created_at", "-id")[:FEED_SIZE]
        )
        # Mentions are linked as on the story page: their threads' people read in one query.
        self.mentions = mentions_by_thread([c for c in items if "@" in c.body])
        return items

    def item_title(self, comment):
        return _("%(name)s on “%(headline)s”") % {
            "name": comment.author_name,
            "headline": comment.article.headline,
        }

    def item_description(self, comment):
        return comment.body_html(mentions_of(comment, self.mentions))

    def item_link(self, comment):
        return comment.get_absolute_url()

    def item_author_name(self, comment):
        return comment.author_name

    def item_pubdate(self, comment):
        return comment.created_at

    def item_updateddate(self, comment):
        return comment.edited_at or comment.created_at
