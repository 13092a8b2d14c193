"""Property-based fuzzing of the whole API from its own OpenAPI description (schemathesis).

Every operation gets generated requests, valid and invalid, against a live server: no response
may be a server error and every response must match the schema (status, headers, body).
"""

import json

import pytest
import schemathesis
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import HealthCheck, settings

from articles.models import Article
from comments.models import Comment

FUZZ_EXAMPLES = 25


@pytest.fixture
def story(transactional_db):
    article = Article.objects.create(
        headline="Fuzzed story",
        slug="fuzzed-story",
        body="Body.",
        status=Article.Status.PUBLISHED,
        published_at="2026-01-01T00:00:00Z",
    )
    Comment.objects.create(
        article=article, reader_key="g:a", author_name="A", body="Hello", status="approved"
    )
    return article


def published_schema():
    """The schema exactly as /api/schema/ serves it, rendered to JSON and back."""
    document = SchemaGenerator().get_schema(request=None, public=True)
    return json.loads(OpenApiJsonRenderer().render(document))


schema = schemathesis.openapi.from_dict(published_schema())


@schema.parametrize()
@settings(
    max_examples=FUZZ_EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
def test_api_answers_every_generated_request_within_its_schema(case, live_server, story):
    case.call_and_validate(base_url=live_server.url)
