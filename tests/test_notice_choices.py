"""Readers choose their notices: as they happen or a daily digest, and moderation notices.

The choices live on a signed settings page per address (linked from the confirmation page and
from every notice). Mail goes through the real database worker to a real SMTP server.
"""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db.models import F
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from comments import moderation
from comments.models import Comment, ModerationAction
from comments.readers import Reader
from notifications.models import Digest, ReplyNotice, Subscriber
from tests.test_reply_notices import ADA, BOB, links, post

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def site(settings, post_moderated_site, relaxed_comment_limits):
    settings.NEWSROOM = {**settings.NEWSROOM, "SITE_URL": "https://news.example.com"}


@pytest.fixture
def ada(article, smtp_server, run_worker):
    """Ada's comment, with notices on and her address confirmed from the mail's page."""
    comment = post(article, ADA, "I was there.", email="ada@example.com", notify=True)
    run_worker()
    confirmed = Client().post(links(smtp_server.messages.pop(), "confirm")[0])
    comment.confirmation_page = confirmed.content.decode()
    return comment


def choose(subscriber=None, **choices):
    """Save choices on Ada's settings page, as she would from the link in a mail."""
    subscriber = subscriber or Subscriber.objects.get(email="ada@example.com")
    from notifications import mail

    path = reverse("notifications:settings", args=[mail.settings_token(subscriber)])
    form = {"frequency": "now"} | choices
    response = Client().post(path, form)
    assert response.status_code == 200
    assert "Your choices are saved." in response.content.decode()


def time_passes():
    """Let tasks queued to run later run now (the worker's clock cannot be moved)."""
    DBTaskResult.objects.filter(status="READY").update(run_after=timezone.now())


def text_of(message):
    return message.get_body(("plain",)).get_content()


def test_the_confirmation_page_offers_the_choices(ada):
    assert "As they happen" in ada.confirmation_page
    assert "A daily digest" in ada.confirmation_page
    assert "when a moderator approves my held comment" in ada.confirmation_page


def test_a_notice_links_to_a_settings_page_where_the_reader_picks_a_daily_digest(
    ada, smtp_server, run_worker
):
    post(ada.article, BOB, "First reply.", parent=ada)
    run_worker()
    [notice] = smtp_server.messages
    [path] = links(notice, "settings")
    page = Client().get(path).content.decode()
    assert "ada@example.com" in page and "A daily digest" in page
    Client().post(path, {"frequency": "daily", "notify_approved": "on"})
    subscriber = Subscriber.objects.get()
    assert subscriber.frequency == "daily" and subscriber.notify_approved
    assert not subscriber.notify_rejected
    assert Client().get(path[:-4] + "xyz/").status_code == 400
    assert Client().post(path[:-4] + "xyz/", {"frequency": "now"}).status_code == 400
    assert Client().post(path, {"frequency": "hourly"}).status_code == 400


def test_an_account_reaches_its_settings_without_a_link(django_user_model, article, client):
    user = django_user_model.objects.create_user("ada", "Ada@Example.com", "pw")
    Subscriber.objects.create(email="ada@example.com", confirmed_at=timezone.now())
    client.force_login(user)
    url = reverse("notifications:my_settings")
    client.post(url, {"frequency": "daily"})
    assert Subscriber.objects.get().frequency == "daily"
    assert Client().get(url).status_code == 302  # to the log-in page


def test_a_digest_reader_gets_one_mail_a_day_listing_the_days_replies(ada, smtp_server, run_worker):
    choose(frequency="daily")
    first = post(ada.article, BOB, "Me <b>too</b>.", parent=ada, name="<Bob>")
    second = post(ada.article, Reader(key="g:cy"), "And me.", parent=ada, name="Cy")
    run_worker()
    assert smtp_server.messages == []  # recorded for the digest, not sent
    assert set(ReplyNotice.objects.values_list("status", flat=True)) == {"queued"}

    call_command("send_digests")
    call_command("send_digests")  # cron ran twice: still one digest
    run_worker()
    [digest] = smtp_server.messages
    assert "Bridge reopens" in digest["Subject"]
    text, html = text_of(digest), digest.get_body(("html",)).get_content()
    for reply in (first, second):
        assert "https://news.example.com" + reply.get_absolute_url() in text
    assert "&lt;Bob&gt;" in html and "<Bob>" not in html and "<b>too</b>" not in html
    assert digest["List-Unsubscribe-Post"].strip() == "List-Unsubscribe=One-Click"

    third = post(ada.article, BOB, "Later that day.", parent=ada)
    run_worker()
    call_command("send_digests")
    run_worker()
    assert len(smtp_server.messages) == 1  # never two digests for one day

    Digest.objects.update(day=F("day") - timedelta(days=1))  # the next day comes
    call_command("send_digests")
    run_worker()
    later = text_of(smtp_server.messages[1])
    assert third.get_absolute_url() in later
    assert first.get_absolute_url() not in later  # never listed twice


def test_a_reply_hidden_before_the_digest_is_left_out(ada, smtp_server, run_worker, moderator):
    choose(frequency="daily")
    kept = post(ada.article, BOB, "Kept.", parent=ada)
    gone = post(ada.article, BOB, "Rejected before the digest.", parent=ada)
    run_worker()
    moderation.comment_moderate(
        comments=Comment.objects.filter(pk=gone.pk), status="rejected", actor=moderator
    )
    call_command("send_digests")
    run_worker()
    [digest] = smtp_server.messages
    assert kept.get_absolute_url() in text_of(digest)
    assert "Rejected before the digest" not in text_of(digest)


def test_notices_over_the_daily_cap_roll_into_the_next_digest(
    settings, ada, smtp_server, run_worker
):
    settings.NEWSROOM = {**settings.NEWSROOM, "NOTICE_DAILY_CAP": 2}
    replies = [
        post(ada.article, Reader(key=f"g:crowd-{n}"), f"Reply {n}.", parent=ada) for n in range(4)
    ]
    run_worker()
    assert len(smtp_server.messages) == 2
    call_command("send_digests")
    run_worker()
    assert len(smtp_server.messages) == 3
    digest = text_of(smtp_server.messages[2])
    assert "Reply 2." in digest and "Reply 3." in digest
    assert replies[0].get_absolute_url() not in digest
    assert ReplyNotice.objects.filter(status="sent").count() == 4


@pytest.fixture
def held_comment(settings, ada):
    """A second comment of Ada's, with notices on, held for a moderator."""
    settings.NEWSROOM = {**settings.NEWSROOM, "MODERATION_MODE": "pre"}
    comment = post(ada.article, ADA, "Held, then decided.", email="ada@example.com", notify=True)
    assert comment.status == Comment.Status.PENDING
    return comment


def decide(comment, status, moderator, reason=""):
    moderation.comment_moderate(
        comments=Comment.objects.filter(pk=comment.pk),
        status=status,
        actor=moderator,
        reason=reason,
    )


def test_approval_notices_go_only_to_readers_who_chose_them(
    ada, held_comment, smtp_server, run_worker, moderator
):
    decide(held_comment, "approved", moderator)
    time_passes()
    run_worker()
    assert smtp_server.messages == []  # not chosen: nothing

    choose(notify_approved="on")
    another = post(ada.article, ADA, "Another.", email="ada@example.com", notify=True)
    decide(another, "approved", moderator)
    run_worker()
    assert smtp_server.messages == []  # it waits while the moderator may still undo
    time_passes()
    run_worker()
    [notice] = smtp_server.messages
    assert "was approved" in notice["Subject"]
    assert "https://news.example.com" + another.get_absolute_url() in text_of(notice)


def test_an_approval_the_moderator_undoes_sends_nothing(
    ada, held_comment, smtp_server, run_worker, moderator
):
    choose(notify_approved="on")
    decide(held_comment, "approved", moderator)
    moderation.comment_undo(actions=ModerationAction.objects.all(), actor=moderator)
    time_passes()
    run_worker()
    assert smtp_server.messages == []


def test_a_not_published_notice_gives_the_public_reason_never_the_moderators_note(
    ada, held_comment, smtp_server, run_worker, moderator
):
    choose(notify_rejected="on")
    decide(held_comment, "rejected", moderator, reason="Troll; see desk note 42")
    time_passes()
    run_worker()
    [notice] = smtp_server.messages
    text = text_of(notice) + notice.get_body(("html",)).get_content()
    assert "was not published" in notice["Subject"]
    assert "it breaks this site's rules" in text.replace("&#x27;", "'")
    assert "note 42" not in notice.as_string() and "Troll" not in notice.as_string()


def test_spam_sends_nothing(ada, held_comment, smtp_server, run_worker, moderator):
    choose(notify_rejected="on", notify_approved="on")
    decide(held_comment, "spam", moderator)
    time_passes()
    run_worker()
    assert smtp_server.messages == []
    assert DBTaskResult.objects.filter(task_path__contains="decision").count() == 0


def test_a_digest_waits_for_a_mail_server_that_is_down(ada, smtp_server, run_worker):
    choose(frequency="daily")
    post(ada.article, BOB, "Sent when the server is back.", parent=ada)
    run_worker()
    smtp_server.stop()
    call_command("send_digests")
    run_worker()
    assert DBTaskResult.objects.failed().count() == 0
    assert not Digest.objects.exists()  # not sent, so today's digest is still to come
    assert ReplyNotice.objects.get().status == "queued"
    smtp_server.start()
    time_passes()
    run_worker()
    [digest] = smtp_server.messages
    assert "Sent when the server is back." in text_of(digest)
    assert ReplyNotice.objects.get().status == "sent"
