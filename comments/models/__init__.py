"""The comments app's models, one module per concept; every model is importable from here."""

from .comment import (
    PRIORITY_RULES,
    WAITING_FOR_CLASSIFIER,
    Comment,
    CommentLike,
    CommentQuerySet,
    CommentReport,
    CommentReportQuerySet,
    CommentRevision,
)
from .moderation import (
    SETTINGS_CACHE_KEY,
    SETTINGS_CACHE_SECONDS,
    ModerationAction,
    ModerationSettings,
)
from .reactions import (
    DEFAULT_REACTION_KINDS,
    Reaction,
    ReactionKind,
    ReactionKindQuerySet,
    ReactionQuerySet,
    ReactionTally,
)
from .readers import Ban, BanQuerySet, ReaderProfile, SpentToken

__all__ = [
    "DEFAULT_REACTION_KINDS",
    "PRIORITY_RULES",
    "SETTINGS_CACHE_KEY",
    "SETTINGS_CACHE_SECONDS",
    "WAITING_FOR_CLASSIFIER",
    "Ban",
    "BanQuerySet",
    "Comment",
    "CommentLike",
    "CommentQuerySet",
    "CommentReport",
    "CommentReportQuerySet",
    "CommentRevision",
    "ModerationAction",
    "ModerationSettings",
    "Reaction",
    "ReactionKind",
    "ReactionKindQuerySet",
    "ReactionQuerySet",
    "ReactionTally",
    "ReaderProfile",
    "SpentToken",
]
