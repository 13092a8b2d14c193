"""The repeat rule finds the same text by its stored digest: one indexed query, kept in step."""

import importlib

import pytest
from django.apps import apps

from comments import moderation, services
from comments.models import Comment, ModerationSettings
from comments.readers import Reader
from comments.text import text_hash

pytestmark = pytest.mark.django_db

AUTHOR = Reader(key="g:repeater", ip="203.0.113.7")


def check_for(article, body, reader=AUTHOR):
    comment = Comment(article=article, reader_key=reader.key, author_name="Reader", body=body)
    return moderation.Check(comment=comment, reader=reader, config=ModerationSettings.load())


def test_texts_that_fold_alike_share_a_digest():
    assert text_hash("Buy my amazing COURSE, today!") == text_hash("buy my amazing course today")
    assert text_hash("Buy my amazing course today") != text_hash("Buy my amazing course now")


def test_repeat_rule_reads_one_query_however_many_comments_the_day_holds(
    article, desk_comment, django_assert_max_num_queries
):
    from bench.seed import bulk_create_comments

    bulk_create_comments(article, 300)
    desk_comment(reader_key=AUTHOR.key, body="Buy my amazing course today")
    ModerationSettings.load()
    with django_assert_max_num_queries(1):
        decision = moderation.repeated(check_for(article, "buy my amazing course today!!"))
    assert decision.rule == "repeated"


def test_edited_text_is_what_the_repeat_rule_compares(article, relaxed_comment_limits):
    posted = services.comment_submit(
        article=article, reader=AUTHOR, body="My first honest opinion here", author_name="Al"
    )
    services.comment_edit(comment=posted, reader=AUTHOR, body="A corrected opinion, different")
    assert Comment.objects.get(pk=posted.pk).text_hash == text_hash(
        "A corrected opinion, different"
    )
    assert moderation.repeated(check_for(article, "My first honest opinion here")) is None
    assert moderation.repeated(check_for(article, "a corrected opinion different")) is not None


def test_migration_fills_the_digest_of_comments_stored_before_it(article, desk_comment):
    stored = desk_comment(body="Written before digests existed")
    Comment.objects.filter(pk=stored.pk).update(text_hash="")
    migration = importlib.import_module("comments.migrations.0004_text_hash")
    migration.fill_text_hash(apps, None)
    assert Comment.objects.get(pk=stored.pk).text_hash == text_hash(stored.body)


def test_demo_comments_inserted_in_bulk_carry_their_digest(article):
    from comments.demo import add_demo_comments

    add_demo_comments(article, 12)
    for body, digest in Comment.objects.filter(article=article).values_list("body", "text_hash"):
        assert digest == text_hash(body)
