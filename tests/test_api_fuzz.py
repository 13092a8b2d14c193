"""Property-based fuzzing of the whole API from its own OpenAPI description (schemathesis).

Every operation gets generated requests, valid and invalid, against a live server: no response
may be a server error and every response must match the schema (status, headers, body). Once as
an anonymous client, once as a signed-in moderator with a session cookie and the CSRF token.
"""

import json

import pytest
import schemathesis
import schemathesis.pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.test import Client
from django.utils.crypto import get_random_string
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import HealthCheck, settings
from schemathesis.checks import positive_data_acceptance

from articles.models import Article
from comments.models import Comment

# Transactional: the live server reads what the test wrote from another thread.
pytestmark = pytest.mark.django_db(transaction=True)

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
    """The schema exactly as /api/schema/ serves it, rendered to JSON and back.

    Built when a test runs, from its database: the reaction kinds in it are the enabled ones.
    """
    document = SchemaGenerator().get_schema(request=None, public=True)
    return json.loads(OpenApiJsonRenderer().render(document))


def lazy_schema_node(request):
    # schemathesis 4.32 renames sub-tests through `node._nodeid`, which pytest 9 no longer has.
    if not hasattr(request.node, "_nodeid"):
        request.node._nodeid = request.node.nodeid


@pytest.fixture
def api_schema(request, story):
    lazy_schema_node(request)
    return schemathesis.openapi.from_dict(published_schema())


@pytest.fixture
def staff_api_schema(request, story):
    lazy_schema_node(request)
    # The moderator's run sends a real session cookie, so it leaves the cookie parameters alone,
    # and skips the coverage phase the anonymous run already covers.
    staff_schema = schemathesis.openapi.from_dict(published_schema())
    staff_schema.config.generation.update(with_security_parameters=False)
    staff_schema.config.phases.update(phases=["examples", "fuzzing"])
    return staff_schema


def beyond_the_schema(case):
    """The checks a request may fail for a reason its schema cannot state.

    A cursor is opaque: only the ones a list hands out in `next` are valid, and any other string
    is refused with 400 naming it.
    """
    return [positive_data_acceptance] if "cursor" in (case.query or {}) else []


schema = schemathesis.pytest.from_fixture("api_schema")
staff_schema = schemathesis.pytest.from_fixture("staff_api_schema")


@schema.parametrize()
@settings(
    max_examples=FUZZ_EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
def test_api_answers_every_generated_request_within_its_schema(case, live_server, story):
    case.call_and_validate(base_url=live_server.url, excluded_checks=beyond_the_schema(case))


@pytest.fixture
def moderator_headers(transactional_db):
    """Headers of a signed-in moderator's browser: session cookie, CSRF cookie and token.

    Staff in the Moderators group, as on the desk: the moderation endpoints answer, not 403.
    """
    user = get_user_model().objects.create_user("fuzz-moderator", password=None, is_staff=True)
    user.groups.add(Group.objects.get(name="Moderators"))
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
    case.call_and_validate(
        base_url=live_server.url, headers=moderator_headers, excluded_checks=beyond_the_schema(case)
    )


def path_for(template, story, comment):
    return template.replace("{slug}", story.slug).replace("{id}", str(comment.pk))


@pytest.mark.parametrize("as_moderator", [False, True], ids=["anonymous", "moderator"])
def test_options_describes_every_endpoint_without_a_server_error(
    client, story, moderator_headers, as_moderator
):
    """OPTIONS answers 200 in JSON, and its Allow header lists what the schema documents."""
    comment = Comment.objects.get()
    if as_moderator:
        client.force_login(get_user_model().objects.get(username="fuzz-moderator"))
    paths = published_schema()["paths"]
    assert len(paths) >= 14
    for template, operations in paths.items():
        response = client.options(path_for(template, story, comment))
        if not as_moderator and template.startswith("/api/moderation/"):
            assert response.status_code == 403, template
            continue
        assert response.status_code == 200, (template, response.content[:300])
        assert response.json()["name"]
        allowed = {method.strip() for method in response.headers["Allow"].split(",")}
        assert {method.upper() for method in operations} <= allowed, template
