"""
`@name` mentions: who in a thread a comment can name, and which of their comments it links to.

A mention is resolved when the comment is rendered, from the thread the page already loaded: it
links to the latest comment that person wrote in the thread before the mentioning one, if that
comment is visible and not deleted. Anyone else's name stays text. Names may hold spaces, so a
mention is the longest name of the thread that follows the "@" and ends at a word boundary.
"""

import unicodedata

from django.db.models import Q

from .models import Comment


def _folded(name):
    return unicodedata.normalize("NFC", name).casefold()


class Mentions:
    """The people of one thread a comment may mention, each with their visible comments."""

    def __init__(self, comments, story_url, *, before=None):
        self.story_url = story_url
        self.before = before
        self.by_name = {}
        for comment in sorted(comments, key=_order):
            if comment.is_visible and not comment.is_deleted and comment.author_name:
                self.by_name.setdefault(_folded(comment.author_name), []).append(comment)
        # Longest first, so "@Ann Lee" is Ann Lee, not Ann, when both wrote.
        self.lengths = sorted({len(name) for name in self.by_name}, reverse=True)

    def for_comment(self, comment):
        """The same people, as the mentions of `comment` see them: only what came before it."""
        seen = Mentions((), self.story_url, before=_order(comment))
        seen.by_name, seen.lengths = self.by_name, self.lengths
        return seen

    def match(self, text, start):
        """Return (end, comment) for the name at text[start:], or None."""
        for length in self.lengths:
            end = start + length
            if end > len(text) or (end < len(text) and _is_word(text[end])):
                continue
            for comment in reversed(self.by_name.get(_folded(text[start:end]), ())):
                if self.before is None or _order(comment) < self.before:
                    return end, comment
        return None

    def href(self, comment):
        return f"{self.story_url}?thread={comment.thread_id or comment.pk}#c{comment.pk}"


def _order(comment):
    return (comment.created_at, comment.pk)


def _is_word(char):
    return char.isalnum() or char == "_"


def mentions_by_thread(comments):
    """Return {thread id: Mentions} for the threads of `comments`, in one query.

    For pages that did not load whole threads (the feed, the notice worker).
    """
    threads = {comment.thread_id or comment.pk for comment in comments}
    if not threads:
        return {}
    people = (
        Comment.objects.live()
        .filter(Q(pk__in=threads) | Q(thread_id__in=threads))
        .select_related("article")
        .only(
            "author_name",
            "reader_key",
            "user_id",
            "created_at",
            "thread_id",
            "status",
            "deleted_at",
            "article__slug",
        )
    )
    grouped = {}
    for person in people:
        grouped.setdefault(person.thread_id or person.pk, []).append(person)
    return {
        thread: Mentions(members, members[0].article.get_absolute_url())
        for thread, members in grouped.items()
    }


def mentions_of(comment, by_thread):
    """The Mentions of `comment`'s thread, from mentions_by_thread(); None if it has nobody."""
    return by_thread.get(comment.thread_id or comment.pk)
