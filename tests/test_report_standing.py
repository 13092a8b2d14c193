"""A reporter's standing is judged when the reports are weighed, not only when they were filed.

A brigade of established reporters (old cookies, or visible comments from yesterday) that a
moderator then bans, or whose comments are rejected, no longer weighs as established: the
reports stay in the queue, but they cannot hide a comment any more. Lifting the ban gives the
weight back.
"""

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from comments import moderation, services
from comments.models import Ban, Comment, ModerationSettings
from comments.readers import Reader, keyed_hash, network_of

pytestmark = pytest.mark.django_db

Status = Comment.Status
SETTLED = timedelta(days=3)
BUDGET = 11


def network(n):
    return f"198.51.{n}.7"


@pytest.fixture
def target(article, make_comment):
    return make_comment(article, reader_key="g:author", body="An unpopular but fair opinion.")


@pytest.fixture
def brigade():
    """Two established reporters on two networks: one short of the threshold (3)."""
    now = timezone.now()
    return [Reader(key=f"g:{uuid.uuid4()}", ip=network(n), since=now - SETTLED) for n in range(2)]


def report(reader, comment):
    return services.comment_report(comment=comment, reader=reader, reason="abuse")


def one_more_established_reporter(comment):
    report(Reader(key="g:honest", ip=network(9), since=timezone.now() - SETTLED), comment)
    return Comment.objects.get(pk=comment.pk).status


def test_a_brigade_banned_by_reader_loses_its_weight(target, brigade, moderator):
    for reader in brigade:
        report(reader, target)
    for reader in brigade:
        moderation.ban_create(
            kind=Ban.Kind.READER, value=reader.key, reason="Brigading", actor=moderator
        )
    assert one_more_established_reporter(target) == Status.APPROVED
    assert target in Comment.objects.reported()  # the reports still ask for a look


def test_a_brigade_whose_network_is_banned_loses_its_weight(target, brigade, moderator):
    for reader in brigade:
        report(reader, target)
    for n in range(2):
        value = keyed_hash(network_of(network(n)), purpose="network")
        moderation.ban_create(kind=Ban.Kind.NETWORK, value=value, reason="x", actor=moderator)
    assert one_more_established_reporter(target) == Status.APPROVED


def test_reporters_whose_comments_are_rejected_no_longer_count_as_established(
    target, article, make_comment, moderator
):
    # Established by a visible comment from yesterday, which moderators then reject.
    reporters = []
    for n in range(2):
        key = f"g:{uuid.uuid4()}"
        make_comment(article, reader_key=key, body=f"Earlier view {n}",
                     created_at=timezone.now() - timedelta(hours=25))  # fmt: skip
        reporters.append(Reader(key=key, ip=network(n)))
        report(reporters[-1], target)
    moderation.comment_moderate(
        comments=Comment.objects.filter(reader_key__in=[r.key for r in reporters]),
        status=Status.REJECTED,
        actor=moderator,
    )
    assert one_more_established_reporter(target) == Status.APPROVED


def test_an_established_reader_with_a_rejected_comment_reports_as_a_new_one(
    target, article, make_comment, brigade
):
    for reader in brigade:
        make_comment(article, reader_key=reader.key, body="Spam", status=Status.SPAM)
        report(reader, target)
    assert one_more_established_reporter(target) == Status.APPROVED


def test_a_lifted_ban_gives_the_reporters_their_weight_back(target, brigade, moderator):
    for reader in brigade:
        report(reader, target)
    bans = [
        moderation.ban_create(kind=Ban.Kind.READER, value=r.key, reason="x", actor=moderator)[0]
        for r in brigade
    ]
    moderation.ban_lift(bans=Ban.objects.filter(pk__in=[b.pk for b in bans]), actor=moderator)
    assert one_more_established_reporter(target) == Status.PENDING


def test_an_unbanned_brigade_still_hides_at_the_threshold(target, brigade):
    for reader in brigade:
        report(reader, target)
    assert one_more_established_reporter(target) == Status.PENDING


def test_weighing_a_large_banned_brigade_stays_within_a_query_budget(
    target, moderator, django_assert_max_num_queries
):
    now = timezone.now()
    for n in range(10):
        reader = Reader(key=f"g:{uuid.uuid4()}", ip=network(n), since=now - SETTLED)
        report(reader, target)
        Ban.objects.create(kind=Ban.Kind.READER, value=reader.key, reason="Brigading")
    ModerationSettings.load()
    # The same few queries however many reporters there are: one per kind of standing, not one
    # per reporter.
    with django_assert_max_num_queries(BUDGET):
        assert one_more_established_reporter(target) == Status.APPROVED
