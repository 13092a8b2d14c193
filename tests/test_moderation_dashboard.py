"""The moderation dashboard shows the right figures for a known set of comments."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from comments import dashboard
from comments.models import Comment, CommentReport, ModerationAction, Reaction
from comments.templatetags.moderation_desk import desk_duration

pytestmark = pytest.mark.django_db

Status = Comment.Status


@pytest.fixture
def known(make_article, desk_comment, admin_user):
    now = timezone.now()
    today = dashboard.start_of_today(now)
    during_today = today + (now - today) / 2
    busy = make_article(headline="Busy story")
    busier = make_article(headline="Busier story")
    quiet = make_article(headline="Old story")

    def decided(minutes, **fields):
        comment = desk_comment(**fields)
        comment.decided_by = admin_user
        comment.decided_at = comment.created_at + timedelta(minutes=minutes)
        comment.save()
        return comment

    desk_comment(article=busier, status=Status.PENDING, created_at=now - timedelta(days=3))
    desk_comment(article=busy, status=Status.PENDING, created_at=during_today)
    reported = decided(10, article=busy, status=Status.APPROVED, created_at=during_today)
    CommentReport.objects.create(comment=reported, reader_key="g:r", reason="abuse")
    decided(30, article=busier, status=Status.APPROVED, created_at=now - timedelta(days=2))
    decided(50, article=busier, status=Status.REJECTED, created_at=now - timedelta(days=2))
    desk_comment(article=busy, status=Status.SPAM, created_at=during_today)
    desk_comment(article=quiet, status=Status.APPROVED, created_at=now - timedelta(days=20))
    for key, when in [("g:1", during_today), ("g:2", during_today), ("g:3", now - timedelta(1))]:
        Reaction.objects.create(article=busy, reader_key=key, kind="like", created_at=when)
    ModerationAction.objects.create(action="hold", rule="first_timer", to_status="pending")
    ModerationAction.objects.create(action="hold", rule="first_timer", to_status="pending")
    ModerationAction.objects.create(action="approve", actor=admin_user, to_status="approved")
    return now


def test_dashboard_figures_for_a_known_data_set(known):
    figures = dashboard.moderation_figures(now=known)
    assert figures.queues == {
        "pending": 2,
        "approved": 3,
        "rejected": 1,
        "spam": 1,
        "deleted": 0,
        "reported": 1,
    }
    assert figures.oldest_pending_age == timedelta(days=3)
    assert figures.median_decision == timedelta(minutes=30)
    assert figures.decisions_counted == 3
    assert figures.comments_today == 3
    assert figures.reactions_today == 2
    assert [(s["headline"], s["recent_comments"]) for s in figures.most_discussed] == [
        ("Busier story", 3),
        ("Busy story", 2),
    ]
    today, two_days_ago = figures.daily[-1], figures.daily[-3]
    assert (today["approved"], today["pending"], today["refused"]) == (1, 1, 1)
    assert (two_days_ago["approved"], two_days_ago["refused"]) == (1, 1)
    assert len(figures.daily) == dashboard.DAYS
    assert sum(d["approved"] + d["pending"] + d["refused"] for d in figures.daily) == 6
    assert figures.by_rule[0] == {
        "rule": "first_timer",
        "action": "hold",
        "by_rule": True,
        "count": 2,
        "action_label": "Held",
    }


def test_empty_site_has_no_waiting_time_or_median():
    figures = dashboard.moderation_figures()
    assert figures.oldest_pending_age is None and figures.median_decision is None
    assert figures.most_discussed == []


def test_column_chart_scales_the_tallest_day_to_the_plot():
    days = [
        {"day": None, "approved": 4, "pending": 0, "refused": 0},
        {"day": None, "approved": 1, "pending": 1, "refused": 0},
    ]
    chart = dashboard.column_chart(days, width=200, height=108, gutter=8)
    tall, short = chart["columns"]
    assert tall["segments"][0]["height"] == 100 - dashboard.HEADROOM
    assert [s["height"] for s in short["segments"]] == [20.5, 20.5]
    assert short["segments"][1]["y"] == 59.0  # stacked on top of the first
    assert short["top"] == 59.0


def test_durations_read_like_a_person_would_say_them():
    assert desk_duration(timedelta(days=2, hours=4, minutes=5)) == "2 d 4 h"
    assert desk_duration(timedelta(minutes=30)) == "30 min"
    assert desk_duration(timedelta(0)) == "0 s"


def test_dashboard_page_shows_the_figures_and_charts(
    admin_client, known, django_assert_max_num_queries
):
    with django_assert_max_num_queries(20):
        page = admin_client.get(reverse("admin:comments_dashboard"))
    assert page.status_code == 200
    text = page.text
    assert "Busier story" in text and "3 d" in text and "30 min" in text
    assert text.count("<svg") >= 4 and 'role="img"' in text
    assert "reactions today" in text


def test_readers_and_non_staff_never_reach_the_dashboard(client, django_user_model):
    url = reverse("admin:comments_dashboard")
    assert client.get(url).status_code == 302
    reader = django_user_model.objects.create_user("reader", password="pw")
    client.force_login(reader)
    response = client.get(url)
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
