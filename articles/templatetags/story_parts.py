from django import template
from django.utils.safestring import mark_safe

from articles import story_page

register = template.Library()


class ReaderPartNode(template.Node):
    def __init__(self, name, nodelist):
        self.name = name
        self.nodelist = nodelist

    def render(self, context):
        html = self.nodelist.render(context)
        if context.get(story_page.SHARED_RENDER):
            return mark_safe(story_page.fence(self.name, html))  # noqa: S308 - rendered above
        return html


@register.tag
def reader_part(parser, token):
    """Mark a region of the story page that differs from one reader to the next.

        {% reader_part "nav" %}...{% endreader_part %}

    Rendered as it is, except in the shared page cached for every reader, where it is fenced
    so that articles.story_page can lay a known reader's own version over it.
    """
    bits = token.split_contents()
    if len(bits) != 2:
        raise template.TemplateSyntaxError("reader_part takes one name")
    nodelist = parser.parse(("endreader_part",))
    parser.delete_first_token()
    return ReaderPartNode(bits[1].strip("\"'"), nodelist)
