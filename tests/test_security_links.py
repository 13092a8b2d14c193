import pytest

from articles.models import ArticleLink, safe_href

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "url",
    ["javascript:alert(1)", " JaVaScRiPt:alert(1)", "java\tscript:alert(1)", "\x0ejavascript:x",
     "data:text/html,<script>alert(1)</script>", "vbscript:msgbox(1)"],
)  # fmt: skip
def test_script_targets_never_become_links(client, article, url):
    assert safe_href(url) == ""
    ArticleLink.objects.create(article=article, title="Council approves toll", url=url)
    html = client.get(article.get_absolute_url()).content.decode()
    assert "Council approves toll" in html
    assert "script:" not in html.lower() and "data:text" not in html


@pytest.mark.parametrize("url", ["/stories/toll/", "https://example.com/toll", "toll/", "#more"])
def test_web_and_site_links_stay_links(client, article, url):
    ArticleLink.objects.create(article=article, title="Council approves toll", url=url)
    html = client.get(article.get_absolute_url()).content.decode()
    assert f'<a href="{url}">Council approves toll</a>' in html
