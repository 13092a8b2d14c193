"""Editors move one story's conversation into another, and see embedding snippets, in the admin."""

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse

from articles.models import Article
from comments.models import CommentLike, Reaction, ReactionTally
from comments.reactions import reaction_set
from comments.readers import Reader
from embeds import services
from embeds.models import EmbeddedPage, EmbedSite

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def open_site(relaxed_comment_limits):
    pass


@pytest.fixture
def site(db):
    return EmbedSite.objects.create(name="Example News", origins="https://news.example")


@pytest.fixture
def two_stories(make_article, make_comment, site):
    source = make_article(headline="Harbour vote (page)")
    target = make_article(headline="Harbour vote")
    EmbeddedPage.objects.create(site=site, url="https://news.example/harbour", article=source)
    root = make_comment(source, body="On the page")
    reply = make_comment(source, parent=root, body="A reply on the page")
    CommentLike.objects.create(comment=root, reader_key="g:liker")
    make_comment(target, body="On our story")
    readers = [Reader(key=f"g:reader-{n}", ip=f"198.51.100.{n}") for n in range(4)]
    for reader, kind in zip(readers, ["like", "love", "like"], strict=False):
        reaction_set(article=source, reader=reader, kind=kind)
    for reader, kind in [(readers[0], "sad"), (readers[3], "like")]:  # reader 0 reacted to both
        reaction_set(article=target, reader=reader, kind=kind)
    return source, target, root, reply


def tallies(article):
    rows = ReactionTally.objects.filter(article=article, count__gt=0)
    return dict(rows.values_list("kind", "count"))


def test_merging_a_story_into_itself_is_refused(two_stories):
    source, *_ = two_stories
    with pytest.raises(ValueError):
        services.story_merge(source=source, target=source)


def test_merge_moves_comments_replies_likes_and_reactions_with_exact_tallies(two_stories):
    source, target, root, reply = two_stories
    versions = {a.pk: a.page_version for a in (source, target)}
    moved, reacted = services.story_merge(source=source, target=target)
    assert (moved, reacted) == (2, 2)
    root.refresh_from_db()
    reply.refresh_from_db()
    assert root.article_id == reply.article_id == target.pk and reply.parent_id == root.pk
    assert CommentLike.objects.get().comment_id == root.pk
    assert set(target.comments.values_list("body", flat=True)) == {
        "On the page",
        "A reply on the page",
        "On our story",
    }
    # Reader 0 keeps the reaction they gave the story merged into; nobody counts twice.
    assert Reaction.objects.get(article=target, reader_key="g:reader-0").kind == "sad"
    assert tallies(target) == {"sad": 1, "like": 2, "love": 1}
    assert tallies(source) == {}
    assert Reaction.objects.counts() == {
        (target.pk, "sad"): 1,
        (target.pk, "like"): 2,
        (target.pk, "love"): 1,
    }
    source.refresh_from_db()
    target.refresh_from_db()
    assert not source.comments_open and not source.reactions_open
    assert source.page_version > versions[source.pk] and target.page_version > versions[target.pk]
    assert EmbeddedPage.objects.get().article_id == target.pk  # the page now shows the target


def test_merged_conversation_is_what_the_page_and_frame_show_next(client, two_stories):
    source, target, *_ = two_stories
    client.get(reverse("embeds:frame", args=[target.slug]))  # cached before the merge
    services.story_merge(source=source, target=target)
    html = client.get(reverse("embeds:frame", args=[target.slug])).content.decode()
    assert "On the page" in html and "A reply on the page" in html


def test_editor_moves_a_conversation_from_the_admin(admin_client, two_stories):
    source, target, *_ = two_stories
    url = reverse("admin:articles_article_changelist")
    chosen = {"action": "merge_conversations", ACTION_CHECKBOX_NAME: [source.pk]}
    ask = admin_client.post(url, chosen)
    assert ask.status_code == 200 and "Move the conversation into" in ask.content.decode()
    assert target.comments.count() == 1  # nothing moved before the editor chose
    done = admin_client.post(url, {**chosen, "apply": "1", "target": target.pk}, follow=True)
    assert "2 comments, 2 reactions" in done.content.decode()
    assert target.comments.count() == 3


def test_editor_choosing_no_story_is_asked_again_and_nothing_moves(admin_client, two_stories):
    source, target, *_ = two_stories
    url = reverse("admin:articles_article_changelist")
    chosen = {"action": "merge_conversations", ACTION_CHECKBOX_NAME: [source.pk]}
    for junk in ["", "\x00", "99999999999999999999999", "<b>"]:
        response = admin_client.post(url, {**chosen, "apply": "1", "target": junk})
        assert response.status_code == 200
        assert 'id="id_target_error"' in response.content.decode()
    assert source.comments.count() == 2


def test_editor_finds_page_stories_in_the_admin_by_site(
    admin_client, two_stories, site, make_article
):
    source, *_ = two_stories
    other = EmbedSite.objects.create(name="Other", origins="https://other.example")
    elsewhere = make_article(headline="Elsewhere")
    EmbeddedPage.objects.create(site=other, url="https://other.example/a", article=elsewhere)
    url = reverse("admin:articles_article_changelist")
    html = admin_client.get(url, {"embedded_site": site.pk}).content.decode()
    assert source.headline in html
    assert "Harbour vote</a>" not in html and "Elsewhere</a>" not in html
    html = admin_client.get(url, {"embedded_site": "any"}).content.decode()
    assert "Elsewhere</a>" in html and "Harbour vote</a>" not in html


def test_the_admin_shows_the_snippet_for_a_story(admin_client, article):
    html = admin_client.get(reverse("admin:articles_article_change", args=[article.pk]))
    text = html.content.decode()
    assert "http://testserver/embed/loader.js" in text
    assert f"data-story=&quot;{article.slug}&quot;" in text
    assert f"http://testserver/stories/{article.slug}/#comments" in text  # the no-JS link


def test_the_admin_shows_the_snippet_for_a_site(admin_client, site):
    text = admin_client.get(reverse("admin:embeds_embedsite_change", args=[site.pk])).content
    text = text.decode()
    assert "data-url=&quot;CANONICAL-PAGE-URL&quot;" in text
    assert "http://testserver/embed/count.js" in text and "data-newsroom-count" in text
    assert "data-signature" not in text


def test_a_signed_sites_snippet_says_how_to_sign(admin_client, site):
    site.secret = "x" * 40
    site.save()
    text = admin_client.get(reverse("admin:embeds_embedsite_change", args=[site.pk])).content
    assert b"data-signature" in text and b"HMAC-SHA256" in text


def test_editor_adds_a_site_and_a_bad_origin_is_explained(admin_client):
    url = reverse("admin:embeds_embedsite_add")
    form = {"name": "Partner", "origins": "https://partner.example/path", "active": "on"}
    response = admin_client.post(url, form)
    assert response.status_code == 200 and "Not an origin" in response.content.decode()
    assert not EmbedSite.objects.exists()
    admin_client.post(url, {**form, "origins": "HTTPS://Partner.Example"})
    assert EmbedSite.objects.get().origins == "https://partner.example"


def test_page_stories_are_listed_for_editors(admin_client, two_stories):
    text = admin_client.get(reverse("admin:embeds_embeddedpage_changelist")).content.decode()
    assert "https://news.example/harbour" in text


def test_editor_closes_a_page_story_like_any_other(admin_client, two_stories):
    source, *_ = two_stories
    admin_client.post(
        reverse("admin:articles_article_changelist"),
        {"action": "close_comments", ACTION_CHECKBOX_NAME: [source.pk]},
    )
    assert not Article.objects.get(pk=source.pk).comments_open
