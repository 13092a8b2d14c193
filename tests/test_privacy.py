"""A reader sees, takes away and deletes what we hold about them; old network traces expire."""

import json
import re
from datetime import timedelta
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from accounts.services import personal_data_purge
from comments import services
from comments.models import (
    Comment,
    CommentLike,
    CommentReport,
    ModerationAction,
    Reaction,
    ReactionTally,
)
from comments.reactions import reaction_set
from comments.readers import COOKIE_NAME, COOKIE_SALT, Reader

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "a long enough passphrase"


@pytest.fixture(autouse=True)
def site(settings, post_moderated_site, relaxed_comment_limits):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.NEWSROOM = {**settings.NEWSROOM, "SITE_URL": "https://news.example.com"}


@pytest.fixture
def ada(client):
    user = get_user_model().objects.create_user("ada", "ada@example.com", PASSWORD)
    client.force_login(user)
    return user


def reader_of(user):
    return Reader(key=f"u:{user.pk}", user=user, ip="203.0.113.9")


@pytest.fixture
def busy_reader(ada, article, make_comment):
    """Ada commented (once edited, once held, once rejected), reacted, liked and reported."""
    reader = reader_of(ada)
    mine = services.comment_submit(article=article, reader=reader, body="First words.")
    services.comment_edit(comment=mine, reader=reader, body="Better words.")
    make_comment(
        article,
        reader_key=reader.key,
        user=ada,
        author_name="ada",
        body="Held one.",
        status=Comment.Status.PENDING,
        moderation_rule="suspect_words",
        moderation_reason="Held: contains “secretword”.",
    )
    make_comment(
        article,
        reader_key=reader.key,
        user=ada,
        author_name="ada",
        body="Refused one.",
        status=Comment.Status.REJECTED,
        moderation_reason="Moderator note: troll from the forum",
    )
    other = make_comment(article, reader_key="g:bob", author_name="Bob", body="Bob's view.")
    reply = make_comment(article, parent=mine, reader_key="g:bob", author_name="Bob", body="Re.")
    services.comment_like_toggle(comment=other, reader=reader)
    services.comment_like_toggle(comment=other, reader=Reader(key="g:cy", ip="198.51.100.1"))
    services.comment_report(comment=other, reader=reader, reason="spam")
    reaction_set(article=article, reader=reader, kind="love")
    reaction_set(article=article, reader=Reader(key="g:cy", ip="198.51.100.1"), kind="love")
    return {"mine": mine, "other": other, "reply": reply}


def test_my_comments_show_held_and_rejected_ones_with_a_reason_but_never_the_moderators(
    client, busy_reader
):
    page = client.get(reverse("accounts:profile")).content.decode()
    assert "Better words." in page and "Held one." in page and "Refused one." in page
    assert "An editor will review it first." in page
    assert "does not follow our community rules" in page
    assert "secretword" not in page and "troll" not in page


def test_an_account_downloads_everything_we_hold_about_it(client, busy_reader):
    response = client.get(reverse("accounts:export"))
    assert response["Content-Disposition"].startswith("attachment;")
    data = json.loads(response.content)
    assert data["account"]["email"] == "ada@example.com"
    texts = {c["text"]: c for c in data["comments"]}
    assert set(texts) == {"Better words.", "Held one.", "Refused one."}
    assert texts["Better words."]["earlier_versions"][0]["text"] == "First words."
    assert texts["Held one."]["status"] == "pending"
    assert [r["reaction"] for r in data["reactions"]] == ["love"]
    assert [like["comment"] for like in data["likes"]] == [busy_reader["other"].pk]
    assert [r["reason"] for r in data["reports"]] == ["spam"]
    assert "secretword" not in response.content.decode()


def test_the_account_pages_need_a_log_in(client):
    for name in ("accounts:profile", "accounts:export", "accounts:delete"):
        assert client.get(reverse(name)).status_code == 302


def test_a_guest_gets_a_download_link_at_the_address_they_commented_with(
    client, make_comment, article
):
    make_comment(article, author_email="Gus@Example.com", body="Guest words.")
    for email in ("gus@example.com", "nobody@example.com"):
        answer = client.post(reverse("accounts:export_request"), {"email": email})
        assert answer.status_code == 200
        assert "If we hold comments signed with" in answer.content.decode()
    [message] = mail.outbox
    assert message.to == ["gus@example.com"]
    link = re.search(r"https://news\.example\.com(/privacy/export/\S+/)", message.body).group(1)
    assert "Download my data" in client.get(link).content.decode()
    data = json.loads(client.post(link).content)
    assert [c["text"] for c in data["comments"]] == ["Guest words."]
    assert client.post(link[:-4] + "abc/").status_code == 400


def test_a_guest_without_email_downloads_what_their_browser_did(client, make_comment, article):
    from django.core import signing

    make_comment(article, reader_key="g:00000000-0000-0000-0000-000000000001", body="Mine.")
    make_comment(article, reader_key="g:someone-else", body="Not mine.")
    assert client.post(reverse("accounts:device_export")).status_code == 302
    client.cookies[COOKIE_NAME] = signing.dumps(
        "00000000-0000-0000-0000-000000000001", salt=COOKIE_SALT
    )
    data = json.loads(client.post(reverse("accounts:device_export")).content)
    assert [c["text"] for c in data["comments"]] == ["Mine."]


def tallies_match_rows(article):
    counted = {t.kind: t.count for t in ReactionTally.objects.filter(article=article) if t.count}
    rows = {}
    for kind in Reaction.objects.filter(article=article).values_list("kind", flat=True):
        rows[kind] = rows.get(kind, 0) + 1
    return counted == rows


def test_deleting_an_account_and_its_comments_keeps_threads_and_exact_counts(
    client, ada, article, busy_reader
):
    answer = client.post(reverse("accounts:delete"), {"comments": "delete", "password": PASSWORD})
    assert answer.status_code == 302
    assert not get_user_model().objects.filter(username="ada").exists()
    assert "_auth_user_id" not in client.session

    mine = Comment.objects.get(pk=busy_reader["mine"].pk)
    assert mine.is_deleted and mine.body == "" and not mine.revisions.exists()
    assert mine.ip_hash == "" and mine.author_email == ""
    assert Comment.objects.get(pk=busy_reader["reply"].pk).parent_id == mine.pk
    assert not Comment.objects.filter(body__in=["Held one.", "Refused one."]).exists()

    assert tallies_match_rows(article)
    assert not Reaction.objects.filter(reader_key=f"u:{ada.pk}").exists()
    other = Comment.objects.get(pk=busy_reader["other"].pk)
    assert other.like_count == CommentLike.objects.filter(comment=other).count() == 1

    report = CommentReport.objects.get(comment=other)
    assert report.reason == "spam" and not report.reader_key.startswith("u:")
    assert not ModerationAction.objects.filter(reader_key=f"u:{ada.pk}").exists()
    assert ModerationAction.objects.filter(comment=mine).exists()


def test_a_reader_may_keep_their_comments_as_a_former_reader(client, ada, busy_reader):
    client.post(reverse("accounts:delete"), {"comments": "keep", "password": PASSWORD})
    mine = Comment.objects.get(pk=busy_reader["mine"].pk)
    assert mine.body == "Better words." and not mine.is_deleted
    assert mine.author_name == "a former reader" and mine.user is None
    assert not mine.reader_key.startswith("u:")


def test_deleting_an_account_needs_its_password(client, ada, busy_reader):
    answer = client.post(reverse("accounts:delete"), {"comments": "keep", "password": "wrong"})
    assert answer.status_code == 400
    assert "That is not your password." in answer.content.decode()
    assert get_user_model().objects.filter(pk=ada.pk).exists()


def test_old_network_traces_are_purged_and_recent_ones_kept(make_comment, article, settings):
    long_ago = timezone.now() - timedelta(days=settings.NEWSROOM["RETENTION_DAYS"] + 1)
    traces = {"ip_hash": "a" * 64, "network_hash": "b" * 64, "user_agent": "Firefox"}
    old = make_comment(article, created_at=long_ago, **traces)
    new = make_comment(article, **traces)
    old_report = CommentReport.objects.create(
        comment=new,
        reader_key="g:r1",
        reason="spam",
        network_hash="c" * 64,
        created_at=long_ago,
        resolved_at=long_ago,
    )
    new_report = CommentReport.objects.create(
        comment=old, reader_key="g:r2", reason="spam", network_hash="d" * 64
    )

    call_command("purge_personal_data", stdout=StringIO())

    old.refresh_from_db(), new.refresh_from_db()
    assert (old.ip_hash, old.network_hash, old.user_agent) == ("", "", "")
    assert (new.ip_hash, new.network_hash, new.user_agent) == ("a" * 64, "b" * 64, "Firefox")
    old_report.refresh_from_db(), new_report.refresh_from_db()
    assert old_report.network_hash == "" and old_report.reader_key == f"r:{old_report.pk}"
    assert new_report.network_hash == "d" * 64 and new_report.reader_key == "g:r2"
    assert personal_data_purge() == {"comments": 0, "reports": 0, "logins": 0}


def test_the_privacy_page_is_linked_from_every_page(client, article):
    story = client.get(article.get_absolute_url()).content.decode()
    assert reverse("accounts:privacy") in story
    page = client.get(reverse("accounts:privacy")).content.decode()
    assert "We erase them after 90 days." in page
