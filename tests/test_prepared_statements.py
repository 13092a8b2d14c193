"""The write path's statements are compiled once and still say exactly what their QuerySets say."""

from datetime import timedelta

import pytest
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from articles.models import Article, published_story, story_changed
from comments.models import Comment
from newsroom.prepared import delete, prepared, update

pytestmark = pytest.mark.django_db


@prepared
def headline_of(slug):
    return Article.objects.filter(slug=slug).values_list("headline")


@prepared
def others_since(when, pk):
    return Article.objects.filter(published_at__gte=when).exclude(pk=pk).values_list("slug")


@prepared
def retitle(pk, headline):
    return update(Article.objects.filter(pk=pk), headline=headline)


@prepared
def add_to_version(pk, amount):
    return update(Article.objects.filter(pk=pk), page_version=F("page_version") + amount)


@prepared
def remove(pk):
    return delete(Comment.objects.filter(pk=pk))


def test_prepared_select_gives_what_the_queryset_gives(make_article):
    make_article(slug="one", headline="First")
    make_article(slug="two", headline="Second")
    assert headline_of.rows("one") == [("First",)]
    assert headline_of.first_row("two") == ("Second",)
    assert headline_of.first_row("three") is None


@prepared
def comments_of(article_id):
    return Comment.objects.filter(article_id=article_id).only("body", "created_at").order_by("pk")


@prepared
def published_ats(pk):
    return Article.objects.filter(pk=pk).values_list("published_at", "comments_enabled")


def test_prepared_instances_and_values_are_converted_as_the_orm_converts_them(
    article, make_comment, django_assert_num_queries
):
    make_comment(article, body="One")
    make_comment(article, body="Two")
    expected = list(Comment.objects.filter(article=article).order_by("pk"))
    found = comments_of.objects(article.pk)
    assert [(c.pk, c.body, c.created_at) for c in found] == [
        (c.pk, c.body, c.created_at) for c in expected
    ]
    assert found[0].created_at.tzinfo is not None, "an aware datetime, on SQLite as well"
    assert found[0]._state.adding is False and found[0]._state.db == "default"
    with django_assert_num_queries(1):  # a field left out by only() is loaded when asked for
        assert found[0].author_name == expected[0].author_name
    assert published_ats.values(article.pk) == list(
        Article.objects.filter(pk=article.pk).values_list("published_at", "comments_enabled")
    )


def test_a_statement_is_compiled_once_and_runs_with_each_calls_values(make_article):
    make_article(slug="one", headline="First")
    make_article(slug="two", headline="Second")
    headline_of.statements.clear()
    for slug, headline in [("one", "First"), ("two", "Second"), ("one", "First")]:
        assert headline_of.first_row(slug) == (headline,)
    assert len(headline_of.statements) == 1


def test_shape_changing_arguments_get_their_own_statement(make_article):
    now = timezone.now()
    old = make_article(slug="old", published_at=now - timedelta(days=3))
    new = make_article(slug="new", published_at=now - timedelta(hours=1))
    others_since.statements.clear()
    since = now - timedelta(days=1)
    assert others_since.rows(since, None) == [("new",)]  # exclude(pk=None): no row excluded
    assert others_since.rows(since, new.pk) == []
    assert sorted(others_since.rows(now - timedelta(days=5), new.pk)) == [("old",)]
    assert sorted(others_since.rows(now - timedelta(days=5), old.pk)) == [("new",)]
    assert len(others_since.statements) == 2


def test_datetimes_are_bound_as_the_database_stores_them(make_article):
    story = make_article(slug="due", published_at=timezone.now() + timedelta(hours=2))
    assert published_story.first("due", timezone.now()) is None  # scheduled, not yet published
    found = published_story.first("due", timezone.now() + timedelta(hours=3))
    assert found.pk == story.pk
    assert found.published_at == story.published_at  # converted back, as the ORM would


def test_updates_and_deletes_report_the_rows_they_changed(article, make_comment):
    assert retitle.execute(article.pk, "Bridge reopens at last") == 1
    assert retitle.execute(article.pk + 1000, "Nothing") == 0
    article.refresh_from_db()
    assert article.headline == "Bridge reopens at last"

    version = article.page_version
    assert add_to_version.execute(article.pk, 5) == 1
    story_changed(article.pk)
    article.refresh_from_db()
    assert article.page_version == version + 6

    comment = make_comment(article)
    assert remove.execute(comment.pk) == 1
    assert not Comment.objects.filter(pk=comment.pk).exists()


def test_prepared_statements_run_one_query_each(article):
    published_story.first(article.slug, timezone.now())  # compiled on first use
    with CaptureQueriesContext(connection) as queries:
        found = published_story.first(article.slug, timezone.now())
        story_changed(article.pk)
    assert found == article
    assert len(queries) == 2


def test_an_argument_a_lookup_rewrites_is_refused_when_prepared(article):
    @prepared
    def headline_contains(text):
        return Article.objects.filter(headline__contains=text)

    with pytest.raises(ValueError, match="do not reach the SQL unchanged"):
        headline_contains.rows("Bridge")


def test_an_argument_of_an_unknown_type_is_refused(article):
    @prepared
    def by_ids(ids):
        return Article.objects.filter(pk__in=ids)

    with pytest.raises(TypeError, match="cannot prepare"):
        by_ids.rows([article.pk])


# The budgets below are what a guest's form POST costs with every prepared statement warm: the
# story, the moderation rules, the spent posting token (and the purge of expired ones), the row,
# its audit entry and the page version. A new query on the
# write path shows up here first.


def test_posting_a_comment_stays_within_its_query_budget(
    client, article, comment_data, relaxed_comment_limits, django_assert_max_num_queries
):
    url = reverse("comment_post", args=[article.slug])
    client.post(url, comment_data(article, body="Warming up the statements."))
    with django_assert_max_num_queries(12):
        response = client.post(url, comment_data(article, body="The bridge looks great."))
    assert response.status_code == 302
    assert Comment.objects.filter(body="The bridge looks great.").exists()


def test_reacting_stays_within_its_query_budget(
    client, article, relaxed_comment_limits, django_assert_max_num_queries
):
    url = reverse("react", args=[article.slug])
    client.post(url, {"kind": "love"})  # both tallies exist from here on
    client.post(url, {"kind": "wow"})
    # 10 since issue 12: the ban lookup (reader, network, account email) guards reactions too.
    with django_assert_max_num_queries(10):
        response = client.post(url, {"kind": "love"})
    assert response.status_code == 302
    assert article.reactions.get().kind == "love"
