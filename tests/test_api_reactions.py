import pytest
from rest_framework.test import APIClient

from comments.models import Reaction, ReactionTally
from comments.readers import COOKIE_NAME

pytestmark = pytest.mark.django_db


@pytest.fixture
def guest(relaxed_comment_limits):
    """A guest with a reader cookie, sending the CSRF token as a browser's script would."""
    client = APIClient(enforce_csrf_checks=True)
    client.credentials(HTTP_X_CSRFTOKEN=client.get("/api/csrf/").json()["csrf_token"])
    return client


def url(article):
    return f"/api/articles/{article.slug}/reactions/"


def counts(data):
    return {r["key"]: r["count"] for r in data["reactions"] if r["count"]}


def test_tally_has_counts_and_shares_that_add_to_100(article, django_assert_max_num_queries):
    for kind, count in (("sad", 1), ("love", 1), ("wow", 1)):
        ReactionTally.objects.create(article=article, kind=kind, count=count)
    with django_assert_max_num_queries(2):
        data = APIClient().get(url(article)).json()
    assert data["total"] == 3 and data["choice"] is None
    assert sum(r["share"] for r in data["reactions"]) == 100
    assert {r["key"]: r["share"] for r in data["reactions"] if r["count"]}.keys() == {
        "sad",
        "love",
        "wow",
    }


def test_article_detail_carries_the_same_tally(article):
    ReactionTally.objects.create(article=article, kind="love", count=2)
    detail = APIClient().get(f"/api/articles/{article.slug}/").json()
    love = next(r for r in detail["reactions"] if r["key"] == "love")
    assert (love["count"], love["share"]) == (2, 100)


def test_set_replace_and_clear_are_idempotent(article, relaxed_comment_limits):
    client = APIClient()
    first = client.put(url(article), {"kind": "love"}, format="json")
    assert first.status_code == 200
    assert first.json()["choice"] == "love"
    assert COOKIE_NAME in first.cookies
    again = client.put(url(article), {"kind": "love"}, format="json").json()
    assert (again["choice"], counts(again)) == ("love", {"love": 1})
    replaced = client.put(url(article), {"kind": "sad"}, format="json").json()
    assert (replaced["choice"], counts(replaced)) == ("sad", {"sad": 1})
    assert client.get(url(article)).json()["choice"] == "sad"
    for _ in range(2):
        cleared = client.delete(url(article))
        assert cleared.status_code == 200
        assert (cleared.json()["choice"], cleared.json()["total"]) == (None, 0)
    assert not Reaction.objects.exists()


def test_one_reaction_per_reader_and_the_tally_equals_the_rows(article, relaxed_comment_limits):
    readers = [APIClient() for _ in range(3)]
    for client, kind in zip(readers, ["love", "love", "sad"], strict=True):
        client.put(url(article), {"kind": kind}, format="json")
    readers[0].put(url(article), {"kind": "sad"}, format="json")
    data = APIClient().get(url(article)).json()
    assert counts(data) == {"love": 1, "sad": 2}
    assert Reaction.objects.filter(article=article).count() == data["total"] == 3


def test_unknown_reaction_is_400_and_changes_nothing(article):
    response = APIClient().put(url(article), {"kind": "meh"}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["attr"] == "kind"
    assert not Reaction.objects.exists()


def test_reactions_switched_off_are_403(article):
    article.reactions_enabled = False
    article.save()
    response = APIClient().put(url(article), {"kind": "love"}, format="json")
    assert response.status_code == 403
    assert not Reaction.objects.exists()


def test_reacting_too_fast_is_429_with_retry_after(article, settings):
    settings.NEWSROOM = {**settings.NEWSROOM, "REACTION_RATE": "2/m"}
    client = APIClient()
    statuses = [
        client.put(url(article), {"kind": kind}, format="json") for kind in ("love", "sad", "wow")
    ]
    assert [r.status_code for r in statuses] == [200, 200, 429]
    assert int(statuses[2]["Retry-After"]) >= 1


def test_guest_reaction_needs_the_csrf_token_once_it_has_a_cookie(guest, article):
    assert guest.put(url(article), {"kind": "love"}, format="json").status_code == 200
    forged = APIClient(enforce_csrf_checks=True)
    forged.cookies[COOKIE_NAME] = guest.cookies[COOKIE_NAME].value
    assert forged.delete(url(article)).status_code == 403
    assert Reaction.objects.count() == 1


def test_unknown_story_reactions_are_404():
    assert APIClient().get("/api/articles/nope/reactions/").status_code == 404
