"""Newsroom's settings unchanged except for the URLconf, so the ceiling shares every middleware."""

from newsroom.settings import *  # noqa: F403

ROOT_URLCONF = "bench.benchsite.urls"
