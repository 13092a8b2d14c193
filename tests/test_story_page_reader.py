"""A known reader's story page: the shared cached page with their own part, nobody else's."""

import re
from datetime import timedelta

import pytest
from bs4 import BeautifulSoup
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from comments.demo import add_demo_comments
from comments.models import Comment

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def open_site(relaxed_comment_limits, post_moderated_site):
    pass


def soup(client, article, query=""):
    response = client.get(article.get_absolute_url() + query)
    assert response.status_code == 200
    return BeautifulSoup(response.content.decode(), "html.parser")


def guest():
    """A browser that became a known guest by reacting to another story (a reader cookie)."""
    browser = Client()
    other = _other_story()
    browser.post(reverse("react", args=[other.slug]), {"kind": "sad"})
    return browser


def _other_story():
    from articles.models import Article

    return Article.objects.exclude(slug="bridge-reopens").first()


@pytest.fixture
def other_story(make_article):
    return make_article(headline="Elsewhere", slug="elsewhere")


def account(name):
    browser = Client()
    browser.force_login(get_user_model().objects.create_user(name, password="pw"))
    return browser


def key_of(browser):
    from comments.readers import COOKIE_NAME, COOKIE_SALT

    if "sessionid" in browser.cookies:
        user_id = browser.session["_auth_user_id"]
        return f"u:{user_id}"
    from django.core import signing

    return "g:" + signing.loads(browser.cookies[COOKIE_NAME].value, salt=COOKIE_SALT)


def react(browser, article, kind):
    assert browser.post(reverse("react", args=[article.slug]), {"kind": kind}).status_code == 302


def like(browser, comment):
    url = reverse("comment_like", args=[comment.pk])
    assert browser.post(url, {"liked": "1"}).status_code == 302


def hold(browser, article, body, *, parent=None, make_comment):
    held = {"reader_key": key_of(browser), "body": body, "status": Comment.Status.PENDING}
    return make_comment(article, parent=parent, author_name="Held Author", **held)


def pressed_reaction(page):
    return [b["value"] for b in page.select("form[data-reactions] button[aria-pressed=true]")]


def liked_comments(page):
    return sorted(
        int(form.find_parent("article")["data-comment"])
        for form in page.select("form[data-like]")
        if form.button["aria-pressed"] == "true"
    )


def controls(page, comment, kind):
    article = page.find("article", id=f"c{comment.pk}")
    return article.select(f"form[data-inline={kind}]") if article else None


@pytest.fixture
def story(article, make_comment, other_story):
    roots = [make_comment(article, body=f"Root {n}") for n in range(3)]
    make_comment(article, parent=roots[0], body="A reply")
    return article


@pytest.fixture(params=["guest", "account"])
def reader(request, story):
    return guest() if request.param == "guest" else account("ada")


def roots_of(article):
    return list(article.comments.top_level().order_by("pk"))


def test_reader_sees_their_reaction_pressed_without_script(story, reader):
    react(reader, story, "love")
    assert pressed_reaction(soup(reader, story)) == ["love"]
    assert "Your reaction: Love." in soup(reader, story).get_text()
    assert pressed_reaction(soup(Client(), story)) == []


def test_reader_sees_the_comments_they_liked_marked(story, reader):
    first, _, third = roots_of(story)
    like(reader, first)
    like(reader, third)
    page = soup(reader, story)
    assert liked_comments(page) == [first.pk, third.pk]
    assert "♥" in page.find("article", id=f"c{first.pk}").button.get_text()
    assert liked_comments(soup(Client(), story)) == []


def test_reader_can_edit_and_delete_only_their_own_comments_while_the_window_is_open(
    story, reader, make_comment, settings
):
    mine = make_comment(story, reader_key=key_of(reader), body="My own words")
    an_hour_ago = timezone.now() - timedelta(hours=1)
    old = make_comment(story, reader_key=key_of(reader), body="Old words", created_at=an_hour_ago)
    someone = roots_of(story)[0]
    soup(Client(), story)  # the shared page is cached first, by a newcomer
    page = soup(reader, story)
    assert controls(page, mine, "edit") and controls(page, mine, "delete")
    assert not controls(page, old, "edit") and controls(page, old, "delete")
    assert not controls(page, someone, "edit") and not controls(page, someone, "delete")
    assert "comment--mine" in page.find("article", id=f"c{mine.pk}")["class"]
    newcomer = soup(Client(), story)
    assert not newcomer.select("form[data-inline=edit]")
    assert not newcomer.select("form[data-inline=delete]")


def test_held_reply_is_shown_under_its_parent_to_its_author_only(story, reader, make_comment):
    parent = roots_of(story)[1]
    held = hold(reader, story, "My held reply", parent=parent, make_comment=make_comment)
    page = soup(reader, story)
    node = page.find("article", id=f"c{held.pk}")
    assert node is not None
    assert "Awaiting moderation" in node.get_text()
    assert node.find_parent("li").find_parent("li").find("article")["id"] == f"c{parent.pk}"
    assert "My held reply" not in soup(Client(), story).get_text()
    assert "My held reply" not in soup(guest(), story).get_text()


def test_held_top_level_comment_is_shown_where_its_sort_puts_it(story, reader, make_comment):
    held = hold(reader, story, "My held thought", make_comment=make_comment)
    oldest = [li["data-thread"] for li in soup(reader, story).select("li[data-thread]")]
    assert oldest[-1] == str(held.pk)
    newest = [
        li["data-thread"] for li in soup(reader, story, "?sort=newest").select("li[data-thread]")
    ]
    assert newest[0] == str(held.pk)
    assert "My held thought" not in soup(Client(), story, "?sort=newest").get_text()


def test_held_reply_to_a_reply_at_the_last_level_names_its_parent(story, reader, make_comment):
    root = roots_of(story)[0]
    deep = root
    for n in range(4):
        deep = make_comment(story, parent=deep, body=f"Level {n + 1}", author_name=f"Deep {n}")
    held = hold(reader, story, "Deepest held", parent=deep, make_comment=make_comment)
    node = soup(reader, story).find("article", id=f"c{held.pk}")
    assert "Replying to Deep 3" in node.get_text(" ", strip=True)
    assert "comment-node--level-3" in node.find_parent("li")["class"]


def test_returning_guest_finds_their_name_in_the_form(story, make_comment):
    browser = guest()
    make_comment(_other_story(), reader_key=key_of(browser), author_name='Ada "<b>" 100%')
    field = soup(browser, story).find("input", attrs={"name": "author_name"})
    assert field["value"] == 'Ada "<b>" 100%'
    assert soup(Client(), story).find("input", attrs={"name": "author_name"}).get("value") is None


def test_account_posts_under_its_own_name_and_sees_it_in_the_header(story):
    browser = account("grace_hopper")
    page = soup(browser, story)
    assert page.select_one(".comment-form__who strong").get_text() == "grace_hopper"
    assert "Signed in as grace_hopper" in page.get_text(" ", strip=True)
    assert page.find("input", attrs={"name": "author_name"}) is None
    newcomer = soup(Client(), story).get_text()
    assert "grace_hopper" not in newcomer and "Log in" in newcomer


def test_flash_message_after_a_write_is_shown_once(story, reader):
    url = reverse("comment_like", args=[roots_of(story)[0].pk])
    response = reader.post(url, {"liked": "1"}, follow=True)
    assert "You like this comment." not in response.content.decode()  # likes redirect silently
    react(reader, story, "wow")
    reader.post(reverse("comment_report", args=[roots_of(story)[1].pk]), {"reason": "spam"})
    first = soup(reader, story).get_text()
    assert "Thanks, a moderator will look at it" in first
    assert "Thanks, a moderator will look at it" not in soup(reader, story).get_text()


@pytest.mark.parametrize(
    "kinds", [("guest", "account"), ("guest", "guest"), ("account", "account")]
)
def test_two_readers_served_from_one_shared_page_see_only_their_own_state(
    story, make_comment, kinds
):
    ada, bob = (
        guest() if kind == "guest" else account(f"reader_{n}") for n, kind in enumerate(kinds)
    )
    first, second, third = roots_of(story)
    react(ada, story, "love")
    react(bob, story, "angry")
    like(ada, first)
    like(bob, second)
    ada_held = hold(ada, story, "Ada held", parent=third, make_comment=make_comment)
    bob_held = hold(bob, story, "Bob held", parent=third, make_comment=make_comment)
    soup(Client(), story)  # the shared page, drawn once for this version
    ada_page, bob_page = soup(ada, story), soup(bob, story)
    assert pressed_reaction(ada_page) == ["love"] and pressed_reaction(bob_page) == ["angry"]
    assert liked_comments(ada_page) == [first.pk] and liked_comments(bob_page) == [second.pk]
    assert ada_page.find(id=f"c{ada_held.pk}") and not ada_page.find(id=f"c{bob_held.pk}")
    assert bob_page.find(id=f"c{bob_held.pk}") and not bob_page.find(id=f"c{ada_held.pk}")
    for field in ('input[name="ts"]', 'input[name="csrfmiddlewaretoken"]'):
        assert ada_page.select_one(field)["value"] != bob_page.select_one(field)["value"]
    # Their own published comments: You, Edit and Delete for their author alone.
    ada_own = make_comment(story, reader_key=key_of(ada), author_name="Ada Own", body="Ada's own")
    bob_own = make_comment(story, reader_key=key_of(bob), author_name="Bob Own", body="Bob's own")
    story.comments.mark_stories_changed()  # as the write path does: a new version to share
    soup(Client(), story)
    ada_page, bob_page = soup(ada, story), soup(bob, story)
    assert controls(ada_page, ada_own, "edit") and not controls(ada_page, bob_own, "edit")
    assert controls(bob_page, bob_own, "edit") and not controls(bob_page, ada_own, "edit")
    assert not controls(ada_page, bob_own, "delete") and not controls(bob_page, ada_own, "delete")
    # A guest's form carries the name they signed with; nobody else's does.
    for page, own in ((ada_page, ada), (bob_page, bob)):
        field = page.find("input", attrs={"name": "author_name"})
        if "sessionid" not in own.cookies:
            assert field["value"] == ("Ada Own" if own is ada else "Bob Own")
        form = page.find("form", attrs={"aria-label": "Join the conversation"})
        assert form is not None
        assert ("Bob Own" if own is ada else "Ada Own") not in str(form)


def test_shared_page_drawn_for_a_known_reader_holds_nothing_of_theirs(story, make_comment):
    """The first visitor of a new version is a reader with held comments, likes and a name."""
    ada = account("ada_first")
    react(ada, story, "love")
    like(ada, roots_of(story)[0])
    hold(ada, story, "Ada's secret", parent=roots_of(story)[0], make_comment=make_comment)
    assert "Ada's secret" in soup(ada, story).get_text()  # fills the cache
    newcomer = soup(Client(), story)
    assert "Ada's secret" not in newcomer.get_text() and "ada_first" not in newcomer.get_text()
    assert pressed_reaction(newcomer) == [] and liked_comments(newcomer) == []


def test_own_write_shows_at_once_to_its_author_and_to_others_once_approved(story, reader, settings):
    from tests.conftest import browser_token

    settings.NEWSROOM = {**settings.NEWSROOM, "MODERATION_MODE": "pre"}
    soup(Client(), story)
    parent = roots_of(story)[0]
    data = {
        "author_name": "Ada",
        "body": "Fresh reply",
        "website": "",
        "ts": browser_token(reader, story),
    }
    response = reader.post(reverse("comment_reply", args=[parent.pk]), data, follow=True)
    assert "Fresh reply" in response.content.decode()
    assert "Fresh reply" in soup(reader, story).get_text()
    assert "Fresh reply" not in soup(Client(), story).get_text()
    from comments.models import Comment as C

    C.objects.filter(body="Fresh reply").update(status="approved")
    C.objects.filter(body="Fresh reply").mark_stories_changed()
    assert "Fresh reply" in soup(Client(), story).get_text()


@pytest.mark.parametrize("who", ["guest", "account"])
def test_known_readers_page_costs_the_same_few_queries_at_20_and_300_comments(
    article, make_comment, other_story, who
):
    browser = guest() if who == "guest" else account("counted")
    add_demo_comments(article, 20)

    def engage_and_count():
        first, second, third = list(
            article.comments.visible().top_level().order_by("created_at", "id")[:3]
        )
        for comment in (first, second):
            if not comment.likes.filter(reader_key=key_of(browser)).exists():
                like(browser, comment)
        react(browser, article, "wow")
        react(browser, article, "love")
        hold(browser, article, "Counted held", parent=third, make_comment=make_comment)
        soup(browser, article)  # the shared page drawn for this version
        with CaptureQueriesContext(connection) as queries:
            page = soup(browser, article)
        assert liked_comments(page) == sorted([first.pk, second.pk])
        assert pressed_reaction(page) == ["love"]
        assert page.find(string=re.compile("Counted held"))
        return len(queries)

    small = engage_and_count()
    add_demo_comments(article, 280, seed=5)
    article.comments.mark_stories_changed()
    assert engage_and_count() == small
    assert small <= (5 if who == "guest" else 6)
