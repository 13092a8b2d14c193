"""Known readers for the bench: a guest and an account who have done what engaged readers do.

Each has reacted to the story, liked two comments on its first page and has one held reply on
it (issue 13's reader). `known_readers(story)` returns {label: Cookie header} for wrk and the
in-process timings.
"""

import uuid

HELD_BODY = "My reply, waiting for an editor."


def _engage(story, reader_key, name):
    from django.db.models import F

    from articles.models import story_changed
    from comments.models import Comment, CommentLike, Reaction, ReactionTally

    roots = list(story.comments.visible().top_level().order_by("created_at", "id")[:3])
    for comment in roots[:2]:
        CommentLike.objects.create(comment=comment, reader_key=reader_key)
        Comment.objects.filter(pk=comment.pk).update(like_count=F("like_count") + 1)
    Reaction.objects.create(article=story, reader_key=reader_key, kind="love")
    ReactionTally.objects.filter(article=story, kind="love").update(count=F("count") + 1)
    parent = roots[-1]
    Comment.objects.create(
        article=story,
        parent=parent,
        thread_id=parent.pk,
        depth=1,
        reader_key=reader_key,
        author_name=name,
        body=HELD_BODY,
        status=Comment.Status.PENDING,
    )
    story_changed(story.pk)


def known_readers(story):
    """Return {"guest": cookie header, "account": cookie header} for two engaged readers."""
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core import signing
    from django.test import Client

    from comments.readers import COOKIE_NAME, COOKIE_SALT

    guest = str(uuid.uuid4())
    _engage(story, f"g:{guest}", "Bench guest")
    cookie = signing.dumps(guest, salt=COOKIE_SALT)
    user = get_user_model().objects.create_user(f"bench-{story.pk}", password=None)
    _engage(story, f"u:{user.pk}", user.username)
    client = Client()
    client.force_login(user)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    return {
        "guest": f"{COOKIE_NAME}={cookie}",
        "account": f"{settings.SESSION_COOKIE_NAME}={session}",
    }


def state_problems(html, *, engaged):
    """Return what is wrong with a story page's reader state; [] if it is as the bench says.

    An engaged reader (above) must see their reaction pressed, exactly two likes marked and
    their held reply with its notice; anyone else sees none of that.
    """
    from bs4 import BeautifulSoup

    page = BeautifulSoup(html, "html.parser")
    pressed = [b["value"] for b in page.select("form[data-reactions] button[aria-pressed=true]")]
    likes = [
        form
        for form in page.select("form[data-like]")
        if form.button is not None and form.button.get("aria-pressed") == "true"
    ]
    held = [
        comment
        for comment in page.select("article.comment--pending")
        if HELD_BODY in comment.get_text() and comment.select_one(".comment__notice")
    ]
    seen = {"reaction pressed": pressed, "likes marked": len(likes), "held replies": len(held)}
    wanted = (
        {"reaction pressed": ["love"], "likes marked": 2, "held replies": 1}
        if engaged
        else {"reaction pressed": [], "likes marked": 0, "held replies": 0}
    )
    return [
        f"{what}: {seen[what]!r}, expected {wanted[what]!r}"
        for what in wanted
        if seen[what] != wanted[what]
    ]
