"""Each moderation rule on its own: what it decides, and when it stays silent."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from comments import moderation
from comments.models import Ban, Comment, ModerationSettings, ReaderProfile
from comments.moderation import Check, CommentRefused
from comments.readers import Reader

pytestmark = pytest.mark.django_db

Status = Comment.Status
GUEST = Reader(key="g:guest", ip="203.0.113.7")


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()


@pytest.fixture
def config():
    return ModerationSettings.load()


def check_for(article, body, *, reader=GUEST, email="", config=None, **fields):
    comment = Comment(
        article=article,
        reader_key=reader.key,
        author_name="Reader",
        author_email=email,
        body=body,
        network_hash=reader.network_hash,
        **fields,
    )
    return Check(comment=comment, reader=reader, config=config)


def test_closed_story_refuses_comments(make_article):
    story = make_article(comments_enabled=False)
    with pytest.raises(CommentRefused) as refused:
        moderation.closed(check_for(story, "Hello"))
    assert refused.value.status == 403 and refused.value.rule == "closed"


def test_story_past_its_close_date_refuses_comments(make_article):
    old = make_article(
        published_at=timezone.now() - timedelta(days=40), comments_close_after_days=30
    )
    with pytest.raises(CommentRefused):
        moderation.closed(check_for(old, "Hello"))


def test_story_with_its_own_longer_window_stays_open(make_article):
    old = make_article(
        published_at=timezone.now() - timedelta(days=40), comments_close_after_days=60
    )
    assert moderation.closed(check_for(old, "Hello")) is None


def test_open_story_passes_the_closed_rule(article):
    assert moderation.closed(check_for(article, "Hello")) is None


@pytest.mark.parametrize("body", ["", "   \n "])
def test_empty_comment_is_refused(article, body):
    with pytest.raises(CommentRefused) as refused:
        moderation.length(check_for(article, body))
    assert refused.value.status == 400


def test_overlong_comment_is_refused(article, settings):
    limit = settings.NEWSROOM["COMMENT_MAX_LENGTH"]
    with pytest.raises(CommentRefused):
        moderation.length(check_for(article, "x" * (limit + 1)))
    assert moderation.length(check_for(article, "x" * limit)) is None


def test_banned_reader_is_refused(article):
    Ban.objects.create(kind=Ban.Kind.READER, value=GUEST.key, reason="abuse")
    with pytest.raises(CommentRefused) as refused:
        moderation.ban(check_for(article, "Hello"))
    assert refused.value.status == 403
    assert "no longer comment" in refused.value.message


def test_suspended_reader_is_told_until_when(article):
    Ban.objects.create(
        kind=Ban.Kind.READER,
        value=GUEST.key,
        reason="cool off",
        expires_at=timezone.now() + timedelta(days=2),
    )
    with pytest.raises(CommentRefused) as refused:
        moderation.ban(check_for(article, "Hello"))
    assert "suspended from commenting until" in refused.value.message


def test_suspension_ends_by_itself(article):
    Ban.objects.create(
        kind=Ban.Kind.READER,
        value=GUEST.key,
        reason="cool off",
        expires_at=timezone.now() - timedelta(seconds=1),
    )
    assert moderation.ban(check_for(article, "Hello")) is None


def test_banned_email_is_refused_whatever_its_case(article):
    Ban.objects.create(
        kind=Ban.Kind.EMAIL, value=moderation.email_hash("troll@example.com"), reason="x"
    )
    with pytest.raises(CommentRefused):
        moderation.ban(check_for(article, "Hello", email="Troll@Example.COM"))
    assert moderation.ban(check_for(article, "Hello", email="friend@example.com")) is None


def test_banned_network_refuses_every_reader_on_it(article):
    Ban.objects.create(kind=Ban.Kind.NETWORK, value=GUEST.network_hash, reason="botnet")
    neighbour = Reader(key="g:neighbour", ip="203.0.113.200")
    far = Reader(key="g:far", ip="198.51.100.1")
    with pytest.raises(CommentRefused):
        moderation.ban(check_for(article, "Hello", reader=neighbour))
    assert moderation.ban(check_for(article, "Hello", reader=far)) is None


def test_ban_can_hold_instead_of_refusing(article, config):
    config.ban_action = ModerationSettings.BanAction.HOLD
    Ban.objects.create(kind=Ban.Kind.READER, value=GUEST.key, reason="abuse")
    decision = moderation.ban(check_for(article, "Hello", config=config))
    assert decision.status == Status.PENDING and decision.rule == "ban"
    assert "abuse" in decision.reason


def test_rate_limit_refuses_with_429_and_retry_after(article, settings):
    settings.NEWSROOM = {**settings.NEWSROOM, "COMMENT_RATE": "2/m"}
    for _ in range(2):
        assert moderation.rate_limit(check_for(article, "Hello")) is None
    with pytest.raises(CommentRefused) as refused:
        moderation.rate_limit(check_for(article, "Hello"))
    assert refused.value.status == 429 and refused.value.retry_after >= 1


def test_rate_limit_does_not_count_edits(article, settings):
    settings.NEWSROOM = {**settings.NEWSROOM, "COMMENT_RATE": "1/m"}
    moderation.rate_limit(check_for(article, "Hello"))
    edit = check_for(article, "Hello again")
    edit.is_edit = True
    assert moderation.rate_limit(edit) is None


@pytest.mark.parametrize(
    "body",
    [
        "You are a MORON.",
        "what a mor0n",
        "Mörön!",
        "m0r0n, honestly",
        "total moron!",
        "Such a d1ng bat here",
    ],
)
def test_banned_words_reject_whole_words_case_accents_and_leetspeak(article, config, body):
    config.banned_words = "moron\nding bat"
    decision = moderation.banned_words(check_for(article, body, config=config))
    assert decision.status == Status.REJECTED
    assert decision.rule == "banned_words"


@pytest.mark.parametrize("body", ["Sophomoronic is not a word", "oxymoron", "a moronic idea"])
def test_banned_words_ignore_longer_words_that_contain_them(article, config, body):
    config.banned_words = "moron"
    assert moderation.banned_words(check_for(article, body, config=config)) is None


def test_banned_word_reason_names_the_word(article, config):
    config.banned_words = "moron"
    decision = moderation.banned_words(check_for(article, "MORON", config=config))
    assert "moron" in decision.reason


def test_suspect_words_hold(article, config):
    config.suspect_words = "crypto\nguaranteed returns"
    decision = moderation.suspect_words(
        check_for(article, "GUARANTEED   returns on Crypto!", config=config)
    )
    assert decision.status == Status.PENDING and decision.rule == "suspect_words"
    assert moderation.suspect_words(check_for(article, "Nothing here", config=config)) is None


def test_guest_with_two_links_is_held_but_one_link_passes(article, config):
    one = "See https://example.com/a for details."
    two = "See https://example.com/a and www.example.org/b."
    assert moderation.links(check_for(article, one, config=config)) is None
    decision = moderation.links(check_for(article, two, config=config))
    assert decision.status == Status.PENDING and decision.rule == "links"
    assert "2 links" in decision.reason


def test_account_holders_may_post_more_links(article, config, django_user_model):
    user = django_user_model.objects.create_user("reader")
    member = Reader(key=f"u:{user.pk}", user=user, ip="203.0.113.7")
    three = "https://a.example https://b.example https://c.example"
    assert moderation.links(check_for(article, three, reader=member, config=config)) is None
    four = three + " https://d.example"
    assert moderation.links(check_for(article, four, reader=member, config=config)) is not None


def test_same_reader_repeating_their_text_is_held_as_spam(article, desk_comment, config):
    desk_comment(reader_key=GUEST.key, body="Buy my amazing course today")
    decision = moderation.repeated(
        check_for(article, "buy my AMAZING course, today!", config=config)
    )
    assert decision.status == Status.PENDING and decision.rule == "repeated"


def test_old_repeats_and_short_replies_are_not_spam(article, desk_comment, config):
    desk_comment(
        reader_key=GUEST.key,
        body="Buy my amazing course today",
        created_at=timezone.now() - timedelta(hours=30),
    )
    desk_comment(reader_key=GUEST.key, body="Agreed.")
    assert moderation.repeated(check_for(article, "Buy my amazing course today")) is None
    assert moderation.repeated(check_for(article, "Agreed.")) is None


def test_same_text_on_several_stories_is_held(make_article, desk_comment, config):
    text = "Visit my site for cheap watches"
    for n in range(2):
        desk_comment(article=make_article(), reader_key=f"g:other{n}", body=text)
    story = make_article()
    decision = moderation.repeated(check_for(story, text, config=config))
    assert decision.rule == "repeated" and "2 other stories" in decision.reason


def test_first_timer_is_held_until_they_have_an_approved_comment(article, desk_comment, config):
    decision = moderation.first_timer(check_for(article, "Hello", config=config))
    assert decision.status == Status.PENDING and decision.rule == "first_timer"
    desk_comment(reader_key=GUEST.key, status=Status.APPROVED)
    assert moderation.first_timer(check_for(article, "Hello", config=config)) is None


def test_first_timer_threshold_is_configurable(article, desk_comment, config):
    config.first_timer_approvals = 2
    desk_comment(reader_key=GUEST.key, status=Status.APPROVED)
    desk_comment(reader_key=GUEST.key, status=Status.REJECTED)
    assert moderation.first_timer(check_for(article, "Hello", config=config)) is not None
    desk_comment(reader_key=GUEST.key, status=Status.APPROVED)
    assert moderation.first_timer(check_for(article, "Hello", config=config)) is None
    config.first_timer_approvals = 3  # a new threshold is its own statement
    assert moderation.first_timer(check_for(article, "Hello", config=config)) is not None


def test_post_moderated_story_does_not_hold_first_timers(make_article, config):
    story = make_article(moderation_mode="post")
    assert moderation.first_timer(check_for(story, "Hello", config=config)) is None


def test_trusted_reader_skips_first_timer_and_pre_moderation(make_article, config):
    ReaderProfile.objects.create(reader_key=GUEST.key, is_trusted=True)
    story = make_article(moderation_mode="pre")
    assert moderation.first_timer(check_for(story, "Hello", config=config)) is None
    decision = moderation.moderation_mode(check_for(story, "Hello", config=config))
    assert decision.status == Status.APPROVED


def test_pre_moderated_story_holds_and_others_approve(make_article, settings):
    held = moderation.moderation_mode(check_for(make_article(moderation_mode="pre"), "Hi"))
    assert held.status == Status.PENDING and held.rule == "premoderation"
    shown = moderation.moderation_mode(check_for(make_article(moderation_mode="post"), "Hi"))
    assert shown.status == Status.APPROVED


def test_site_wide_pre_moderation_applies_to_stories_left_at_default(make_article, settings):
    settings.NEWSROOM = {**settings.NEWSROOM, "MODERATION_MODE": "pre"}
    decision = moderation.moderation_mode(check_for(make_article(), "Hi"))
    assert decision.status == Status.PENDING


def test_classifier_is_skipped_when_not_configured(article, config):
    assert moderation.external_classifier(check_for(article, "Hi", config=config)) is None


def test_word_lists_come_from_settings_on_first_use(settings):
    settings.NEWSROOM = {
        **settings.NEWSROOM,
        "MODERATION": {**settings.NEWSROOM["MODERATION"], "BANNED_WORDS": ["alpha", "beta"]},
    }
    assert ModerationSettings.load().banned_words == "alpha\nbeta"
