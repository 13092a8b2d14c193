"""Property-based fuzzing of the whole API from its own OpenAPI description (schemathesis).

Every operation gets generated requests, valid and invalid, against a live server: no response
may be a server error and every response must match the schema (status, headers, body). Once as
an anonymous client, once as a signed-in moderator with a session cookie and the CSRF token.
"""

import json

import pytest
import schemathesis
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils.crypto import get_random_string
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import HealthCheck, settings

from articles.models import Article
from comments.models import Comment

FUZZ_EXAMPLES = 25
# The moderator's run repeats every operation with a session; fewer examples keep CI quick.
STAFF_FUZZ_EXAMPLES = 10


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
# The moderator's run sends a real session cookie, so it leaves the cookie parameters alone, and
# skips the coverage phase the anonymous run already covers.
staff_schema = schemathesis.openapi.from_dict(published_schema())
staff_schema.config.generation.update(with_security_parameters=False)
staff_schema.config.phases.update(phases=["examples", "fuzzing"])


@schema.parametrize()
@settings(
    max_examples=FUZZ_EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
def test_api_answers_every_generated_request_within_its_schema(case, live_server, story):
    case.call_and_validate(base_url=live_server.url)


@pytest.fixture
def moderator_headers(transactional_db):
    """Headers of a signed-in moderator's browser: session cookie, CSRF cookie and token."""
    user = get_user_model().objects.create_superuser("fuzz-moderator", password=None)
    client = Client()
    client.force_login(user)
    token = get_random_string(32)
    session = client.cookies["sessionid"].value
    return {"Cookie": f"sessionid={session}; csrftoken={token}", "X-CSRFToken": token}


@staff_schema.parametrize()
@settings(
    max_examples=STAFF_FUZZ_EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
def test_api_answers_a_moderator_within_its_schema(case, live_server, story, moderator_headers):
    case.call_and_validate(base_url=live_server.url, headers=moderator_headers)
