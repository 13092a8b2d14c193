"""The embed's byte budgets: a loader under 5 KB, a 200-comment first render under 60 KB."""

import pytest
from django.test import Client

from bench.embed_budget import FIRST_RENDER_BUDGET, LOADER_BUDGET, first_render, script_sizes
from bench.seed import bulk_create_comments
from embeds.models import EmbedSite

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("name", ["loader.js", "count.js"])
def test_the_scripts_a_host_page_includes_are_under_5_kb_gzipped(name):
    raw, packed = script_sizes()[name]
    assert 0 < packed < LOADER_BUDGET


def test_the_loader_is_served_at_its_stable_address(client):
    response = client.get("/embed/loader.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert b"data-newsroom-embed" in response.content


def test_a_200_comment_conversation_first_renders_in_under_60_kb(article):
    EmbedSite.objects.create(name="Host", origins="https://news.example")
    bulk_create_comments(article, 200)
    rows = first_render(Client(), article)
    total = sum(size for _, size in rows)
    assert total < FIRST_RENDER_BUDGET, rows
    assert dict(rows)["frame HTML"] > 2000  # the conversation itself, not an error page
