"""An email ban reaches a guest through the emails they typed on their comments.

A guest is known by email only through what they typed; their reader cookie links them to those
comments. So a guest who commented with a banned address cannot like, report, react or comment
again from that cookie, even leaving the email out; a guest who typed another address, or none,
is not touched.
"""

import uuid
from datetime import timedelta

import pytest
from django.core import signing
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from comments import moderation, services
from comments.models import Ban, Comment, CommentLike, CommentReport, Reaction
from comments.readers import COOKIE_NAME, COOKIE_SALT, Reader
from tests.test_report_abuse import assert_refused_as_banned

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("relaxed_comment_limits")]

Status = Comment.Status
BANNED = "Troll@Example.com"


def guest(client_class=Client):
    """A client with a reader cookie, and its reader key."""
    client = client_class()
    client.cookies[COOKIE_NAME] = signing.dumps(str(uuid.uuid4()), salt=COOKIE_SALT)
    return client, f"g:{signing.loads(client.cookies[COOKIE_NAME].value, salt=COOKIE_SALT)}"


@pytest.fixture
def email_ban():
    return Ban.objects.create(
        kind=Ban.Kind.EMAIL, value=moderation.email_hash("troll@example.com"), reason="Abuse"
    )


@pytest.fixture
def target(article, make_comment):
    return make_comment(article, reader_key="g:author", author_email="", body="A fair opinion.")


def nothing_written():
    return not (CommentReport.objects.exists() or CommentLike.objects.exists()
                or Reaction.objects.exists())  # fmt: skip


def test_a_guest_who_commented_with_a_banned_email_cannot_like_report_or_react_by_api(
    article, target, make_comment, email_ban
):
    client, key = guest(APIClient)
    make_comment(article, reader_key=key, author_email=BANNED, body="Earlier")
    assert_refused_as_banned(client, article, target, "no longer take part")
    assert Comment.objects.get(pk=target.pk).like_count == 0


def test_a_guest_who_commented_with_a_banned_email_cannot_like_report_or_react_by_form(
    article, target, make_comment, email_ban
):
    client, key = guest()
    make_comment(article, reader_key=key, author_email=BANNED, body="Earlier")
    report = client.post(reverse("comment_report", args=[target.pk]), {"reason": "abuse"},
                         follow=True)  # fmt: skip
    assert "You can no longer take part" in report.content.decode()
    like = client.post(reverse("comment_like", args=[target.pk]), follow=True)
    assert "You can no longer take part" in like.content.decode()
    react = client.post(reverse("react", args=[article.slug]), {"kind": "sad"})
    assert react.status_code == 403
    assert nothing_written()


def test_leaving_the_email_out_does_not_evade_the_ban(article, make_comment, email_ban):
    client, key = guest()
    make_comment(article, reader_key=key, author_email=BANNED, body="Earlier")
    with pytest.raises(moderation.CommentRefused) as refused:
        services.comment_submit(article=article, reader=Reader(key=key, ip="203.0.113.5"),
                                body="Me again, without an email", author_name="T")  # fmt: skip
    assert refused.value.code == "banned"
    assert not Comment.objects.filter(body__startswith="Me again").exists()


def test_a_suspension_by_email_says_until_when(article, target, make_comment):
    Ban.objects.create(kind=Ban.Kind.EMAIL, value=moderation.email_hash(BANNED), reason="x",
                       expires_at=timezone.now() + timedelta(days=1))  # fmt: skip
    client, key = guest(APIClient)
    make_comment(article, reader_key=key, author_email=BANNED, body="Earlier")
    response = client.put(f"/api/comments/{target.pk}/like/")
    assert response.status_code == 403 and "suspended" in response.json()["errors"][0]["detail"]


def test_guests_with_other_emails_or_none_are_not_touched(article, target, make_comment, email_ban):
    other, key = guest(APIClient)
    make_comment(article, reader_key=key, author_email="ada@example.com", body="Earlier")
    silent, _key = guest(APIClient)
    assert other.put(f"/api/comments/{target.pk}/like/").status_code == 200
    assert silent.put(f"/api/comments/{target.pk}/like/").status_code == 200
    assert Comment.objects.get(pk=target.pk).like_count == 2


def test_a_lifted_email_ban_lets_the_guest_take_part_again(
    article, target, make_comment, email_ban, moderator
):
    client, key = guest(APIClient)
    make_comment(article, reader_key=key, author_email=BANNED, body="Earlier")
    moderation.ban_lift(bans=Ban.objects.filter(pk=email_ban.pk), actor=moderator)
    assert client.put(f"/api/comments/{target.pk}/like/").status_code == 200


def test_a_guest_brigade_banned_by_email_loses_its_report_weight(
    article, target, make_comment, email_ban
):
    now = timezone.now()
    for n in range(2):
        key = f"g:{uuid.uuid4()}"
        make_comment(article, reader_key=key, author_email=BANNED, body=f"View {n}",
                     created_at=now - timedelta(hours=25))  # fmt: skip
        reader = Reader(key=key, ip=f"198.51.{n}.7", since=now - timedelta(days=3))
        # Filed before the ban reached them (as if the ban came after): written directly.
        CommentReport.objects.create(
            comment=target,
            reader_key=reader.key,
            reason="abuse",
            network_hash=reader.network_hash,
            is_established=True,
        )
    honest = Reader(key="g:honest", ip="198.51.9.7", since=now - timedelta(days=3))
    services.comment_report(comment=target, reader=honest, reason="abuse")
    assert Comment.objects.get(pk=target.pk).status == Status.APPROVED
