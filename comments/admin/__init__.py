"""
The moderation desk: comment queues, bans, readers, the audit log and the dashboard.

Every status change made here goes through `comments.moderation`, which writes the audit log.
Each module registers its own ModelAdmins; importing them here is what registers them.
"""

from . import audit, bans, queues, reactions, readers, settings  # noqa: F401
from .reactions import reaction_summary

__all__ = ["reaction_summary"]
