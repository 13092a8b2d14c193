"""Time the anonymous story page and the trivial view in this process: the quick check while tuning.

.venv/bin/python bench/inprocess.py --repeat 500 --profile
"""

import argparse
import cProfile
import os
import pstats
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import run  # noqa: E402
from bench.common import UNLIMITED_RATES  # noqa: E402

SORT = os.environ.get("PROFILE_SORT", "cumtime")


def mean_ms(client, path, repeat):
    client.get(path)
    best = []
    for _ in range(3):  # the best of three rounds: the neighbours' load only ever adds time
        started = time.perf_counter()
        for _ in range(repeat):
            client.get(path)
        best.append((time.perf_counter() - started) * 1000 / repeat)
    return min(best)


def time_writes(story, repeat, profile):
    """Post comments and reactions as guests with JavaScript off: ms per POST and SQL queries."""
    from django.conf import settings
    from django.db import connection
    from django.middleware.csrf import CSRF_ALLOWED_CHARS, CSRF_SECRET_LENGTH
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse
    from django.utils.crypto import get_random_string

    from comments.tokens import browser_hash, make_token

    comment_url = reverse("comment_post", args=[story.slug])
    react_url = reverse("react", args=[story.slug])
    kinds = ["love", "wow", "sad", "angry"]
    clients = [Client(HTTP_HOST="127.0.0.1") for _ in range(8)]
    for client in clients:
        client.post(react_url, {"kind": "wow"})  # each client becomes a guest reader
        # A form token is bound to the browser's CSRF secret and good once (comments.tokens).
        secret = get_random_string(CSRF_SECRET_LENGTH, CSRF_ALLOWED_CHARS)
        client.cookies[settings.CSRF_COOKIE_NAME] = secret
        client.browser = browser_hash(secret)

    def comment(n):
        data = {"author_name": "Bench", "body": f"Load comment {n} {n * 7919}"}
        client = clients[n % 8]
        data["ts"] = make_token(story, browser=client.browser, issued_at=time.time() - 60)
        return client.post(comment_url, data)

    def reaction(n):
        return clients[n % 8].post(react_url, {"kind": kinds[n % 4]})

    for name, post in (("comment", comment), ("reaction", reaction)):
        with CaptureQueriesContext(connection) as queries:
            response = post(0)
        assert response.status_code == 302, (name, response.status_code)
        sqls = [query["sql"][:110] for query in queries]
        started = time.perf_counter()
        profiler = cProfile.Profile() if profile else None
        if profiler:
            profiler.enable()
        for n in range(1, repeat):
            assert post(n).status_code == 302
        if profiler:
            profiler.disable()
        ms = (time.perf_counter() - started) * 1000 / (repeat - 1)
        print(f"{name} POST {ms:.2f} ms, {len(sqls)} queries:")
        for sql in sqls:
            print(f"    {sql}")
        if profiler:
            pstats.Stats(profiler).sort_stats(SORT).print_stats(45)


def time_after_write(story, client, path, repeat):
    """Time the page drawn right after one write (a like), drawing every comment or reusing the
    unchanged ones (comments.fragments): ms per page, the write itself not counted."""
    from django.conf import settings
    from django.utils import timezone

    from comments import services
    from comments.models import Comment
    from comments.readers import Reader

    liker = Reader(key="g:bench-after-write", ip="203.0.113.77", since=timezone.now())
    liked = Comment.objects.filter(article=story, parent=None).order_by("created_at", "id")[3]
    kept = settings.NEWSROOM["COMMENT_FRAGMENT_SECONDS"]
    for label, seconds in (("every comment drawn", 0), ("unchanged ones reused", kept or 3600)):
        settings.NEWSROOM["COMMENT_FRAGMENT_SECONDS"] = seconds
        client.get(path)
        best = []
        for _ in range(3):
            spent = 0.0
            for _ in range(repeat):
                services.comment_like_toggle(comment=liked, reader=liker)
                started = time.perf_counter()
                assert client.get(path).status_code == 200
                spent += time.perf_counter() - started
            best.append(spent * 1000 / repeat)
        print(f"page after one write, {label}: {min(best):.2f} ms")
    settings.NEWSROOM["COMMENT_FRAGMENT_SECONDS"] = kept


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=300)
    parser.add_argument("--size", type=int, default=200)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--writes", action="store_true", help="time comment and reaction POSTs")
    parser.add_argument(
        "--after-write",
        action="store_true",
        help="time the page drawn right after a like, with and without reusing comment fragments",
    )
    parser.add_argument(
        "--reader",
        choices=["guest", "account"],
        help="time (and profile) the page for a known reader of bench/readers.py instead",
    )
    args = parser.parse_args()
    run.WORK.mkdir(parents=True, exist_ok=True)
    run.setup_django()
    if args.writes or args.after_write:
        from django.conf import settings

        # As write_load.py runs the server: limits out of the way, comments published at once.
        rates = {name.removeprefix("NEWSROOM_"): rate for name, rate in UNLIMITED_RATES.items()}
        settings.NEWSROOM.update(rates, MODERATION_MODE="post", COMMENT_MIN_SECONDS=0)
    story = run.load_stories([args.size], 300)[args.size]
    from django.test import Client

    client = Client(HTTP_HOST="127.0.0.1")
    path = story.get_absolute_url()
    if args.reader:
        from bench.readers import known_readers

        cookie = known_readers(story)[args.reader]
        anonymous = mean_ms(client, path, args.repeat)
        print(f"story {args.size} anonymous {anonymous:.3f} ms")
        client = Client(HTTP_HOST="127.0.0.1", HTTP_COOKIE=cookie)
    trivial = mean_ms(client, run.TRIVIAL_PATH, args.repeat)
    cached = mean_ms(client, path, args.repeat)
    size = len(client.get(path).content)
    who = f"{args.reader} reader" if args.reader else "cached"
    print(f"trivial {trivial:.3f} ms, story {args.size} {who} {cached:.3f} ms ({size} bytes)")
    print(f"ratio {trivial / cached:.2f}x")
    if args.writes:
        time_writes(story, args.repeat, args.profile)
        return
    if args.after_write:
        time_after_write(story, client, path, args.repeat)
        return
    if args.profile:
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(args.repeat):
            client.get(path)
        profiler.disable()
        pstats.Stats(profiler).sort_stats(SORT).print_stats(45)


if __name__ == "__main__":
    main()
