"""In the default setup (SQLite, no Redis) every worker process counts against the same limits."""

import subprocess
import sys

from django.conf import settings

from tests.test_security_headers import production_env

# Each process counts `hits` actions by one reader against a daily limit (a day, so a test never
# straddles a window), and prints what it was answered.
SCRIPT = """
import sys, django
django.setup()
from comments import ratelimits
from comments.readers import Reader

reader = Reader(key="g:one-reader", ip="203.0.113.5")
answers = []
for _ in range(int(sys.argv[1])):
    try:
        ratelimits.enforce(group="shared-test", reader=reader, per_reader=sys.argv[2],
                           per_network="1000000/d")
        answers.append("ok")
    except ratelimits.RateLimited:
        answers.append("limited")
print(" ".join(answers))
"""


def worker_env(tmp_path):
    """The environment of a production worker on the default setup: SQLite, no cache URL."""
    return production_env(DJANGO_SQLITE_PATH=str(tmp_path / "db.sqlite3"))


def start_worker(tmp_path, hits, rate):
    return subprocess.Popen(
        [sys.executable, "-c", SCRIPT, str(hits), rate],
        env=worker_env(tmp_path),
        cwd=settings.BASE_DIR,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def answers_of(worker):
    out, err = worker.communicate(timeout=120)
    assert worker.returncode == 0, err
    return out.split()


def test_a_reader_is_limited_across_two_worker_processes(tmp_path):
    first = answers_of(start_worker(tmp_path, 3, "5/d"))
    second = answers_of(start_worker(tmp_path, 3, "5/d"))
    assert first == ["ok", "ok", "ok"]
    assert second == ["ok", "ok", "limited"], "the second worker knows what the first counted"


def test_two_workers_counting_at_once_lose_no_count(tmp_path):
    workers = [start_worker(tmp_path, 300, "450/d") for _ in range(2)]
    answers = [answer for worker in workers for answer in answers_of(worker)]
    assert answers.count("ok") == 450
    assert answers.count("limited") == 150


def test_rate_limit_checks_pass_without_silencing_the_cache_error():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--fail-level", "WARNING"],
        env=worker_env(settings.BASE_DIR / "artifacts"),
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "django_ratelimit.E003" not in settings.SILENCED_SYSTEM_CHECKS
