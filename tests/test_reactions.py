from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import IntegrityError, connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from articles.models import Article
from comments.models import Reaction, ReactionKind, ReactionTally
from comments.reactions import (
    ATTEMPTS,
    ReactionRefused,
    reaction_bar,
    reaction_recount,
    reaction_set,
    retry_on_conflict,
    shares,
)
from comments.readers import COOKIE_NAME, Reader

pytestmark = pytest.mark.django_db

JSON = {"HTTP_ACCEPT": "application/json"}


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()


def guest(n=1, ip="203.0.113.9"):
    return Reader(key=f"g:00000000-0000-0000-0000-{n:012d}", ip=ip)


def tallies(article):
    return dict(ReactionTally.objects.filter(article=article).values_list("kind", "count"))


def react_url(article):
    return reverse("react", kwargs={"slug": article.slug})


# The rule, where it lives


def test_first_reaction_counts_once(article):
    assert reaction_set(article=article, reader=guest(), kind="sad") == "sad"
    assert tallies(article) == {"sad": 1}
    assert Reaction.objects.get().kind == "sad"


def test_choosing_another_reaction_replaces_the_first(article):
    reaction_set(article=article, reader=guest(), kind="sad")
    assert reaction_set(article=article, reader=guest(), kind="love") == "love"
    assert Reaction.objects.count() == 1
    assert tallies(article) == {"sad": 0, "love": 1}


def test_choosing_the_same_reaction_again_removes_it(article):
    reaction_set(article=article, reader=guest(), kind="wow")
    assert reaction_set(article=article, reader=guest(), kind="wow") is None
    assert not Reaction.objects.exists()
    assert tallies(article) == {"wow": 0}


def test_setting_without_toggle_is_idempotent(article):
    for _ in range(2):
        assert reaction_set(article=article, reader=guest(), kind="wow", toggle=False) == "wow"
    assert tallies(article) == {"wow": 1}
    assert reaction_set(article=article, reader=guest(), kind="sad", toggle=False) == "sad"
    assert tallies(article) == {"wow": 0, "sad": 1}
    for _ in range(2):
        assert reaction_set(article=article, reader=guest(), kind=None, toggle=False) is None
    assert not Reaction.objects.exists()
    assert tallies(article) == {"wow": 0, "sad": 0}


def test_a_repeated_set_does_not_refresh_cached_pages(article):
    reaction_set(article=article, reader=guest(), kind="wow", toggle=False)
    version = Article.objects.get(pk=article.pk).page_version
    reaction_set(article=article, reader=guest(), kind="wow", toggle=False)
    assert Article.objects.get(pk=article.pk).page_version == version


def test_each_reader_counts_once_per_story(article, make_article):
    other = make_article()
    for n in range(3):
        reaction_set(article=article, reader=guest(n), kind="like")
    reaction_set(article=other, reader=guest(0), kind="like")
    assert tallies(article) == {"like": 3}
    assert tallies(other) == {"like": 1}


def test_replacing_keeps_when_the_reader_first_reacted(article):
    reaction_set(article=article, reader=guest(), kind="sad")
    first = Reaction.objects.get().created_at
    reaction_set(article=article, reader=guest(), kind="angry")
    reaction = Reaction.objects.get()
    assert reaction.created_at == first
    assert reaction.updated_at >= first


@pytest.mark.parametrize(
    "fields",
    [
        {"reactions_enabled": False},
        {"status": Article.Status.DRAFT},
        {"published_at": timezone.now() + timedelta(days=1)},
    ],
)
def test_switched_off_or_unpublished_story_refuses_reactions(make_article, fields):
    story = make_article(**fields)
    with pytest.raises(ReactionRefused) as refused:
        reaction_set(article=story, reader=guest(), kind="like")
    assert refused.value.status == 403
    assert not Reaction.objects.exists() and not ReactionTally.objects.exists()


@pytest.mark.parametrize("kind", ["nope", "", "LIKE", "like; drop table", "like\x00", "x" * 5000])
def test_unknown_reaction_key_is_refused(article, kind):
    with pytest.raises(ReactionRefused) as refused:
        reaction_set(article=article, reader=guest(), kind=kind)
    assert refused.value.status == 400
    assert not Reaction.objects.exists()


def test_disabled_reaction_is_refused_but_keeps_its_count(article):
    reaction_set(article=article, reader=guest(1), kind="angry")
    ReactionKind.objects.filter(key="angry").update(enabled=False)
    with pytest.raises(ReactionRefused):
        reaction_set(article=article, reader=guest(2), kind="angry")
    assert [item.key for item in reaction_bar(article).items] == [
        "like",
        "love",
        "laugh",
        "wow",
        "sad",
    ]
    ReactionKind.objects.filter(key="angry").update(enabled=True, position=0, label="Furious")
    first = reaction_bar(article).items[0]
    assert (first.key, first.label, first.count) == ("angry", "Furious", 1)


def test_enabled_kinds_rule_lives_in_the_queryset():
    ReactionKind.objects.filter(key="wow").update(enabled=False)
    assert "wow" not in ReactionKind.objects.enabled().values_list("key", flat=True)
    assert ReactionKind.objects.enabled().count() == 5


def test_flooding_reader_is_stopped_and_nothing_changes(article, settings):
    settings.NEWSROOM = {**settings.NEWSROOM, "REACTION_RATE": "3/m"}
    for kind in ["like", "love", "like"]:
        reaction_set(article=article, reader=guest(), kind=kind)
    before = tallies(article)
    with pytest.raises(ReactionRefused) as refused:
        reaction_set(article=article, reader=guest(), kind="sad")
    assert refused.value.status == 429
    assert refused.value.retry_after >= 1
    assert tallies(article) == before
    assert Reaction.objects.get().kind == "like"


def test_flooding_network_is_stopped(article, settings):
    settings.NEWSROOM = {**settings.NEWSROOM, "REACTION_NETWORK_RATE": "4/m"}
    for n in range(4):
        reaction_set(article=article, reader=guest(n, ip=f"198.51.100.{n}"), kind="like")
    with pytest.raises(ReactionRefused) as refused:
        reaction_set(article=article, reader=guest(9, ip="198.51.100.200"), kind="like")
    assert refused.value.status == 429
    assert tallies(article) == {"like": 4}


# What the database itself enforces


def test_database_refuses_a_second_reaction_by_one_reader(article):
    Reaction.objects.create(article=article, reader_key="g:x", kind="like")
    with pytest.raises(IntegrityError), transaction.atomic():
        Reaction.objects.create(article=article, reader_key="g:x", kind="sad")


def test_database_refuses_a_negative_tally(article):
    with pytest.raises(IntegrityError), transaction.atomic():
        ReactionTally.objects.create(article=article, kind="like", count=-1)


def test_database_refuses_two_tallies_for_one_key(article):
    ReactionTally.objects.create(article=article, kind="like", count=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        ReactionTally.objects.create(article=article, kind="like", count=1)


def test_a_write_that_lost_a_unique_race_runs_again_and_leaves_no_trace(article):
    attempts = []

    def write():
        attempts.append(1)
        Reaction.objects.create(article=article, reader_key=f"g:{len(attempts)}", kind="like")
        if len(attempts) == 1:
            # What a concurrent writer's committed row does to us: the whole attempt rolls back.
            ReactionTally.objects.create(article=article, kind="x", count=1)
            ReactionTally.objects.create(article=article, kind="x", count=1)
        return "done"

    assert retry_on_conflict(write) == "done"
    assert len(attempts) == 2
    assert list(Reaction.objects.values_list("reader_key", flat=True)) == ["g:2"]
    assert not ReactionTally.objects.exists()


def test_a_write_that_keeps_losing_gives_up(article):
    attempts = []

    def write():
        attempts.append(1)
        ReactionTally.objects.create(article=article, kind="x", count=-1)

    with pytest.raises(IntegrityError):
        retry_on_conflict(write)
    assert len(attempts) == ATTEMPTS


def test_removing_from_a_short_tally_does_not_go_negative(article):
    reaction_set(article=article, reader=guest(), kind="sad")
    ReactionTally.objects.filter(article=article).update(count=0)  # drift made by hand
    assert reaction_set(article=article, reader=guest(), kind="sad") is None
    assert tallies(article) == {"sad": 0}


# Reading the bar


def test_shares_are_whole_percentages_that_add_up_to_100():
    assert shares([1, 1, 1]) == [34, 33, 33]
    assert shares([0, 0]) == [0, 0]
    assert shares([3, 1, 0]) == [75, 25, 0]
    assert sum(shares([7, 5, 3, 2, 1, 1])) == 100


def test_bar_shows_counts_shares_and_the_readers_choice(article, django_assert_num_queries):
    for n, kind in enumerate(["sad", "sad", "sad", "like"]):
        reaction_set(article=article, reader=guest(n), kind=kind)
    with django_assert_num_queries(1):
        bar = reaction_bar(article, guest(0).key)
    sad = next(item for item in bar.items if item.key == "sad")
    assert (sad.count, sad.share, sad.pressed) == (3, 75, True)
    assert sad.name == "Sad, 3 reactions, 75% of all"
    assert bar.total == 4 and bar.choice.key == "sad"
    assert not any(item.pressed for item in reaction_bar(article, "g:someone-else").items)


# The story page


def test_story_page_shows_the_bar_with_names_and_pressed_state(client, article):
    client.post(react_url(article), {"kind": "sad"})
    html = client.get(article.get_absolute_url()).content.decode()
    assert 'id="reactions"' in html
    assert 'aria-label="Sad, 1 reaction, 100% of all"' in html
    assert html.count('aria-pressed="true"') == 1
    assert html.count('aria-pressed="false"') == 5
    assert f'action="{react_url(article)}"' in html
    assert "Your reaction: Sad." in html


def test_bar_is_hidden_when_reactions_are_switched_off(client, make_article):
    story = make_article(reactions_enabled=False)
    html = client.get(story.get_absolute_url()).content.decode()
    assert 'id="reactions"' not in html
    assert "aria-pressed" not in html


def test_the_bar_costs_the_story_page_one_query_however_many_reactions(
    client, article, make_article
):
    quiet = make_article(reactions_enabled=False)
    for n in range(30):
        reaction_set(article=article, reader=guest(n), kind="like")
    client.post(react_url(article), {"kind": "wow"})  # a returning guest with a choice
    for story in (article, quiet):  # the shared pages, drawn once per version
        client.get(story.get_absolute_url())
    with CaptureQueriesContext(connection) as with_bar:
        assert client.get(article.get_absolute_url()).status_code == 200
    with CaptureQueriesContext(connection) as without_bar:
        assert client.get(quiet.get_absolute_url()).status_code == 200
    assert len(with_bar) == len(without_bar) + 1
    # Counts come from the tallies: no query counts reaction rows.
    assert not any(
        "comments_reaction" in q["sql"] and "COUNT(" in q["sql"].upper() for q in with_bar
    )


# The form and the script's JSON


def test_guest_reacts_with_the_form_and_is_sent_back_to_the_bar(client, article):
    response = client.post(react_url(article), {"kind": "laugh"})
    assert response.status_code == 302
    assert response["Location"] == f"{article.get_absolute_url()}#reactions"
    assert COOKIE_NAME in response.cookies
    assert tallies(article) == {"laugh": 1}
    assert Reaction.objects.get().reader_key.startswith("g:")


def test_guest_cookie_keeps_one_reaction_per_guest(client, article):
    client.post(react_url(article), {"kind": "laugh"})
    client.post(react_url(article), {"kind": "sad"})
    assert tallies(article) == {"laugh": 0, "sad": 1}
    client.post(react_url(article), {"kind": "sad"})
    assert not Reaction.objects.exists()
    Client().post(react_url(article), {"kind": "sad"})  # another browser is another reader
    assert tallies(article) == {"laugh": 0, "sad": 1}


def test_logged_in_reader_reacts_as_their_account(client, article):
    user = get_user_model().objects.create_user("rosa", password="pw-for-tests-1")
    client.force_login(user)
    client.post(react_url(article), {"kind": "love"})
    assert Reaction.objects.get().reader_key == f"u:{user.pk}"


def test_script_gets_the_new_bar_as_json(client, article):
    reaction_set(article=article, reader=guest(), kind="like")
    response = client.post(react_url(article), {"kind": "like"}, **JSON)
    assert response.status_code == 200
    data = response.json()
    assert data["choice"] == "like" and data["total"] == 2
    like = next(item for item in data["reactions"] if item["key"] == "like")
    assert like == {
        "key": "like",
        "emoji": "👍",
        "label": "Like",
        "count": 2,
        "share": 100,
        "pressed": True,
        "name": "Like, 2 reactions, 100% of all",
    }
    assert data["message"] == "You reacted Like. Like now has 2 reactions."
    removed = client.post(react_url(article), {"kind": "like"}, **JSON).json()
    assert removed["choice"] is None
    assert removed["message"] == "Your reaction was removed. 1 reaction in all."


def test_unknown_key_gets_400_in_both_forms(client, article):
    form = client.post(react_url(article), {"kind": "meh"})
    assert form.status_code == 400
    assert "There is no such reaction." in form.content.decode()
    assert client.post(react_url(article), {}, **JSON).json() == {
        "error": "There is no such reaction."
    }
    assert not Reaction.objects.exists()


def test_switched_off_story_gets_403(client, make_article):
    story = make_article(reactions_enabled=False)
    response = client.post(react_url(story), {"kind": "like"}, **JSON)
    assert response.status_code == 403
    assert "switched off" in response.json()["error"]
    assert not Reaction.objects.exists()


def test_unpublished_story_gets_404(client, make_article):
    story = make_article(status=Article.Status.DRAFT)
    assert client.post(react_url(story), {"kind": "like"}).status_code == 404
    assert not Reaction.objects.exists()


def test_reacting_needs_post(client, article):
    assert client.get(react_url(article)).status_code == 405


def test_missing_csrf_token_gets_403_and_changes_nothing(article):
    browser = Client(enforce_csrf_checks=True)
    assert browser.post(react_url(article), {"kind": "like"}).status_code == 403
    assert not Reaction.objects.exists()


def test_csrf_token_from_the_cookie_is_accepted(article):
    browser = Client(enforce_csrf_checks=True)
    browser.get(article.get_absolute_url())
    token = browser.cookies["csrftoken"].value
    response = browser.post(react_url(article), {"kind": "like"}, HTTP_X_CSRFTOKEN=token, **JSON)
    assert response.status_code == 200
    assert tallies(article) == {"like": 1}


def test_flood_gets_429_with_retry_after_in_both_forms(client, article, settings):
    settings.NEWSROOM = {**settings.NEWSROOM, "REACTION_RATE": "2/m"}
    client.post(react_url(article), {"kind": "like"})
    client.post(react_url(article), {"kind": "sad"})
    json_answer = client.post(react_url(article), {"kind": "wow"}, **JSON)
    form_answer = client.post(react_url(article), {"kind": "wow"})
    for response in (json_answer, form_answer):
        assert response.status_code == 429
        assert 1 <= int(response["Retry-After"]) <= 60
    assert "reacting too quickly" in json_answer.json()["error"]
    assert "reacting too quickly" in form_answer.content.decode()
    assert tallies(article) == {"like": 0, "sad": 1}


def test_recount_finds_no_drift_after_ordinary_use(client, article):
    for kind in ["like", "sad", "sad", "love"]:
        client.post(react_url(article), {"kind": kind})
        Client().post(react_url(article), {"kind": kind})
    assert reaction_recount() == []
