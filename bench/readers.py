"""Known readers for the bench: a guest and an account who have done what engaged readers do.

Each has reacted to the story, liked two comments on its first page and has one held reply on
it (issue 13's reader). `known_readers(story)` returns {label: Cookie header} for wrk and the
in-process timings.
"""

import uuid


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
        body="My reply, waiting for an editor.",
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
