"""
A guest who signs in brings their traces along: reactions, likes, reports and comments move from
the guest key ("g:...") to the account key ("u:<id>"). Where the account already has its own
(a reaction on the same story, a like or report on the same comment), the account's wins and the
guest's is dropped with its count, so nothing is counted twice.
"""

from django.db.models import Count, F

from .models import Comment, CommentLike, CommentReport, Reaction
from .reactions import retry_on_conflict, tally_change
from .readers import guest_key_from_cookie


def reader_merge(*, guest_key, user):
    """Move everything `guest_key` did to `user`'s account; return how many rows moved."""
    user_key = f"u:{user.pk}"
    if not guest_key or guest_key == user_key:
        return 0
    return retry_on_conflict(lambda: _merge(guest_key, user_key))


def _merge(guest_key, user_key):
    duplicates = Reaction.objects.filter(
        reader_key=guest_key,
        article_id__in=Reaction.objects.by_reader(user_key).values("article_id"),
    )
    per_story = {}
    for article_id, kind in duplicates.values_list("article_id", "kind"):
        per_story.setdefault(article_id, {}).setdefault(kind, 0)
        per_story[article_id][kind] -= 1
    for article_id, changes in per_story.items():
        tally_change(article_id, changes)
    duplicates.delete()
    moved = Reaction.objects.by_reader(guest_key).update(reader_key=user_key)

    for model, counter in ((CommentLike, "like_count"), (CommentReport, "report_count")):
        duplicates = model.objects.filter(
            reader_key=guest_key,
            comment_id__in=model.objects.filter(reader_key=user_key).values("comment_id"),
        )
        dropped = duplicates.values("comment_id").annotate(n=Count("id")).order_by()
        for row in dropped:
            Comment.objects.filter(pk=row["comment_id"], **{f"{counter}__gte": row["n"]}).update(
                **{counter: F(counter) - row["n"]}
            )
        duplicates.delete()
        moved += model.objects.filter(reader_key=guest_key).update(reader_key=user_key)

    moved += Comment.objects.filter(reader_key=guest_key).update(reader_key=user_key)
    return moved


def merge_guest_on_login(sender, request, user, **kwargs):
    """Receive Django's user_logged_in: fold the browser's guest identity into the account."""
    if request is None:
        return
    reader_merge(guest_key=guest_key_from_cookie(request), user=user)
    # The request may have cached its guest Reader before logging in; forget it.
    request.__dict__.pop("_reader", None)
