"""The reader page's rough edges (issue 16): posting mistakes, editor's picks, teasers and tags."""

import re
from datetime import timedelta

import pytest
from bs4 import BeautifulSoup
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from articles.importer import parse_story, tag_names
from articles.models import Article, ArticleLink, Tag
from comments.models import Comment
from comments.moderation import comment_feature

from .conftest import browser_token

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("relaxed_comment_limits", "post_moderated_site"),
]
FETCH = {"HTTP_X_REQUESTED_WITH": "fetch", "HTTP_ACCEPT": "application/json"}
TOO_FAST = "That was quick!"


def post_url(article):
    return reverse("comment_post", kwargs={"slug": article.slug})


def soup(response):
    assert response.status_code == 200, response.status_code
    return BeautifulSoup(response.content.decode(), "html.parser")


# ---------- Posting with mistakes inside the anti-spam minimum ----------


@pytest.mark.parametrize("headers", [{}, FETCH], ids=["form", "script"])
def test_empty_fields_posted_at_once_say_what_is_missing_not_too_fast(client, article, headers):
    data = {"author_name": "", "body": "", "ts": browser_token(client, article, age=0)}
    response = client.post(post_url(article), data, **headers)
    text = response.json()["message"] if headers else response.content.decode()
    assert response.status_code == 400
    assert "Please tell us your name" in text and "Please write a comment" in text
    assert TOO_FAST not in text
    assert not Comment.objects.exists()


def test_too_fast_is_said_only_of_a_form_that_is_otherwise_fine(client, article):
    data = {"author_name": "Ada", "body": "Quick one", "ts": browser_token(client, article, age=0)}
    response = client.post(post_url(article), data, **FETCH)
    assert response.status_code == 400 and TOO_FAST in response.json()["message"]
    assert "Please" not in response.json()["message"].replace("Please take a moment", "")


@pytest.mark.parametrize("headers", [{}, FETCH], ids=["form", "script"])
def test_a_corrected_comment_posts_without_a_new_wait(client, article, headers):
    """The form served back with the mistakes keeps the time the reader already spent."""
    first = {"author_name": "", "body": "", "ts": browser_token(client, article, age=60)}
    response = client.post(post_url(article), first, **headers)
    html = response.json()["form_html"] if headers else response.content.decode()
    token = re.search(r'name="ts" value="([^"]+)"', html)[1]
    fixed = {"author_name": "Ada", "body": "Now with words", "ts": token}
    again = client.post(post_url(article), fixed, **headers)
    assert again.status_code in (201, 302), again.content.decode()[:300]
    assert Comment.objects.get().body == "Now with words"
    # ...and that token is spent now, like any other.
    replay = client.post(post_url(article), {**fixed, "body": "Twice"}, **headers)
    assert replay.status_code == 400 and Comment.objects.count() == 1


def test_a_too_fast_post_retried_in_a_moment_goes_through(client, article, settings):
    data = {"author_name": "Ada", "body": "Hello", "ts": browser_token(client, article, age=0)}
    refused = client.post(post_url(article), data, **FETCH)
    token = re.search(r'name="ts" value="([^"]+)"', refused.json()["form_html"])[1]
    assert token == data["ts"]  # unspent, so offered again rather than a new wait
    settings.NEWSROOM = {**settings.NEWSROOM, "COMMENT_MIN_SECONDS": 0}  # the moment passes
    assert client.post(post_url(article), {**data, "ts": token}, **FETCH).status_code == 201


def test_the_api_names_missing_fields_before_a_spent_token(article):
    api = APIClient()
    token = api.get("/api/csrf/").json()["posting_token"]
    url = f"/api/articles/{article.slug}/comments/"
    ok = {"body": "First", "author_name": "Ada", "posting_token": token}
    assert api.post(url, ok, format="json").status_code == 201
    response = api.post(url, {**ok, "body": "", "author_name": ""}, format="json")
    errors = {error["attr"]: error["detail"] for error in response.json()["errors"]}
    assert response.status_code == 400
    assert "Please write a comment" in errors["body"] and "name" in errors["author_name"]
    assert "posting_token" not in errors


# ---------- Editor's picks ----------


@pytest.fixture
def picked(article, make_comment, admin_user):
    """A conversation with two picks, one a reply, and comments that are not picks."""
    first = make_comment(article, author_name="Ines", body="Picked root")
    reply = make_comment(
        article, parent=make_comment(article, body="Plain root"), body="Picked reply"
    )
    make_comment(article, body="Another plain root")
    comment_feature(comments=Comment.objects.filter(pk__in=[first.pk, reply.pk]), actor=admin_user)
    return first, reply


def bodies(page):
    return [body.get_text(strip=True) for body in page.select(".comment__body")]


def test_the_picks_tab_shows_only_editors_picks_marked_as_such(client, article, picked):
    page = soup(client.get(f"{article.get_absolute_url()}?sort=picks"))
    assert bodies(page) == ["Picked reply", "Picked root"]  # newest pick first
    tab = page.select_one('.comments__sort a[data-sort="picks"]')
    assert tab.get_text(strip=True) == "Editor’s picks" and tab["aria-current"] == "true"
    assert len(page.select(".comment--featured .badge--pick")) == 2
    # On the other tabs the picks are marked in the thread, among the rest.
    everything = soup(client.get(article.get_absolute_url()))
    assert "Plain root" in bodies(everything)
    badge = everything.select_one(".badge--pick")
    assert badge.get_text(" ", strip=True).endswith("Editor’s pick")
    assert badge.find_parent("article").select_one(".comment__body").get_text() == "Picked root"


def test_an_unpicked_comment_leaves_the_picks_tab(client, article, picked, admin_user):
    comment_feature(
        comments=Comment.objects.filter(pk=picked[1].pk), actor=admin_user, featured=False
    )
    assert bodies(soup(client.get(f"{article.get_absolute_url()}?sort=picks"))) == ["Picked root"]


def test_no_picks_yet_says_so_kindly(client, article, make_comment):
    make_comment(article, body="Nobody picked me")
    page = soup(client.get(f"{article.get_absolute_url()}?sort=picks"))
    assert bodies(page) == []
    assert "No editor’s picks yet" in page.select_one("[data-comments-empty]").get_text()
    fragment = client.get(
        reverse("comment_list", kwargs={"slug": article.slug}) + "?sort=picks",
        HTTP_X_REQUESTED_WITH="fetch",
    )
    assert "No editor’s picks yet" in fragment.content.decode()


def test_the_picks_tab_pages_with_a_cursor_in_constant_queries(
    client, article, make_comment, admin_user, settings, django_assert_max_num_queries
):
    settings.NEWSROOM = {**settings.NEWSROOM, "COMMENTS_PER_PAGE": 3, "STORY_CACHE_SECONDS": 0}
    now = timezone.now()
    for n in range(7):
        make_comment(article, body=f"Pick {n}", created_at=now - timedelta(minutes=10 - n))
        make_comment(article, body=f"Plain {n}")
    comment_feature(comments=Comment.objects.filter(body__startswith="Pick"), actor=admin_user)
    url = f"{article.get_absolute_url()}?sort=picks"
    seen = []
    with django_assert_max_num_queries(12):
        page = soup(client.get(url))
    while True:
        seen += bodies(page)
        more = page.select_one("a[data-load-more]")
        if more is None:
            break
        assert more["data-sort"] == "picks"
        with django_assert_max_num_queries(12):
            page = soup(client.get(more["href"]))
    assert seen == [f"Pick {n}" for n in reversed(range(7))]


def test_a_readers_held_comment_is_not_among_the_picks(client, article, picked, comment_data):
    article.moderation_mode = "pre"
    article.save()
    client.post(post_url(article), comment_data(article, body="Held, mine"))
    assert Comment.objects.get(body="Held, mine").status == "pending"
    url = f"{article.get_absolute_url()}?sort=picks"
    assert "Held, mine" not in bodies(soup(client.get(url)))
    assert "Held, mine" in bodies(soup(client.get(article.get_absolute_url())))


@pytest.mark.parametrize("query", ["picks=true", "sort=picks"])
def test_the_api_filters_picks(article, picked, query):
    api = APIClient()
    response = api.get(f"/api/articles/{article.slug}/comments/?{query}")
    assert response.status_code == 200
    results = response.json()["results"]
    assert [item["body"] for item in results] == ["Picked reply", "Picked root"]
    assert all(item["is_featured"] for item in results)
    everything = api.get(f"/api/articles/{article.slug}/comments/?picks=false").json()["results"]
    assert len(everything) == 3


def test_the_api_schema_documents_the_picks_filter(client):
    schema = client.get("/api/schema/?format=json").json()
    operation = schema["paths"]["/api/articles/{slug}/comments/"]["get"]
    params = {param["name"]: param for param in operation["parameters"]}
    assert params["picks"]["schema"]["type"] == "boolean"
    assert "picks" in params["sort"]["schema"]["enum"]


# ---------- Next-story teasers and tags ----------


def teaser(article, title, position=0, url=""):
    return ArticleLink.objects.create(
        article=article, kind=ArticleLink.Kind.TEASER, title=title, url=url, position=position
    )


def more_stories(client, article):
    nav = soup(client.get(article.get_absolute_url())).select_one(".more-stories")
    return {
        li.get_text(strip=True): (li.a["href"] if li.a else None)
        for li in nav.select("li.more-stories__teaser")
    }


def test_teasers_link_to_stories_we_have_by_headline_or_slug(client, article, make_article):
    ferry = make_article(headline="Ferry timetable changes", slug="ferry-timetable-changes")
    hidden = make_article(headline="A draft nobody sees", slug="draft", status=Article.Status.DRAFT)
    renamed = make_article(headline="Council votes on the budget", slug="council-budget-vote")
    teaser(article, "FERRY   timetable changes", 0)  # case and spacing aside
    teaser(article, "council budget vote", 1)  # its slug
    teaser(article, hidden.headline, 2)
    teaser(article, "A story we never ran", 3)
    teaser(article, "An editor's own link", 4, url="https://example.org/elsewhere")
    assert more_stories(client, article) == {
        "FERRY   timetable changes": ferry.get_absolute_url(),
        "council budget vote": renamed.get_absolute_url(),
        hidden.headline: None,
        "A story we never ran": None,
        "An editor's own link": "https://example.org/elsewhere",
    }


def test_teasers_cost_one_query_however_many(client, article, make_article, settings):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    settings.NEWSROOM = {**settings.NEWSROOM, "STORY_CACHE_SECONDS": 0}

    def queries():
        with CaptureQueriesContext(connection) as captured:
            client.get(article.get_absolute_url())
        return len(captured)

    teaser(article, "Story number 1")
    one = queries()
    for n in range(2, 12):
        make_article()
        teaser(article, f"Story number {n}", n)
    assert queries() == one
    assert len([href for href in more_stories(client, article).values() if href]) == 10


def test_a_teaser_becomes_a_link_when_its_story_is_published_later(admin_client, client, article):
    """Even on the cached page: publishing the story redraws the pages with teasers."""
    teaser(article, "Harbour reopens")
    assert more_stories(client, article) == {"Harbour reopens": None}  # now cached
    later = Article.objects.create(
        headline="Harbour reopens", slug="harbour-reopens", body="Text.", status="draft"
    )
    changelist = reverse("admin:articles_article_changelist")
    admin_client.post(changelist, {"action": "publish_now", "_selected_action": [later.pk]})
    assert more_stories(client, article) == {"Harbour reopens": later.get_absolute_url()}
    admin_client.post(changelist, {"action": "unpublish", "_selected_action": [later.pk]})
    assert more_stories(client, article) == {"Harbour reopens": None}


def test_a_teaser_follows_its_story_saved_in_the_admin(admin_client, client, article, make_article):
    other = make_article(headline="Old headline", slug="old-headline")
    teaser(article, "New headline")
    assert more_stories(client, article) == {"New headline": None}
    change = reverse("admin:articles_article_change", args=[other.pk])
    form = soup(admin_client.get(change))
    data = {
        field["name"]: field.get("value", "")
        for field in form.select("form#article_form input[name]")
        if field.get("type") not in ("checkbox", "submit")
        and not field["name"].startswith("links-0-")  # the blank link row
    }
    data |= {
        "links-TOTAL_FORMS": "0",
        "headline": "New headline",
        "body": other.body,
        "status": "published",
        "published_at_0": timezone.localtime(other.published_at).strftime("%Y-%m-%d"),
        "published_at_1": timezone.localtime(other.published_at).strftime("%H:%M:%S"),
        "comments_enabled": "on",
        "reactions_enabled": "on",
        "moderation_mode": "",
        "reaction_prompt": "What do you think?",
    }
    response = admin_client.post(change, data)
    assert response.status_code == 302, (
        response.context["adminform"].form.errors,
        [f.formset.errors for f in response.context["inline_admin_formsets"]],
    )
    assert more_stories(client, article) == {"New headline": other.get_absolute_url()}


@pytest.mark.parametrize(
    ("line", "known", "names"),
    [
        (
            "Kate Middleton Meghan Markle Prince Harry Prince William",
            set(),
            ["Kate Middleton", "Meghan Markle", "Prince Harry", "Prince William"],
        ),
        ("Donald Trump Jr Ivanka Trump", {"donald trump jr"}, ["Donald Trump Jr", "Ivanka Trump"]),
        ("Brexit Theresa May", {"brexit"}, ["Brexit", "Theresa May"]),
        # Headlines, even in title case, stay teasers.
        ("Rep. Thomas Massie slams Donald Trump’s gun control proposals", set(), None),
        ("Prince Harry Meets Meghan Markle", set(), None),
        ("Queen Opens The New Bridge", set(), None),
        ("Harry", set(), None),
        ("Ten 10 Downing Street", set(), None),
    ],
)
def test_a_line_of_bare_names_reads_as_tags(line, known, names):
    assert tag_names(line, known=known) == names


def test_the_seed_keeps_its_tags_apart_from_its_teasers(client, seed_path):
    story = parse_story(seed_path.read_text(encoding="utf-8"))
    assert "Kate Middleton Meghan Markle Prince Harry Prince William" not in story.teasers
    assert story.tags == ["Kate Middleton", "Meghan Markle", "Prince Harry", "Prince William"]
    assert story.teasers == [
        "Rep. Thomas Massie slams Donald Trump’s gun control proposals",
        "Prince Harry and Meghan Markle are set for their 1st official appearance with Prince "
        "William and Duchess Kate",
    ]
    call_command("import_article", str(seed_path))
    article = Article.objects.get()
    page = soup(client.get(article.get_absolute_url()))
    tags = [li.get_text() for li in page.select(".story__tags li")]
    assert tags == ["Kate Middleton", "Meghan Markle", "Prince Harry", "Prince William"]
    assert page.select_one(".story__tags h2").get_text() == "Tags"
    assert "Kate Middleton Meghan Markle" not in page.select_one(".more-stories").get_text()
    api = APIClient().get(f"/api/articles/{article.slug}/").json()
    assert api["tags"] == tags
    assert APIClient().get("/api/articles/").json()["results"][0]["tags"] == tags


def test_reimporting_reuses_tags_whatever_their_case(tmp_path):
    Tag.objects.create(name="kate middleton")
    story = tmp_path / "royal.txt"
    story.write_text(
        "Royal visit\n\nA caption\n\nThey came.\n\nWhat do you think?\n\n"
        "Kate Middleton Prince Harry\n",
        encoding="utf-8",
    )
    call_command("import_article", str(story))
    call_command("import_article", str(story))
    article = Article.objects.get()
    assert sorted(article.tags.values_list("name", flat=True)) == ["Prince Harry", "kate middleton"]
    assert Tag.objects.count() == 2
    assert not article.links.filter(kind=ArticleLink.Kind.TEASER).exists()


def test_editors_edit_a_storys_tags_in_the_admin(admin_client, article):
    royals = Tag.objects.create(name="Prince Harry")
    found = admin_client.get(
        reverse("admin:autocomplete"),
        {"term": "harry", "app_label": "articles", "model_name": "article", "field_name": "tags"},
    )
    assert [item["text"] for item in found.json()["results"]] == ["Prince Harry"]
    page = admin_client.get(reverse("admin:articles_article_change", args=[article.pk]))
    assert 'name="tags"' in page.content.decode()
    assert (
        royals.name in admin_client.get(reverse("admin:articles_tag_changelist")).content.decode()
    )


def test_only_a_real_picks_cursor_names_a_cacheable_page(article, picked, make_comment):
    from comments.threads import make_cursor, names_a_page

    first, reply = picked
    plain = make_comment(article, body="Not a pick")
    assert names_a_page(article.pk, sort="picks")
    assert names_a_page(article.pk, sort="picks", cursor=make_cursor(reply, "picks"))
    assert not names_a_page(article.pk, sort="picks", cursor=make_cursor(plain, "picks"))
    # A picked reply names a picks page, never a page of the other sorts.
    assert not names_a_page(article.pk, sort="newest", cursor=make_cursor(reply, "newest"))
