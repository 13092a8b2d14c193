"""The moderation desk in the admin: queues, actions, one-click buttons, bans, readers, audit."""

import re

import pytest
from django.urls import reverse

from comments.models import (
    Ban,
    Comment,
    CommentReport,
    ModerationAction,
    ModerationSettings,
    ReaderProfile,
)

pytestmark = pytest.mark.django_db

Status = Comment.Status
CHANGELIST = reverse("admin:comments_comment_changelist")


@pytest.fixture
def queues(desk_comment):
    """One comment in each queue."""
    made = {
        "pending": desk_comment(status=Status.PENDING, body="pending one"),
        "approved": desk_comment(status=Status.APPROVED, body="approved one"),
        "rejected": desk_comment(status=Status.REJECTED, body="rejected one"),
        "spam": desk_comment(status=Status.SPAM, body="spam one"),
        "reported": desk_comment(status=Status.APPROVED, body="reported one"),
    }
    CommentReport.objects.create(comment=made["reported"], reader_key="g:x", reason="abuse")
    from django.utils import timezone

    made["deleted"] = desk_comment(
        status=Status.APPROVED, body="deleted one", deleted_at=timezone.now()
    )
    return made


def listed(response):
    return set(response.context["cl"].result_list)


def test_comment_list_opens_on_the_pending_queue(admin_client, queues):
    response = admin_client.get(CHANGELIST)
    assert listed(response) == {queues["pending"]}
    assert "Pending (1)" in response.text


@pytest.mark.parametrize("queue", ["pending", "approved", "rejected", "spam", "reported"])
def test_each_queue_lists_its_comments(admin_client, queues, queue):
    shown = listed(admin_client.get(CHANGELIST, {"queue": queue}))
    assert queues[queue] in shown
    assert queues["rejected" if queue != "rejected" else "pending"] not in shown


def test_deleted_by_author_queue(admin_client, queues):
    assert listed(admin_client.get(CHANGELIST, {"queue": "deleted"})) == {queues["deleted"]}


def test_all_queue_and_story_filter(admin_client, queues, make_article, desk_comment):
    other = desk_comment(article=make_article(headline="Elsewhere"), body="elsewhere")
    assert len(listed(admin_client.get(CHANGELIST, {"queue": "all"}))) == 7
    shown = listed(
        admin_client.get(CHANGELIST, {"queue": "all", "article__id__exact": other.article_id})
    )
    assert shown == {other}


def test_rule_filter_and_search_by_text_name_and_email(admin_client, desk_comment):
    held = desk_comment(
        status=Status.PENDING,
        moderation_rule="links",
        author_name="Linkie",
        author_email="linkie@example.com",
        body="Too many links",
    )
    desk_comment(status=Status.PENDING, moderation_rule="first_timer", body="hello")
    for params in (
        {"moderation_rule": "links"},
        {"q": "many links"},
        {"q": "Linkie"},
        {"q": "linkie@example"},
    ):
        assert listed(admin_client.get(CHANGELIST, params)) == {held}


def run_action(client, action, comments, **params):
    return client.post(
        CHANGELIST + ("?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else ""),
        {"action": action, "_selected_action": [c.pk for c in comments]},
        follow=True,
    )


@pytest.mark.parametrize(
    "action,status,message",
    [
        ("approve_comments", Status.APPROVED, "Approved 2 comments."),
        ("reject_comments", Status.REJECTED, "Rejected 2 comments."),
        ("mark_spam", Status.SPAM, "Marked 2 comments as spam."),
    ],
)
def test_bulk_actions_move_comments_and_report_counts(
    admin_client, admin_user, desk_comment, action, status, message
):
    chosen = [desk_comment(status=Status.PENDING, body=f"c{n}") for n in range(2)]
    left = desk_comment(status=Status.PENDING, body="left alone")
    response = run_action(admin_client, action, chosen)
    assert message in response.text
    assert set(Comment.objects.filter(status=status)) == set(chosen)
    left.refresh_from_db()
    assert left.status == Status.PENDING
    entries = ModerationAction.objects.filter(actor=admin_user)
    assert {(e.comment_id, e.from_status, e.to_status) for e in entries} == {
        (c.pk, Status.PENDING, status) for c in chosen
    }
    chosen[0].refresh_from_db()
    assert chosen[0].decided_by == admin_user and chosen[0].decided_at is not None


def test_bulk_action_counts_only_comments_it_changed(admin_client, desk_comment):
    already = desk_comment(status=Status.APPROVED)
    waiting = desk_comment(status=Status.PENDING)
    response = run_action(admin_client, "approve_comments", [already, waiting])
    assert "Approved 1 comment." in response.text


def test_feature_action_picks_only_approved_comments(admin_client, admin_user, desk_comment):
    shown = desk_comment(status=Status.APPROVED)
    held = desk_comment(status=Status.PENDING)
    response = run_action(admin_client, "feature_comments", [shown, held], queue="all")
    assert "Made 1 comment an editor&#x27;s pick." in response.text
    shown.refresh_from_db()
    held.refresh_from_db()
    assert shown.is_featured and not held.is_featured
    assert ModerationAction.objects.filter(action="feature", comment=shown).exists()
    response = run_action(admin_client, "unfeature_comments", [shown], queue="all")
    shown.refresh_from_db()
    assert not shown.is_featured


def test_one_click_buttons_approve_and_reject_from_the_list(admin_client, admin_user, desk_comment):
    first = desk_comment(status=Status.PENDING, author_name="Ada")
    second = desk_comment(status=Status.PENDING, author_name="Bo")
    page = admin_client.get(CHANGELIST)
    approve_url = reverse("admin:comments_comment_moderate", args=[first.pk, "approved"])
    reject_url = reverse("admin:comments_comment_moderate", args=[second.pk, "rejected"])
    assert f'formaction="{approve_url}?expected=pending"' in page.text
    assert f'formaction="{reject_url}?expected=pending"' in page.text
    response = admin_client.post(approve_url, {"next": CHANGELIST + "?queue=pending"})
    assert response.status_code == 302 and response["Location"] == CHANGELIST + "?queue=pending"
    admin_client.post(reject_url)
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == (Status.APPROVED, Status.REJECTED)
    assert ModerationAction.objects.filter(actor=admin_user).count() == 2


def test_one_click_needs_post_and_a_csrf_token(desk_comment, admin_user, client):
    from django.test import Client

    comment = desk_comment(status=Status.PENDING)
    url = reverse("admin:comments_comment_moderate", args=[comment.pk, "approved"])
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(admin_user)
    assert strict.get(url).status_code == 405
    assert strict.post(url).status_code == 403
    comment.refresh_from_db()
    assert comment.status == Status.PENDING


def test_one_click_rejects_unsafe_next_urls(admin_client, desk_comment):
    comment = desk_comment(status=Status.PENDING)
    url = reverse("admin:comments_comment_moderate", args=[comment.pk, "approved"])
    response = admin_client.post(url, {"next": "https://evil.example/"})
    assert response["Location"] == CHANGELIST


def test_change_page_shows_parent_history_and_ban_form(admin_client, desk_comment):
    parent = desk_comment(author_name="Parent", body="The original point")
    earlier = desk_comment(reader_key="g:replier", body="An earlier remark", status="rejected")
    reply = desk_comment(reader_key="g:replier", parent=parent, body="A reply")
    page = admin_client.get(reverse("admin:comments_comment_change", args=[reply.pk]))
    assert "The original point" in page.text
    assert "An earlier remark" in page.text and earlier.get_status_display() in page.text
    assert reverse("admin:comments_comment_ban", args=[reply.pk]) in page.text


def test_changing_status_on_the_change_page_is_logged(admin_client, admin_user, desk_comment):
    comment = desk_comment(status=Status.PENDING)
    admin_client.post(
        reverse("admin:comments_comment_change", args=[comment.pk]),
        {
            "status": "approved",
            "is_featured": "on",
            "reports-TOTAL_FORMS": "0",
            "reports-INITIAL_FORMS": "0",
        },
    )
    comment.refresh_from_db()
    assert comment.status == Status.APPROVED and comment.is_featured
    assert {e.action for e in ModerationAction.objects.filter(actor=admin_user)} == {
        "approve",
        "feature",
    }


def test_moderator_bans_a_reader_from_a_comment_rejecting_past_ones(
    admin_client, admin_user, desk_comment
):
    old = desk_comment(reader_key="g:troll", status=Status.APPROVED, body="Old")
    comment = desk_comment(reader_key="g:troll", status=Status.PENDING, body="New")
    response = admin_client.post(
        reverse("admin:comments_comment_ban", args=[comment.pk]),
        {"kind": "reader", "duration": "7", "reason": "Trolling", "reject_past": "on"},
        follow=True,
    )
    assert "Suspended" in response.text and "Rejected 2 past comments." in response.text
    ban = Ban.objects.get()
    assert ban.value == "g:troll" and ban.is_suspension and ban.is_active()
    old.refresh_from_db()
    assert old.status == Status.REJECTED
    assert ModerationAction.objects.filter(action="ban", actor=admin_user).exists()


def test_network_ban_from_a_comment_stores_only_the_hash(admin_client, desk_comment):
    comment = desk_comment(network_hash="f" * 64)
    admin_client.post(
        reverse("admin:comments_comment_ban", args=[comment.pk]),
        {"kind": "network", "duration": "", "reason": "Botnet"},
    )
    ban = Ban.objects.get()
    assert ban.value == "f" * 64 and ban.expires_at is None


def test_ban_added_by_hand_hashes_email_and_network(admin_client):
    add = reverse("admin:comments_ban_add")
    admin_client.post(add, {"kind": "email", "identity": "Troll@Example.com", "reason": "x"})
    admin_client.post(add, {"kind": "network", "identity": "203.0.113.77", "reason": "y"})
    email, network = Ban.objects.order_by("kind")
    assert "Troll" not in email.value and len(email.value) == 64
    assert network.label == "203.0.113.0/24" and "203" not in network.value
    from comments.moderation import email_hash
    from comments.readers import Reader

    assert email.value == email_hash("troll@example.com")
    assert network.value == Reader(key="g:x", ip="203.0.113.5").network_hash


def test_reader_profile_opens_from_a_comment_and_notes_are_logged(
    admin_client, admin_user, desk_comment
):
    comment = desk_comment(reader_key="g:noted", author_name="Noted Reader")
    response = admin_client.get(
        reverse("admin:comments_readerprofile_for", args=[comment.reader_key]), follow=True
    )
    profile = ReaderProfile.objects.get(reader_key="g:noted")
    assert profile.display_name == "Noted Reader"
    assert comment.body in response.text  # the reader's history
    admin_client.post(
        reverse("admin:comments_readerprofile_change", args=[profile.pk]),
        {"is_trusted": "on", "notes": "Knows the area well."},
    )
    profile.refresh_from_db()
    assert profile.is_trusted and profile.notes == "Knows the area well."
    entry = ModerationAction.objects.get(action="note")
    assert entry.actor == admin_user and "trusted" in entry.reason


def test_audit_log_is_read_only_and_filterable(admin_client, post_comment, desk_comment):
    post_comment("A newcomer says hi")
    held = desk_comment(status=Status.PENDING)
    admin_client.post(reverse("admin:comments_comment_moderate", args=[held.pk, "approved"]))
    log = reverse("admin:comments_moderationaction_changelist")
    assert len(admin_client.get(log).context["cl"].result_list) == 2
    by_rule = admin_client.get(log, {"by": "rule"}).context["cl"].result_list
    by_person = admin_client.get(log, {"by": "person"}).context["cl"].result_list
    assert [e.rule for e in by_rule] == ["first_timer"]
    assert [e.actor.username for e in by_person] == ["admin"]
    entry = by_person[0]
    change = reverse("admin:comments_moderationaction_change", args=[entry.pk])
    admin_client.post(change, {"reason": "tampered"})
    entry.refresh_from_db()
    assert entry.reason != "tampered"
    assert admin_client.get(reverse("admin:comments_moderationaction_add")).status_code == 403


def test_moderation_settings_open_directly_and_save(admin_client):
    response = admin_client.get(reverse("admin:comments_moderationsettings_changelist"))
    assert response.status_code == 302
    page = admin_client.get(response["Location"])
    assert "Banned words" in page.text
    data = {
        field: value
        for field, value in page.context["adminform"].form.initial.items()
        if value is not None
    }
    data.update(banned_words="alpha\nbeta", classifier_url="", report_threshold=5)
    admin_client.post(response["Location"], data)
    config = ModerationSettings.load()
    assert config.banned_words.split() == ["alpha", "beta"] and config.report_threshold == 5


def test_changelist_queries_do_not_grow_with_comments(
    admin_client, desk_comment, make_article, django_assert_max_num_queries
):
    stories = [make_article() for _ in range(5)]
    for n in range(120):
        desk_comment(article=stories[n % 5], status=Status.PENDING, body=f"comment {n}")
    with django_assert_max_num_queries(16):
        response = admin_client.get(CHANGELIST)
    assert len(re.findall(r'class="action-select"', response.text)) == 50


def test_admin_index_links_the_desk_and_dashboard(admin_client, desk_comment):
    desk_comment(status=Status.PENDING)
    page = admin_client.get(reverse("admin:index"))
    assert reverse("admin:comments_dashboard") in page.text
    assert "Pending comments" in page.text
