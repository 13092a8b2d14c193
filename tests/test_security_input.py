import http.client
import os
import socket
import subprocess
import sys
import time

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_oversized_form_body_is_refused_with_400(client):
    body = "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)
    response = client.post(reverse("signup"), {"username": body, "password1": "a"})
    assert response.status_code == 400
    assert not get_user_model().objects.exists()


def test_form_with_too_many_fields_is_refused_with_400(client):
    fields = {f"field{n}": "x" for n in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1)}
    assert client.post(reverse("login"), fields).status_code == 400


@pytest.mark.parametrize(
    "path",
    [
        "/?page=%FF%FE",
        "/?page=%00",
        "/?q=%C0%AF&page=1%00",
        "/stories/%FF%FE/",
        "/stories/bridge%00reopens/",
        "/stories/bridge-reopens/?%00=%00",
        "/stories/%C3%28/",
        "/accounts/login/?next=%00%FF",
        "/accounts/login/?next=javascript:alert(1)",
        "/admin/login/?next=%00",
        "/%00",
        "/static/%FF",
    ],
)
def test_invalid_utf8_and_nul_in_urls_never_cause_a_server_error(client, article, path):
    response = client.get(path)
    assert response.status_code in {200, 301, 302, 400, 404}, response.status_code


@pytest.mark.parametrize("value", ["bad\x00name", "bell\x07", "\u202enimda"])
def test_control_characters_in_login_forms_are_refused_not_crashed(client, value):
    response = client.post(reverse("login"), {"username": value, "password": "x"})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    response = client.post(
        reverse("signup"), {"username": value, "password1": "p4ss-word!", "password2": "p4ss-word!"}
    )
    assert response.status_code == 200
    assert not get_user_model().objects.exists()


def test_nul_in_admin_search_is_not_a_server_error(admin_client):
    assert admin_client.get("/admin/auth/user/?q=%00").status_code in {200, 400}
    assert admin_client.get("/admin/articles/article/?q=a%00b").status_code in {200, 400}


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def gunicorn():
    """The production server, so its limits on request lines and headers are the real ones."""
    port = free_port()
    # Its own in-memory database: the limits under test apply before any view runs.
    env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    env["DJANGO_SQLITE_PATH"] = ":memory:"
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "newsroom.wsgi", "--bind", f"127.0.0.1:{port}"],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            time.sleep(0.2)
    else:
        server.kill()
        pytest.fail("gunicorn did not start")
    yield port
    server.terminate()
    server.wait(timeout=10)


def raw_get(port, path="/health/", headers=()):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.putrequest("GET", path, skip_host=True)
    conn.putheader("Host", "localhost")
    for name, value in headers:
        conn.putheader(name, value)
    conn.endheaders()
    response = conn.getresponse()
    status = response.status
    conn.close()
    return status


def test_server_answers_normal_requests(gunicorn):
    assert raw_get(gunicorn) == 200


def test_oversized_header_is_refused_with_431(gunicorn):
    assert raw_get(gunicorn, headers=[("X-Padding", "a" * 20_000)]) == 431


def test_too_many_headers_are_refused_with_431(gunicorn):
    assert raw_get(gunicorn, headers=[(f"X-H{n}", "a") for n in range(200)]) == 431


def test_oversized_request_line_is_refused_with_4xx(gunicorn):
    assert raw_get(gunicorn, path="/?q=" + "a" * 10_000) in {400, 414}
