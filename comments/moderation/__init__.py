"""Moderation: the pipeline every comment passes, the audit log, and the desk's actions."""

from .pipeline import *  # noqa: F403  (the next commit splits pipeline.py by concept)
