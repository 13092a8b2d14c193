"""The whole pipeline: rule order, the recorded decision, reports, bans over time, audit log."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from comments import moderation
from comments.models import (
    Ban,
    Comment,
    CommentReport,
    ModerationAction,
    ModerationSettings,
)
from comments.moderation import CommentRefused
from comments.readers import Reader

pytestmark = pytest.mark.django_db

Status = Comment.Status
GUEST = Reader(key="g:guest", ip="203.0.113.7")


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()


@pytest.fixture
def config():
    config = ModerationSettings.load()
    config.banned_words = "moron"
    config.suspect_words = "crypto"
    config.save()
    return config


def decide(article, body, *, reader=GUEST):
    comment = Comment(
        article=article,
        reader_key=reader.key,
        author_name="Reader",
        body=body,
        network_hash=reader.network_hash,
    )
    return moderation.moderate(comment=comment, reader=reader)


def test_pipeline_runs_rules_in_the_documented_order():
    names = [rule.__name__ for rule in moderation.PIPELINE]
    assert names == [
        "closed",
        "length",
        "posting_token",
        "ban",
        "rate_limit",
        "banned_words",
        "suspect_words",
        "links",
        "repeated",
        "first_timer",
        "external_classifier",
        "moderation_mode",
    ]


def test_closed_story_wins_over_a_ban(make_article, config):
    Ban.objects.create(kind=Ban.Kind.READER, value=GUEST.key, reason="x")
    with pytest.raises(CommentRefused) as refused:
        decide(make_article(comments_enabled=False), "hello")
    assert refused.value.rule == "closed"


def test_ban_wins_over_banned_words(article, config):
    Ban.objects.create(kind=Ban.Kind.READER, value=GUEST.key, reason="x")
    with pytest.raises(CommentRefused) as refused:
        decide(article, "moron")
    assert refused.value.rule == "ban"


def test_banned_words_win_over_suspect_words_and_links(article, config):
    decision = decide(article, "moron crypto https://a.example https://b.example")
    assert (decision.status, decision.rule) == (Status.REJECTED, "banned_words")


def test_suspect_words_win_over_links(article, config):
    decision = decide(article, "crypto https://a.example https://b.example")
    assert decision.rule == "suspect_words"


def test_links_win_over_first_timer(article, config):
    assert decide(article, "https://a.example https://b.example").rule == "links"


def test_repeated_text_wins_over_first_timer(article, desk_comment, config):
    desk_comment(reader_key=GUEST.key, body="I have said this before, friends", status="pending")
    assert decide(article, "I have said this before, friends").rule == "repeated"


def test_newcomer_is_held_then_approved_once_they_have_a_record(article, desk_comment, config):
    first = decide(article, "My first comment here")
    assert (first.status, first.rule) == (Status.PENDING, "first_timer")
    desk_comment(reader_key=GUEST.key, status=Status.APPROVED, body="An older approved one")
    second = decide(article, "And another thing entirely")
    assert (second.status, second.rule) == (Status.APPROVED, "default")


def test_pre_moderated_story_holds_a_known_reader(make_article, desk_comment, config):
    desk_comment(reader_key=GUEST.key, status=Status.APPROVED)
    decision = decide(make_article(moderation_mode="pre"), "A fresh remark")
    assert (decision.status, decision.rule) == (Status.PENDING, "premoderation")


def test_post_moderated_story_publishes_a_newcomer_at_once(make_article, config):
    decision = decide(make_article(moderation_mode="post"), "Hello there, everyone")
    assert decision.status == Status.APPROVED


def test_edit_is_moderated_again_but_not_rate_limited(article, desk_comment, config, settings):
    settings.NEWSROOM = {**settings.NEWSROOM, "COMMENT_RATE": "1/m"}
    desk_comment(reader_key=GUEST.key, status=Status.APPROVED, body="Earlier approved")
    decide(article, "Counting towards the limit")
    comment = desk_comment(reader_key=GUEST.key, body="Now says moron")
    decision = moderation.moderate(comment=comment, reader=GUEST, is_edit=True)
    assert decision.status == Status.REJECTED


def test_posted_comment_records_status_rule_reason_and_an_audit_entry(post_comment, config):
    comment = post_comment("Anyone into crypto?")
    comment.refresh_from_db()
    assert comment.status == Status.PENDING
    assert comment.moderation_rule == "suspect_words"
    assert "crypto" in comment.moderation_reason
    entry = ModerationAction.objects.get(comment=comment)
    assert entry.actor is None and entry.rule == "suspect_words"
    assert (entry.action, entry.to_status) == ("hold", Status.PENDING)


def test_held_comment_is_seen_only_by_its_author_and_rejected_by_nobody(post_comment, config):
    held = post_comment("Held because crypto", reader=GUEST)
    rejected = post_comment("You moron", reader=GUEST)
    comments = Comment.objects.filter(article=held.article)
    assert held not in comments.visible_to("g:someone-else")
    assert held in comments.visible_to(GUEST.key)
    assert rejected not in comments.visible_to(GUEST.key)
    assert rejected not in comments.visible()


def report(comment, n):
    """Report as `n` established readers, each on a network of their own."""
    for i in range(n):
        CommentReport.objects.create(comment=comment, reader_key=f"g:r{i}", reason="abuse",
                                     network_hash=f"net{i}", is_established=True)  # fmt: skip


def test_third_report_hides_a_visible_comment_pending_review(desk_comment):
    comment = desk_comment()
    report(comment, 2)
    assert moderation.report_threshold_check(comment) is False
    CommentReport.objects.create(
        comment=comment, reader_key="g:third", reason="spam", network_hash="n3", is_established=True
    )
    assert moderation.report_threshold_check(comment) is True
    comment.refresh_from_db()
    assert comment.status == Status.PENDING and comment.moderation_rule == "reports"
    assert comment in Comment.objects.reported()
    entry = ModerationAction.objects.get(comment=comment)
    assert (entry.rule, entry.from_status, entry.to_status) == ("reports", "approved", "pending")
    # A fourth report does not hide it twice.
    assert moderation.report_threshold_check(comment) is False
    assert ModerationAction.objects.filter(comment=comment).count() == 1


def test_report_threshold_is_editable(desk_comment):
    ModerationSettings.objects.update_or_create(pk=1, defaults={"report_threshold": 1})
    comment = desk_comment()
    report(comment, 1)
    assert moderation.report_threshold_check(comment) is True


def test_approving_a_reported_comment_dismisses_its_reports(desk_comment, admin_user):
    comment = desk_comment()
    report(comment, 3)
    moderation.report_threshold_check(comment)
    moderation.comment_moderate(
        comments=Comment.objects.filter(pk=comment.pk), status=Status.APPROVED, actor=admin_user
    )
    assert not Comment.objects.reported().exists()
    # Two fresh reports are not enough to hide it again: only open reports count.
    CommentReport.objects.create(comment=comment, reader_key="g:new1", reason="abuse")
    assert moderation.report_threshold_check(comment) is False


def test_suspension_stops_posting_until_it_ends(article, desk_comment, config):
    desk_comment(reader_key=GUEST.key, status=Status.APPROVED)
    ban = Ban.objects.create(
        kind=Ban.Kind.READER,
        value=GUEST.key,
        reason="cool off",
        expires_at=timezone.now() + timedelta(hours=1),
    )
    with pytest.raises(CommentRefused):
        decide(article, "Let me back in")
    ban.expires_at = timezone.now() - timedelta(seconds=1)
    ban.save()
    assert decide(article, "Back again, calmer now").status == Status.APPROVED


def test_ban_with_reject_past_rejects_earlier_comments_and_logs_it(desk_comment, admin_user):
    shown = desk_comment(reader_key=GUEST.key, status=Status.APPROVED)
    held = desk_comment(reader_key=GUEST.key, status=Status.PENDING, body="Another one")
    other = desk_comment(reader_key="g:other", status=Status.APPROVED)
    ban, rejected = moderation.ban_create(
        kind=Ban.Kind.READER,
        value=GUEST.key,
        reason="Harassment",
        actor=admin_user,
        reject_past=True,
    )
    assert rejected == 2
    assert set(Comment.objects.filter(status=Status.REJECTED)) == {shown, held}
    other.refresh_from_db()
    assert other.status == Status.APPROVED
    actions = ModerationAction.objects.filter(actor=admin_user)
    assert actions.filter(action="ban").count() == 1
    assert actions.filter(action="reject").count() == 2


def test_email_ban_with_reject_past_finds_comments_by_that_email(desk_comment, admin_user):
    theirs = desk_comment(reader_key="g:a", author_email="Spam@Example.com")
    also = desk_comment(reader_key="g:b", author_email="spam@example.com", body="Other device")
    mine = desk_comment(reader_key="g:c", author_email="me@example.com")
    moderation.ban_create(
        kind=Ban.Kind.EMAIL,
        value=moderation.email_hash("spam@example.com"),
        reason="spam",
        actor=admin_user,
        reject_past=True,
    )
    assert set(Comment.objects.filter(status=Status.REJECTED)) == {theirs, also}
    mine.refresh_from_db()
    assert mine.status == Status.APPROVED


def test_lifting_a_ban_lets_the_reader_post_and_is_logged(article, desk_comment, admin_user):
    desk_comment(reader_key=GUEST.key, status=Status.APPROVED)
    ban, _ = moderation.ban_create(
        kind=Ban.Kind.READER, value=GUEST.key, reason="x", actor=admin_user
    )
    assert moderation.ban_lift(bans=Ban.objects.all(), actor=admin_user) == 1
    assert decide(article, "Thanks for lifting it").status == Status.APPROVED
    assert ModerationAction.objects.filter(action="lift_ban", actor=admin_user).exists()


def test_readers_reporting_through_the_write_path_hide_the_comment(desk_comment):
    from comments.services import comment_report

    comment = desk_comment(reader_key="g:author")
    joined = timezone.now() - timedelta(days=2)  # established readers, on distinct networks
    for n in range(3):
        comment_report(comment=comment, reader=Reader(key=f"g:r{n}", ip=f"198.51.{n}.4",
                       since=joined), reason="abuse")  # fmt: skip
    comment.refresh_from_db()
    assert comment.status == Status.PENDING and comment.report_count == 3
    assert comment.moderation_rule == "reports"
