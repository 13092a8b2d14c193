"""Reply notices: opt in, confirm once, hear about visible replies, leave with one click.

The mail goes through the real database worker (django-tasks-db's loop, run in this process) to
a real SMTP server the test starts.
"""

import re
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from rest_framework.test import APIClient

from comments import moderation, services
from comments.models import Comment
from comments.readers import Reader
from notifications.models import ReplyNotice, Subscriber

pytestmark = pytest.mark.django_db(transaction=True)

ADA = Reader(key="g:ada", ip="203.0.113.9")
BOB = Reader(key="g:bob", ip="198.51.100.7")


@pytest.fixture(autouse=True)
def site(settings, post_moderated_site, relaxed_comment_limits):
    settings.NEWSROOM = {**settings.NEWSROOM, "SITE_URL": "https://news.example.com"}


def post(article, reader, body, *, parent=None, email="", notify=False, name=None):
    return services.comment_submit(
        article=article,
        reader=reader,
        body=body,
        author_name=name or reader.key[2:].title(),
        author_email=email,
        parent=parent,
        notify_replies=notify,
    )


def links(message, kind):
    text = message.get_body(("plain",)).get_content()
    return re.findall(rf"https://news\.example\.com(/notices/{kind}/[^\s/]+/)", text)


def confirm_from(message):
    path = links(message, "confirm")[0]
    response = Client().post(path)
    assert response.status_code == 200
    return path


@pytest.fixture
def subscribed(article, smtp_server, run_worker):
    """Ada's comment, with notices on and her address confirmed from the mail."""
    comment = post(article, ADA, "I was there.", email="Ada@Example.com", notify=True)
    run_worker()
    confirm_from(smtp_server.messages.pop())
    return comment


def test_opting_in_sends_one_confirmation_and_nothing_else_until_confirmed(
    article, smtp_server, run_worker
):
    comment = post(article, ADA, "I was there.", email="ada@example.com", notify=True)
    run_worker()
    [confirmation] = smtp_server.messages
    assert confirmation["To"] == "ada@example.com"
    assert "Confirm" in confirmation["Subject"]
    assert "I was there" not in confirmation.as_string()  # a stranger's address: no reader text
    post(article, BOB, "So was I.", parent=comment)
    post(article, ADA, "Again, notices please.", email="ada@example.com", notify=True)
    run_worker()
    assert len(smtp_server.messages) == 1


def test_a_confirmed_reader_hears_of_a_reply_with_its_permalink(
    subscribed, smtp_server, run_worker
):
    reply = post(subscribed.article, BOB, "Me <b>too</b> & more.", parent=subscribed, name="<Bob>")
    run_worker()
    [notice] = smtp_server.messages
    assert notice["To"] == "ada@example.com"
    assert notice["Subject"].strip() == "New reply to your comment on “Bridge reopens”"
    text = notice.get_body(("plain",)).get_content()
    html = notice.get_body(("html",)).get_content()
    permalink = "https://news.example.com" + reply.get_absolute_url()
    assert permalink in text
    assert permalink.replace("&", "&amp;") in html or permalink in html
    assert "&lt;Bob&gt;" in html and "<Bob>" not in html
    assert "<b>too</b>" not in html
    unsubscribe = "https://news.example.com" + links(notice, "unsubscribe")[0]
    # Long headers are folded onto a second line, hence the strip.
    assert notice["List-Unsubscribe"].strip() == f"<{unsubscribe}>"
    assert notice["List-Unsubscribe-Post"].strip() == "List-Unsubscribe=One-Click"
    assert Client().get(reply.get_absolute_url()).status_code in (200, 302)


def test_a_held_reply_is_announced_only_when_a_moderator_approves_it(
    settings, subscribed, smtp_server, run_worker, moderator
):
    settings.NEWSROOM = {**settings.NEWSROOM, "MODERATION_MODE": "pre"}
    reply = post(subscribed.article, BOB, "Held for now.", parent=subscribed)
    assert reply.status == Comment.Status.PENDING
    run_worker()
    assert smtp_server.messages == []
    approve = {"comments": Comment.objects.filter(pk=reply.pk), "actor": moderator}
    moderation.comment_moderate(status=Comment.Status.APPROVED, **approve)
    run_worker()
    assert len(smtp_server.messages) == 1
    # Held again and approved again: never twice for the same reply.
    moderation.comment_moderate(status=Comment.Status.PENDING, **approve)
    moderation.comment_moderate(status=Comment.Status.APPROVED, **approve)
    run_worker()
    assert len(smtp_server.messages) == 1
    assert ReplyNotice.objects.filter(reply=reply).count() == 1


def test_rejected_and_deleted_replies_are_never_announced(
    settings, subscribed, smtp_server, run_worker, moderator
):
    settings.NEWSROOM = {**settings.NEWSROOM, "MODERATION_MODE": "pre"}
    rejected = post(subscribed.article, BOB, "Rejected later.", parent=subscribed)
    moderation.comment_moderate(
        comments=Comment.objects.filter(pk=rejected.pk),
        status=Comment.Status.REJECTED,
        actor=moderator,
    )
    withdrawn = post(subscribed.article, BOB, "Withdrawn before approval.", parent=subscribed)
    services.comment_delete(comment=withdrawn, reader=BOB)
    moderation.comment_moderate(
        comments=Comment.objects.filter(pk=withdrawn.pk),
        status=Comment.Status.APPROVED,
        actor=moderator,
    )
    run_worker()
    assert smtp_server.messages == []


def test_a_reader_is_not_told_of_their_own_reply(subscribed, smtp_server, run_worker):
    post(subscribed.article, ADA, "Replying to myself.", parent=subscribed)
    post(
        subscribed.article,
        Reader(key="g:other-browser"),
        "Me on my phone.",
        parent=subscribed,
        email="ADA@example.com",
    )
    run_worker()
    assert smtp_server.messages == []


def test_one_click_unsubscribe_works_without_a_csrf_token_and_stops_notices(
    subscribed, smtp_server, run_worker
):
    post(subscribed.article, BOB, "First reply.", parent=subscribed)
    run_worker()
    path = links(smtp_server.messages.pop(), "unsubscribe")[0]
    mail_client = Client(enforce_csrf_checks=True)
    for _ in range(2):  # mail clients may post twice; the second changes nothing
        response = mail_client.post(
            path, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
        )
        assert response.status_code == 200
    post(subscribed.article, BOB, "Second reply.", parent=subscribed)
    run_worker()
    assert smtp_server.messages == []
    assert Subscriber.objects.get().unsubscribed_at is not None


def test_a_forged_or_expired_link_is_refused_plainly(settings, article, smtp_server, run_worker):
    post(article, ADA, "I was there.", email="ada@example.com", notify=True)
    run_worker()
    path = links(smtp_server.messages[0], "confirm")[0]
    assert Client().post(path[:-3] + "xx/").status_code == 400
    assert Client().post("/notices/unsubscribe/nonsense/").status_code == 400
    settings.NEWSROOM = {**settings.NEWSROOM, "NOTICE_CONFIRM_DAYS": 0}
    assert Client().post(path).status_code == 400
    assert Subscriber.objects.get().confirmed_at is None


def test_a_reply_flood_is_capped_per_address_per_day(settings, subscribed, smtp_server, run_worker):
    settings.NEWSROOM = {**settings.NEWSROOM, "NOTICE_DAILY_CAP": 2}
    for n in range(4):
        post(subscribed.article, Reader(key=f"g:crowd-{n}"), f"Reply {n}.", parent=subscribed)
    run_worker()
    assert len(smtp_server.messages) == 2
    assert ReplyNotice.objects.filter(status=ReplyNotice.Status.CAPPED).count() == 2


def test_a_notice_waits_for_a_mail_server_that_is_down(subscribed, smtp_server, run_worker):
    smtp_server.stop()
    post(subscribed.article, BOB, "While the server sleeps.", parent=subscribed)
    run_worker()
    retry = DBTaskResult.objects.get(status="READY")  # queued again, to run after a backoff
    assert retry.run_after > timezone.now() + timedelta(seconds=30)
    assert DBTaskResult.objects.failed().count() == 0
    smtp_server.start()
    DBTaskResult.objects.filter(pk=retry.pk).update(run_after=timezone.now())  # time passes
    run_worker()
    [notice] = smtp_server.messages
    assert "While the server sleeps." in notice.get_body(("plain",)).get_content()


def test_the_comment_form_offers_notices_and_needs_an_address_for_them(
    client, article, comment_data, smtp_server, run_worker
):
    page = client.get(article.get_absolute_url())
    assert "Email me when someone replies" in page.content.decode()
    url = reverse("comment_post", args=[article.slug])
    refused = client.post(url, comment_data(article, author_email="", notify_replies="on"))
    assert refused.status_code == 400
    assert "Reply notices need an email address." in refused.content.decode()
    posted = client.post(
        url, comment_data(article, author_email="ada@example.com", notify_replies="on")
    )
    assert posted.status_code == 302
    run_worker()
    assert [m["To"] for m in smtp_server.messages] == ["ada@example.com"]


def test_comments_without_notices_queue_no_background_work(
    client, article, comment_data, run_worker
):
    client.post(reverse("comment_post", args=[article.slug]), comment_data(article))
    comment = Comment.objects.get()
    post(article, BOB, "A reply nobody waits for.", parent=comment)
    assert DBTaskResult.objects.count() == 0


def test_the_api_takes_notify_replies(article, smtp_server, run_worker):
    api = APIClient()
    token = api.get("/api/csrf/").json()
    url = f"/api/articles/{article.slug}/comments/"
    body = {"body": "Via the API.", "author_name": "Ada", "notify_replies": True}
    assert api.post(url, body, format="json").status_code == 400
    body |= {"author_email": "ada@example.com", "posting_token": token.get("posting_token", "")}
    assert api.post(url, body, format="json").status_code in (201, 202)
    run_worker()
    assert [m["To"] for m in smtp_server.messages] == ["ada@example.com"]


def test_accounts_confirm_their_own_address_once(
    django_user_model, article, smtp_server, run_worker
):
    user = django_user_model.objects.create_user("ada", "ada@example.com", "pw")
    reader = Reader(key=f"u:{user.pk}", user=user)
    post(article, reader, "As an account.", notify=True)
    run_worker()
    confirm_from(smtp_server.messages.pop())
    post(article, reader, "Another one.", notify=True)
    run_worker()
    assert smtp_server.messages == []
    no_email = django_user_model.objects.create_user("nomail", "", "pw")
    with pytest.raises(ValidationError, match="email address on your account"):
        post(article, Reader(key=f"u:{no_email.pk}", user=no_email), "Hi.", notify=True)


def test_an_editor_sees_a_failed_job_and_runs_it_again_from_the_admin(
    admin_client, subscribed, smtp_server, run_worker
):
    from notifications import tasks

    smtp_server.stop()
    reply = post(subscribed.article, BOB, "Sent at last.", parent=subscribed)
    DBTaskResult.objects.all().delete()  # what the write path queued; enqueue the last attempt
    tasks.send_reply_notices.enqueue([reply.pk], attempt=tasks.MAIL_ATTEMPTS)
    run_worker()
    failed = DBTaskResult.objects.failed().get()
    changelist = reverse("admin:django_tasks_database_dbtaskresult_changelist")
    page = admin_client.get(changelist, {"status__exact": "FAILED"})
    assert "send_reply_notices" in page.content.decode()
    answer = admin_client.post(
        changelist, {"action": "retry", "_selected_action": [failed.pk]}, follow=True
    )
    assert "1 failed task queued again." in answer.content.decode()
    smtp_server.start()
    run_worker()
    [notice] = smtp_server.messages
    assert "Sent at last." in notice.get_body(("plain",)).get_content()


def test_a_reply_nobody_waits_for_costs_one_cheap_query(
    client, article, comment_data, make_comment, django_assert_max_num_queries
):
    parent = make_comment(article)
    url = reverse("comment_reply", args=[parent.pk])
    client.post(url, comment_data(article, body="Warming up the statements."))
    # A top-level post's budget (tests/test_prepared_statements.py, 12), the parent's lookup,
    # and one indexed look for a subscription on the parent; nothing is queued.
    with django_assert_max_num_queries(14):
        response = client.post(url, comment_data(article, body="A published reply."))
    assert response.status_code == 302
    assert Comment.objects.get(body="A published reply.").is_visible
    assert DBTaskResult.objects.count() == 0
