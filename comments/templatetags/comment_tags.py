from django import template
from django.utils.safestring import mark_safe

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
    again for a reader.
    """
    fragment_template = context.template.engine.get_template("comments/_comment.html")
    fragments = {}
    stack = list(threads)
    while stack:
        node = stack.pop()
        with context.push(node=node, comment=node.comment):
            fragments[node.comment.pk] = fragment_template.render(context)
        stack.extend(node.children)
    skeletons = [skeleton_of(node) for node in threads]
    sink = context.get("comment_fragments")
    if sink is not None:
        sink.update(skeletons=skeletons, fragments=fragments)
    return mark_safe(threads_html(skeletons, fragments.__getitem__))  # noqa: S308 - escaped above
