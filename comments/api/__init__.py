"""The comments API, one module per resource; newsroom/api_urls.py mounts its views."""

from .base import *  # noqa: F403  (the next commit splits base.py by resource)
