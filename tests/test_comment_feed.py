import xml.etree.ElementTree as ET

import pytest

from comments.models import Comment

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"


def test_story_comment_feed_is_atom_of_visible_comments_without_emails(
    client, article, make_comment, django_assert_max_num_queries
):
    make_comment(article, body="<b>Bold</b> take", author_email="secret@example.com", markup="html")
    make_comment(article, body="Held back", status=Comment.Status.PENDING)
    make_comment(article, body="Withdrawn", deleted_at="2026-01-01T00:00:00Z")
    for n in range(10):
        make_comment(article, body=f"Comment {n}")
    with django_assert_max_num_queries(2):
        response = client.get(f"/stories/{article.slug}/comments.atom")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    text = response.content.decode()
    assert "secret@example.com" not in text
    assert "Held back" not in text and "Withdrawn" not in text
    feed = ET.fromstring(response.content)
    entries = feed.findall(f"{ATOM}entry")
    assert len(entries) == 11
    bold = next(e for e in entries if "Bold" in e.find(f"{ATOM}summary").text)
    assert bold.find(f"{ATOM}summary").text == "<p><b>Bold</b> take</p>"
    assert bold.find(f"{ATOM}author/{ATOM}name").text == "Someone"
    assert "?thread=" in bold.find(f"{ATOM}link").get("href")


def test_story_page_links_its_comment_feed(client, article):
    page = client.get(article.get_absolute_url()).content.decode()
    assert 'type="application/atom+xml"' in page
    assert f'href="/stories/{article.slug}/comments.atom"' in page


def test_feed_of_unknown_story_is_404(client):
    assert client.get("/stories/nope/comments.atom").status_code == 404
