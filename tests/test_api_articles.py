import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from articles.models import Article
from comments.models import Comment, ReactionTally

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    return APIClient()


def add_comment(article, status=Comment.Status.APPROVED, **fields):
    return Comment.objects.create(
        article=article, reader_key="g:x", author_name="Reader", body="Hi", status=status, **fields
    )


def test_article_list_shows_published_stories_with_comment_counts(api, article, make_article):
    make_article(headline="Draft", status=Article.Status.DRAFT)
    add_comment(article)
    add_comment(article)
    add_comment(article, status=Comment.Status.PENDING)
    response = api.get("/api/articles/")
    assert response.status_code == 200
    [story] = response.json()["results"]
    assert story["headline"] == "Bridge reopens"
    assert story["comment_count"] == 2
    assert story["url"].endswith("/stories/bridge-reopens/")


def test_article_list_query_count_does_not_grow_with_page_size(
    api, make_article, django_assert_max_num_queries
):
    for _ in range(30):
        add_comment(make_article())
    with django_assert_max_num_queries(2):
        assert len(api.get("/api/articles/?page_size=30").json()["results"]) == 30


def test_article_list_pages_with_a_cursor(api, make_article):
    for n in range(5):
        make_article(published_at=timezone.now() - timezone.timedelta(minutes=n))
    first = api.get("/api/articles/?page_size=2").json()
    second = api.get(first["next"]).json()
    assert [a["id"] for a in first["results"]] != [a["id"] for a in second["results"]]
    assert len(second["results"]) == 2


def test_article_detail_has_body_links_and_reaction_shares(api, article):
    ReactionTally.objects.create(article=article, kind="sad", count=3)
    ReactionTally.objects.create(article=article, kind="like", count=1)
    response = api.get(f"/api/articles/{article.slug}/")
    data = response.json()
    assert data["paragraphs"] == ["First paragraph.", "Second paragraph."]
    sad = next(r for r in data["reactions"] if r["key"] == "sad")
    assert sad == {"key": "sad", "emoji": "😢", "label": "Sad", "count": 3, "share": 75}


def test_unknown_and_draft_stories_are_404_json(api, make_article):
    draft = make_article(status=Article.Status.DRAFT)
    for slug in ("no-such-story", draft.slug):
        response = api.get(f"/api/articles/{slug}/")
        assert response.status_code == 404
        assert response.json()["type"] == "client_error"
        assert response.json()["errors"][0]["detail"]


def test_schema_and_offline_docs_are_served(client):
    schema = client.get("/api/schema/?format=json")
    assert schema.status_code == 200
    assert schema.json()["openapi"].startswith("3.")
    docs = client.get("/api/docs/").content.decode()
    assert "swagger-ui" in docs
    assert "cdn" not in docs.lower()


def test_batch_comment_counts_for_many_stories_in_one_request(
    api, make_article, django_assert_max_num_queries
):
    stories = [make_article() for _ in range(3)]
    add_comment(stories[0])
    add_comment(stories[2])
    add_comment(stories[2])
    query = "&".join(f"slug={s.slug}" for s in stories) + "&slug=unknown"
    with django_assert_max_num_queries(1):
        response = api.get(f"/api/comment-counts/?{query}")
    assert response.json() == [
        {"slug": stories[0].slug, "comment_count": 1},
        {"slug": stories[1].slug, "comment_count": 0},
        {"slug": stories[2].slug, "comment_count": 2},
    ]


def test_batch_comment_counts_needs_a_slug_and_caps_the_batch(api):
    assert api.get("/api/comment-counts/").status_code == 400
    too_many = "&".join(f"slug=s{n}" for n in range(101))
    response = api.get(f"/api/comment-counts/?{too_many}")
    assert response.status_code == 400
    assert "at most 100" in response.json()["errors"][0]["detail"]


def test_batch_comment_counts_refuse_malformed_slugs_naming_the_field(api, article):
    response = api.get(f"/api/comment-counts/?slug={article.slug}&slug=%00bad&slug=")
    assert response.status_code == 400
    assert response.json()["errors"][0]["attr"] == "slug"


def test_story_paths_with_a_nul_are_json_404(api):
    for path in ("/api/articles/a%00b/", "/api/articles/a%00b/comments/"):
        response = api.get(path)
        assert response.status_code == 404
        assert response.json()["type"] == "client_error"


def test_api_counts_comments_the_way_the_home_page_does(api, client, article):
    add_comment(article)
    add_comment(article, deleted_at=timezone.now())
    assert api.get("/api/articles/").json()["results"][0]["comment_count"] == 1
    assert api.get(f"/api/comment-counts/?slug={article.slug}").json()[0]["comment_count"] == 1
    assert "1 comment" in client.get("/").content.decode()
