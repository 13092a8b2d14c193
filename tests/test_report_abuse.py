"""Reports cannot be weaponised: a crowd of throwaway reporters cannot hide a comment.

Hiding counts distinct networks whose reporters are hard to mint (a reader cookie or account
older than a day, or a reader with a visible comment); a moderator can Keep a comment, which
resolves its reports so the same crowd cannot hide it again; banned readers cannot report,
like or react, with or without their cookie.
"""

import time
import types
import uuid
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core import signing
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from comments import moderation, services
from comments.models import (
    Ban,
    Comment,
    CommentLike,
    CommentReport,
    ModerationAction,
    ModerationSettings,
    Reaction,
)
from comments.readers import COOKIE_NAME, COOKIE_SALT, Reader, keyed_hash, network_of

pytestmark = pytest.mark.django_db

Status = Comment.Status
FETCH = {"HTTP_X_REQUESTED_WITH": "fetch", "HTTP_ACCEPT": "application/json"}
QUEUE = "/api/moderation/comments/"


def network(n):
    """An address on the n-th distinct /24 network."""
    return f"198.51.{n}.7"


def cookie_issued(seconds_ago, monkeypatch):
    """Return a signed reader cookie as the site would have issued it `seconds_ago`."""
    then = time.time() - seconds_ago
    with monkeypatch.context() as patched:
        patched.setattr(signing, "time", types.SimpleNamespace(time=lambda: then))
        return signing.dumps(str(uuid.uuid4()), salt=COOKIE_SALT)


@pytest.fixture
def reporter(monkeypatch):
    """Return a client for a reader: cookieless, brand-new, or with a cookie days old."""

    def make(kind, *, api=False):
        client = APIClient() if api else Client()
        if kind == "new":
            client.cookies[COOKIE_NAME] = cookie_issued(60, monkeypatch)
        elif kind == "established":
            client.cookies[COOKIE_NAME] = cookie_issued(3 * 24 * 3600, monkeypatch)
        return client

    return make


@pytest.fixture
def target(article, make_comment):
    return make_comment(article, reader_key="g:author", body="An unpopular but fair opinion.")


def report_by_form(client, comment, ip, **extra):
    url = reverse("comment_report", args=[comment.pk])
    return client.post(url, {"reason": "abuse"}, REMOTE_ADDR=ip, **extra)


def report_by_api(client, comment, ip):
    url = f"/api/comments/{comment.pk}/report/"
    return client.post(url, {"reason": "abuse"}, format="json", REMOTE_ADDR=ip)


def status_of(comment):
    return Comment.objects.values_list("status", flat=True).get(pk=comment.pk)


# Counting reporters that are hard to mint


def test_three_cookieless_reports_from_one_network_do_not_hide_a_comment(target):
    for n in range(3):
        response = report_by_form(Client(), target, f"203.0.113.{n + 1}")
        assert response.status_code == 302
    assert CommentReport.objects.count() == 3
    assert status_of(target) == Status.APPROVED
    # The editors still see it in the Reported queue.
    assert target in Comment.objects.reported()


def test_thirty_cookieless_reports_from_one_network_do_not_hide_a_comment(target):
    statuses = [report_by_api(APIClient(), target, f"203.0.113.{n + 1}").status_code
                for n in range(30)]  # fmt: skip
    assert 201 in statuses
    assert status_of(target) == Status.APPROVED


def test_established_readers_on_one_network_count_once(target, reporter):
    for n in range(5):
        assert report_by_form(reporter("established"), target, f"203.0.113.{n + 1}").status_code
    assert CommentReport.objects.count() == 5
    assert status_of(target) == Status.APPROVED


def test_brand_new_cookies_on_distinct_networks_do_not_hide(target, reporter):
    for n in range(5):
        assert report_by_api(reporter("new", api=True), target, network(n)).status_code == 201
    assert status_of(target) == Status.APPROVED


def test_cookieless_reports_on_distinct_networks_do_not_hide(target):
    for n in range(5):
        assert report_by_form(Client(), target, network(n)).status_code == 302
    assert status_of(target) == Status.APPROVED


def test_established_readers_on_distinct_networks_hide_at_the_threshold_by_form(target, reporter):
    for n in range(2):
        assert report_by_form(reporter("established"), target, network(n)).status_code == 302
    assert status_of(target) == Status.APPROVED
    assert report_by_form(reporter("established"), target, network(2)).status_code == 302
    assert status_of(target) == Status.PENDING
    assert "3 reports" in Comment.objects.get(pk=target.pk).moderation_reason


def test_established_readers_on_distinct_networks_hide_at_the_threshold_by_api(target, reporter):
    for n in range(3):
        assert report_by_api(reporter("established", api=True), target, network(n)).status_code \
            == 201  # fmt: skip
    assert status_of(target) == Status.PENDING


def test_accounts_older_than_a_day_on_distinct_networks_hide_the_comment(target):
    for n in range(3):
        user = get_user_model().objects.create_user(
            f"reader{n}", password="pw", date_joined=timezone.now() - timedelta(days=3)
        )
        client = APIClient()
        client.force_login(user)
        assert report_by_api(client, target, network(n)).status_code == 201
    assert status_of(target) == Status.PENDING


def test_accounts_made_minutes_ago_weigh_like_new_guests(target):
    for n in range(3):
        client = APIClient()
        client.force_login(get_user_model().objects.create_user(f"fresh{n}", password="pw"))
        assert report_by_api(client, target, network(n)).status_code == 201
    assert status_of(target) == Status.APPROVED


def test_a_new_reader_with_a_visible_comment_from_yesterday_counts_fully(
    target, article, make_comment
):
    for n in range(3):
        key = f"g:{uuid.uuid4()}"
        make_comment(
            article,
            reader_key=key,
            body=f"My earlier view {n}",
            created_at=timezone.now() - timedelta(hours=25),
        )
        report_as(Reader(key=key, ip=network(n)), target)
    assert status_of(target) == Status.PENDING


def test_a_comment_posted_just_before_reporting_does_not_make_a_reporter_established(
    target, article, make_comment
):
    # Post on a post-moderated story, report, then delete: none of it is hard to mint.
    for n in range(3):
        key = f"g:{uuid.uuid4()}"
        make_comment(article, reader_key=key, body=f"Fresh view {n}")
        report_as(Reader(key=key, ip=network(n)), target)
    assert status_of(target) == Status.APPROVED


def test_editors_can_give_brand_new_reporters_some_weight(target, reporter):
    ModerationSettings.objects.update_or_create(pk=1, defaults={"new_reporter_weight": 50})
    ModerationSettings.load_row()
    for n in range(5):
        report_by_api(reporter("new", api=True), target, network(n))
    assert status_of(target) == Status.APPROVED  # 5 × 0.5 = 2.5 < 3
    report_by_api(reporter("new", api=True), target, network(5))
    assert status_of(target) == Status.PENDING


def test_the_report_stores_the_reporters_network_not_the_address(target):
    report_by_form(Client(), target, "203.0.113.77")
    report = CommentReport.objects.get()
    assert report.network_hash == keyed_hash(network_of("203.0.113.77"), purpose="network")
    assert "203.0.113" not in report.network_hash
    assert report.is_established is False


# The per-network report rate


def test_a_report_flood_from_one_network_is_refused_with_429_by_api(
    article, make_comment, settings
):
    settings.NEWSROOM = {**settings.NEWSROOM, "REPORT_NETWORK_RATE": "3/h"}
    targets = [make_comment(article, body=f"Post {n}") for n in range(5)]
    statuses = [
        report_by_api(APIClient(), comment, f"203.0.113.{n + 1}").status_code
        for n, comment in enumerate(targets)
    ]
    assert statuses == [201, 201, 201, 429, 429]
    assert CommentReport.objects.count() == 3
    refused = report_by_api(APIClient(), targets[4], "203.0.113.99")
    assert int(refused["Retry-After"]) > 0
    assert refused.json()["errors"][0]["code"] == "throttled"
    # Another network is not held back by this one's flood.
    assert report_by_api(APIClient(), targets[4], network(9)).status_code == 201


def test_a_report_flood_from_one_network_gets_a_clear_message_on_the_form(
    article, make_comment, settings
):
    settings.NEWSROOM = {**settings.NEWSROOM, "REPORT_NETWORK_RATE": "2/h"}
    targets = [make_comment(article, body=f"Post {n}") for n in range(3)]
    for comment in targets[:2]:
        assert report_by_form(Client(), comment, "203.0.113.5").status_code == 302
    client = Client()
    refused = report_by_form(client, targets[2], "203.0.113.6", follow=True)
    assert "You are reporting too fast" in refused.content.decode()
    script = report_by_form(Client(), targets[2], "203.0.113.7", **FETCH)
    assert script.status_code == 429 and "reporting too fast" in script.json()["message"]
    assert CommentReport.objects.count() == 2


def test_the_report_rate_is_much_lower_than_the_comment_rate(settings):
    from django_ratelimit.core import _split_rate

    count, seconds = _split_rate(settings.NEWSROOM["REPORT_NETWORK_RATE"])
    comments, comment_seconds = _split_rate(settings.NEWSROOM["COMMENT_NETWORK_RATE"])
    assert count / seconds * 10 <= comments / comment_seconds


# Keep


@pytest.fixture
def hidden_by_reports(target):
    for n in range(3):
        report_as(established(f"g:wave1-{n}", network(n)), target)
    assert status_of(target) == Status.PENDING
    return target


def established(key, ip):
    return Reader(key=key, ip=ip, since=timezone.now() - timedelta(days=3))


def report_as(reader, comment):
    return services.comment_report(comment=comment, reader=reader, reason="abuse")


def keep(comment, moderator):
    kept = moderation.comment_keep(comments=Comment.objects.filter(pk=comment.pk), actor=moderator)
    comment.refresh_from_db()
    return kept


def test_keep_restores_a_comment_hidden_by_reports_and_resolves_them(hidden_by_reports, moderator):
    kept = moderation.comment_keep(
        comments=Comment.objects.filter(pk=hidden_by_reports.pk), actor=moderator
    )
    assert kept == 1
    assert status_of(hidden_by_reports) == Status.APPROVED
    assert not Comment.objects.reported().exists()
    for report in CommentReport.objects.all():
        assert report.resolution == CommentReport.Resolution.KEPT
        assert report.resolved_by == moderator and report.resolved_at is not None
    entry = ModerationAction.objects.get(comment=hidden_by_reports, action="keep")
    assert entry.actor == moderator
    assert (entry.from_status, entry.to_status) == ("pending", "approved")


def test_kept_reports_and_their_networks_cannot_hide_the_comment_again(
    hidden_by_reports, moderator
):
    keep(hidden_by_reports, moderator)
    assert moderation.report_threshold_check(hidden_by_reports) is False
    # The same crowd with fresh identities on the same networks does not count again.
    for n in range(3):
        report_as(established(f"g:again-{n}", network(n)), hidden_by_reports)
    assert status_of(hidden_by_reports) == Status.APPROVED


def test_a_new_wave_of_reporters_can_hide_a_kept_comment(hidden_by_reports, moderator):
    keep(hidden_by_reports, moderator)
    for n in range(10, 12):
        report_as(established(f"g:wave2-{n}", network(n)), hidden_by_reports)
    assert status_of(hidden_by_reports) == Status.APPROVED
    report_as(established("g:wave2-12", network(12)), hidden_by_reports)
    assert status_of(hidden_by_reports) == Status.PENDING


def test_keep_on_a_comment_without_open_reports_changes_nothing(target, moderator):
    kept = moderation.comment_keep(comments=Comment.objects.filter(pk=target.pk), actor=moderator)
    assert kept == 0
    assert not ModerationAction.objects.exists()


def test_moderator_keeps_reported_comments_with_the_bulk_action(
    client, hidden_by_reports, moderator, article, make_comment
):
    quiet = make_comment(article, body="Nobody reported me")
    client.force_login(moderator)
    changelist = reverse("admin:comments_comment_changelist")
    response = client.post(
        changelist + "?queue=all",
        {"action": "keep_comments", "_selected_action": [hidden_by_reports.pk, quiet.pk]},
        follow=True,
    )
    text = response.content.decode()
    assert "Kept 1 comment; its reports are resolved." in text
    assert "1 selected comment had no open reports" in text
    assert status_of(hidden_by_reports) == Status.APPROVED
    assert ModerationAction.objects.filter(action="keep", actor=moderator).count() == 1


def test_staff_without_the_moderation_permission_cannot_keep(client, hidden_by_reports):
    intern = get_user_model().objects.create_user("intern", password="pw", is_staff=True)
    intern.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_comment", "change_comment"])
    )
    client.force_login(intern)
    changelist = reverse("admin:comments_comment_changelist")
    assert "keep_comments" not in client.get(changelist + "?queue=reported").content.decode()
    client.post(changelist, {"action": "keep_comments", "_selected_action": [hidden_by_reports.pk]})
    assert client.post(reverse("admin:comments_comment_keep", args=[hidden_by_reports.pk]))\
        .status_code == 403  # fmt: skip
    assert status_of(hidden_by_reports) == Status.PENDING


def test_reported_queue_rows_have_a_one_click_keep_button(client, hidden_by_reports, moderator):
    client.force_login(moderator)
    queue = reverse("admin:comments_comment_changelist") + "?queue=reported"
    page = client.get(queue).content.decode()
    keep_url = reverse("admin:comments_comment_keep", args=[hidden_by_reports.pk])
    assert f'formaction="{keep_url}?expected=pending"' in page
    assert f"Keep {hidden_by_reports.author_name}" in page
    response = client.post(keep_url, {"next": queue}, follow=True)
    assert "Kept the comment by" in response.content.decode()
    assert status_of(hidden_by_reports) == Status.APPROVED
    assert keep_url not in client.get(queue).content.decode()


def test_moderation_api_keeps_a_reported_comment(hidden_by_reports, moderator):
    desk = APIClient()
    desk.force_login(moderator)
    url = f"{QUEUE}{hidden_by_reports.pk}/keep/"
    response = desk.post(url, {"reason": "Fair criticism"}, format="json")
    assert response.status_code == 200
    assert response.json()["status"] == "approved"
    assert ModerationAction.objects.get(action="keep").reason == "Fair criticism"
    again = desk.post(url, {}, format="json")
    assert again.status_code == 409
    assert again.json()["errors"][0]["code"] == "no_open_reports"
    assert ModerationAction.objects.filter(action="keep").count() == 1


def test_moderation_api_keep_needs_the_moderation_permission(hidden_by_reports):
    reader = APIClient()
    reader.force_login(get_user_model().objects.create_user("reader", password="pw"))
    response = reader.post(f"{QUEUE}{hidden_by_reports.pk}/keep/", {}, format="json")
    assert response.status_code == 403
    assert status_of(hidden_by_reports) == Status.PENDING


def test_keep_is_in_the_openapi_schema(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    operation = schema["paths"]["/api/moderation/comments/{id}/keep/"]["post"]
    assert operation["operationId"] == "keepComment"
    assert "409" in operation["responses"]


# Banned readers


@pytest.fixture
def banned_guest(monkeypatch):
    """A guest with an established cookie, banned by reader key."""
    client = Client()
    client.cookies[COOKIE_NAME] = cookie_issued(3 * 24 * 3600, monkeypatch)
    guest_id = signing.loads(client.cookies[COOKIE_NAME].value, salt=COOKIE_SALT)
    Ban.objects.create(kind=Ban.Kind.READER, value=f"g:{guest_id}", reason="Brigading")
    return client


def nothing_written():
    return not (CommentReport.objects.exists() or CommentLike.objects.exists()
                or Reaction.objects.exists())  # fmt: skip


def test_a_banned_reader_cannot_report_like_or_react_by_form(banned_guest, article, target):
    report = report_by_form(banned_guest, target, network(1), follow=True)
    assert "You can no longer take part" in report.content.decode()
    like = banned_guest.post(reverse("comment_like", args=[target.pk]), follow=True)
    assert "You can no longer take part" in like.content.decode()
    react = banned_guest.post(reverse("react", args=[article.slug]), {"kind": "sad"})
    assert react.status_code == 403 and "You can no longer take part" in react.content.decode()
    assert nothing_written()
    assert Comment.objects.get(pk=target.pk).like_count == 0


def test_a_banned_reader_cannot_report_like_or_react_by_api(article, target, monkeypatch):
    client = APIClient()
    client.cookies[COOKIE_NAME] = cookie_issued(3600, monkeypatch)
    guest_id = signing.loads(client.cookies[COOKIE_NAME].value, salt=COOKIE_SALT)
    Ban.objects.create(
        kind=Ban.Kind.READER,
        value=f"g:{guest_id}",
        reason="Cool off",
        expires_at=timezone.now() + timedelta(days=1),
    )
    assert_refused_as_banned(client, article, target, "suspended")


def assert_refused_as_banned(client, article, comment, message):
    """Report, like and react through the API: each refused with 403 `banned`, nothing written."""
    responses = [
        client.post(f"/api/comments/{comment.pk}/report/", {"reason": "spam"}, format="json"),
        client.put(f"/api/comments/{comment.pk}/like/"),
        client.put(f"/api/articles/{article.slug}/reactions/", {"kind": "sad"}, format="json"),
    ]
    for response in responses:
        assert response.status_code == 403
        [error] = response.json()["errors"]
        assert error["code"] == "banned" and message in error["detail"]
    assert nothing_written()


@pytest.mark.parametrize("api", [False, True], ids=["form", "api"])
def test_dropping_the_cookie_does_not_evade_a_network_ban(
    article, target, comment_data, post_moderated_site, api
):
    Ban.objects.create(
        kind=Ban.Kind.NETWORK,
        value=keyed_hash(network_of("203.0.113.1"), purpose="network"),
        reason="Brigade source",
    )
    ip = "203.0.113.200"  # another address on the banned /24, no cookie
    if api:
        client = APIClient()
        calls = [
            client.post(f"/api/comments/{target.pk}/report/", {"reason": "spam"}, format="json",
                        REMOTE_ADDR=ip),
            client.put(f"/api/comments/{target.pk}/like/", REMOTE_ADDR=ip),
            client.put(f"/api/articles/{article.slug}/reactions/", {"kind": "sad"}, format="json",
                       REMOTE_ADDR=ip),
            client.post(f"/api/articles/{article.slug}/comments/",
                        {"body": "Let me in", "author_name": "X"}, format="json", REMOTE_ADDR=ip),
        ]  # fmt: skip
        assert [response.status_code for response in calls] == [403] * 4
    else:
        calls = [
            report_by_form(Client(), target, ip, **FETCH),
            Client().post(reverse("comment_like", args=[target.pk]), REMOTE_ADDR=ip, **FETCH),
            Client().post(reverse("react", args=[article.slug]), {"kind": "sad"},
                          REMOTE_ADDR=ip, **FETCH),
            # Only the CSRF cookie any browser gets with the form: no reader cookie.
            (browser := Client()).post(reverse("comment_post", args=[article.slug]),
                          comment_data(article, body="Let me in", browser=browser),
                          REMOTE_ADDR=ip),
        ]  # fmt: skip
        assert [response.status_code for response in calls] == [403] * 4
    assert nothing_written()
    assert not Comment.objects.filter(body="Let me in").exists()


def test_an_email_ban_stops_the_account_with_that_email(article, target):
    user = get_user_model().objects.create_user("banned", email="Troll@Example.com", password="x")
    Ban.objects.create(
        kind=Ban.Kind.EMAIL, value=moderation.email_hash("troll@example.com"), reason="Abuse"
    )
    client = APIClient()
    client.force_login(user)
    response = client.put(f"/api/articles/{article.slug}/reactions/", {"kind": "sad"},
                          format="json")  # fmt: skip
    assert response.status_code == 403
    assert nothing_written()


def test_an_expired_suspension_lets_the_reader_react_again(article, monkeypatch):
    client = Client()
    client.cookies[COOKIE_NAME] = cookie_issued(3600, monkeypatch)
    guest_id = signing.loads(client.cookies[COOKIE_NAME].value, salt=COOKIE_SALT)
    Ban.objects.create(kind=Ban.Kind.READER, value=f"g:{guest_id}", reason="x",
                       expires_at=timezone.now() - timedelta(minutes=1))  # fmt: skip
    assert client.post(reverse("react", args=[article.slug]), {"kind": "sad"}).status_code == 302
    assert Reaction.objects.count() == 1
