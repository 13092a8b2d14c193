from django import template
from django.utils.safestring import mark_safe

from comments.fragments import drawn
from comments.threads import skeleton_of, threads_html

register = template.Library()


@register.filter
def comment_html(comment, node=None):
    """Render a comment's body through the allowlist sanitiser; a thread's `node` links mentions."""
    html = node.body_html() if node else comment.body_html()
    return mark_safe(html)  # noqa: S308 - nh3 output is safe by construction


@register.filter
def initial(name):
    """Return the first letter of a name for its avatar."""
    return (name or "?").strip()[:1].upper() or "?"


@register.simple_tag(takes_context=True)
def comment_threads(context, threads):
    """Render a page of threads: each comment once, through _comment.html, nested in lists.

    With `comment_fragments` in the context (a dict; the cached story page passes one), the
    page's shape and each comment's HTML are left there too, for articles.story_page to nest
    again for a reader, and a comment unchanged since an earlier draw is not drawn again
    (comments.fragments).
    """
    nodes, stack = [], list(threads)
    while stack:
        node = stack.pop()
        nodes.append(node)
        stack.extend(node.children)
    sink = context.get("comment_fragments")
    # Only the shared page, drawn for a reader without identity, reuses fragments (see
    # comments.fragments); an editor's view and a reader's own draws are drawn whole.
    reuse = (
        sink is not None and not context.get("can_see_deleted") and not context.get("in_place_back")
    )
    fragments = drawn(context, nodes, reuse=reuse)
    skeletons = [skeleton_of(node) for node in threads]
    if sink is not None:
        sink.update(skeletons=skeletons, fragments=fragments)
    return mark_safe(threads_html(skeletons, fragments.__getitem__))  # noqa: S308 - escaped above
