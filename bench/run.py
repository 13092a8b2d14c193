"""
Benchmark newsroom's story page under gunicorn against a trivial view and django-comments-xtd.

    make bench                      # everything, about 6 minutes
    .venv/bin/python bench/run.py --duration 5 --skip-writes

Every figure is also a ratio to the ceiling (a trivial view behind the same middleware and server)
measured in the same run. Results go to stdout and bench/work/ (latest.md, results.json, profiles).
"""

import argparse
import cProfile
import io
import json
import os
import pstats
import shutil
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (  # noqa: E402
    BENCH,
    ROOT,
    WORK,
    XTD_VENV,
    Server,
    ServerConfig,
    add_server_arguments,
    app_env,
    machine,
    save_json,
    secret_key,
    wrk,
)

SQLITE_PATH = WORK / "bench.sqlite3"
XTD_SQLITE_PATH = WORK / "xtd.sqlite3"
TRIVIAL_PATH = "/bench/trivial/"
BROWSER_ENCODING = "Accept-Encoding: gzip, deflate, br, zstd"
TRIVIAL_LARGE_PATH = "/bench/trivial-large/"


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.strip().split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=5, help="wrk seconds per URL and round")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of page against ceiling")
    parser.add_argument("--warmup", type=int, default=2, help="wrk warm-up seconds per URL")
    parser.add_argument("--connections", type=int, default=16, help="wrk open connections")
    parser.add_argument("--wrk-threads", type=int, default=1)
    parser.add_argument("--sizes", default="20,200,10000", help="comment counts of the stories")
    parser.add_argument("--reactions", type=int, default=300, help="reactions per story")
    add_server_arguments(parser)
    parser.add_argument("--profile-requests", type=int, default=200, help="0 skips profiling")
    parser.add_argument("--xtd-duration", type=int, default=30, help="wrk seconds, incumbent")
    parser.add_argument("--skip-xtd", action="store_true", help="skip the incumbent")
    parser.add_argument("--skip-writes", action="store_true", help="skip write load and kill")
    parser.add_argument("--write-duration", type=int, default=30)
    parser.add_argument("--clients", type=int, default=64, help="write-load clients")
    parser.add_argument(
        "--live", action="store_true", help="also 1,000 idle live pages (bench/live_idle.py)"
    )
    parser.add_argument("--live-pages", type=int, default=1000, help="open pages for --live")
    return parser.parse_args(argv)


def setup_django():
    """Build a fresh SQLite database with the stories and configure Django in this process."""
    for path in WORK.glob("bench.*sqlite3*"):
        path.unlink()
    env = app_env(sqlite_path=SQLITE_PATH)
    os.environ.clear()
    os.environ.update(env)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)


def load_stories(sizes, reactions):
    from bench import seed

    stories = {}
    for size in sizes:
        started = time.monotonic()
        article = seed.create_story(f"bench-{size}-comments", label=f"{size} comments")
        how = seed.add_comments(article, size)
        seed.add_reactions(article, reactions)
        stories[size] = article
        print(f"  story with {size} comments ({how}) in {time.monotonic() - started:.1f}s")
    return stories


def page_facts(path, repeat=20, headers=()):
    """Return the SQL queries, size and mean time of anonymous GETs made in this process."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    extra = {
        f"HTTP_{name.strip().upper().replace('-', '_')}": value.strip()
        for name, value in (header.split(":", 1) for header in headers)
    }
    client = Client(HTTP_HOST="127.0.0.1", **extra)
    client.get(path)  # Warm per-process caches first, as a long-running worker has.
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    # Read the count now: every later request clears the connection's query log.
    count = len(queries)
    assert response.status_code == 200, (path, response.status_code)
    started = time.perf_counter()
    for _ in range(repeat):
        client.get(path)
    ms = (time.perf_counter() - started) * 1000 / repeat
    # Rendered: the same request with the cached pages dropped first, so the page is drawn.
    from django.core.cache import cache

    from articles import page_cache

    def drawn():
        cache.clear()
        page_cache.forget()
        return client.get(path)

    with CaptureQueriesContext(connection) as queries:
        drawn()
    rendered_count = len(queries)
    started = time.perf_counter()
    for _ in range(repeat // 4):
        drawn()
    rendered_ms = (time.perf_counter() - started) * 1000 / (repeat // 4)
    return {
        "queries": f"{count} / {rendered_count}",
        "bytes": len(response.content),
        "ms": f"{ms:.2f} / {rendered_ms:.1f}",
    }


def profile(path, requests, name):
    """Profile `requests` anonymous GETs in-process; save the hottest functions."""
    from django.test import Client

    client = Client(HTTP_HOST="127.0.0.1")
    client.get(path)
    profiler = cProfile.Profile()
    started = time.perf_counter()
    profiler.enable()
    for _ in range(requests):
        client.get(path)
    profiler.disable()
    elapsed_ms = (time.perf_counter() - started) * 1000 / requests
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    out.write(f"{requests} GET {path}: {elapsed_ms:.2f} ms each (profiled)\n")
    stats.sort_stats("cumulative").print_stats(40)
    stats.sort_stats("tottime").print_stats(25)
    (WORK / f"profile-{name}.txt").write_text(out.getvalue())
    return round(elapsed_ms, 2)


def drain(server, timeout=60):
    """Wait until the server answers at once: requests wrk left queued would eat the next run."""
    deadline = time.monotonic() + timeout
    fast = 0
    while fast < 3 and time.monotonic() < deadline:
        started = time.monotonic()
        try:
            urllib.request.urlopen(server.base_url + "/bench-drain/", timeout=timeout).read()
        except urllib.error.HTTPError:
            pass  # A 404 is the cheapest answer; it only has to come back quickly.
        fast = fast + 1 if time.monotonic() - started < 0.05 else 0


def measure(server, paths, args, *, duration=None, warmup=None, quiet=False):
    results = {}
    for name, path, *headers in paths:
        url = server.base_url + path
        warmup = args.warmup if warmup is None else warmup
        if warmup:
            wrk(
                url,
                duration=warmup,
                connections=args.connections,
                threads=args.wrk_threads,
                headers=headers,
            )
        else:
            urllib.request.urlopen(url, timeout=120).read()
        drain(server)
        result = wrk(
            url,
            duration=duration or args.duration,
            connections=args.connections,
            threads=args.wrk_threads,
            timeout=120,
            headers=headers,
        )
        drain(server)
        results[name] = result
        if quiet:
            continue
        print(
            f"  {name:<22} {result.requests_per_second:>9.1f} req/s  "
            f"p50 {result.p50_ms:>8.2f} ms  p90 {result.p90_ms:>8.2f} ms  "
            f"p99 {result.p99_ms:>8.2f} ms  non-2xx {result.non_2xx}"
        )
    return results


def check_reader_states(server, paths):
    """Stop the run unless each page shows the reader state its row claims, as served.

    A known reader's row must get their reaction pressed, two likes marked and their held reply
    on the page (bench/readers.py); the anonymous rows must get none of it.
    """
    from bench.readers import state_problems

    for name, path, *headers in paths:
        if "gzip" in name:
            continue
        request = urllib.request.Request(server.base_url + path)
        for header in headers:
            key, value = header.split(":", 1)
            request.add_header(key.strip(), value.strip())
        html = urllib.request.urlopen(request, timeout=120).read().decode()
        problems = state_problems(html, engaged="reader" in name)
        if problems:
            sys.exit(f"{name}: the page is not in the state the bench reports: {problems}")
        print(f"  {name}: state as stated")


def measure_against_ceiling(server, pages, args):
    """Measure each page in rounds that alternate with the trivial view; return the median round.

    The speed of these shared machines drifts by a third within minutes, so a page measured
    minutes away from the ceiling says as much about the neighbours as about the page. Each round
    measures the trivial view and then the page; the ratio reported is the median round's.
    """
    results = {}
    trivial = ("trivial view", TRIVIAL_PATH)
    for name, path, *headers in pages:
        rounds = []
        for _ in range(args.rounds):
            ceiling = measure(server, [trivial], args, quiet=True)["trivial view"]
            result = measure(server, [(name, path, *headers)], args, quiet=True)[name]
            result.ceiling = ceiling.requests_per_second
            rounds.append(result)
        rounds.sort(key=lambda result: result.requests_per_second / result.ceiling)
        results[name] = median = rounds[len(rounds) // 2]
        spread = ", ".join(f"{r.requests_per_second / r.ceiling:.2f}" for r in rounds)
        print(
            f"  {name:<30} {median.requests_per_second:>8.1f} req/s against "
            f"{median.ceiling:.1f}: {median.requests_per_second / median.ceiling:.3f}× "
            f"(rounds {spread})"
        )
    return results


def ensure_xtd_venv():
    python = XTD_VENV / "bin" / "python"
    marker = XTD_VENV / ".installed"
    requirements = BENCH / "xtd_site" / "requirements.txt"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(XTD_VENV)], check=True)
    if not marker.exists() or marker.stat().st_mtime < requirements.stat().st_mtime:
        subprocess.run(
            [str(python), "-m", "pip", "install", "--quiet", "-r", str(requirements)], check=True
        )
        marker.touch()
    return python


def xtd_env():
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "NEWSROOM_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="xtd_site.settings",
        XTD_SECRET_KEY=secret_key(),
        XTD_SQLITE_PATH=str(XTD_SQLITE_PATH),
        XTD_STATIC_ROOT=str(WORK / "xtd-static"),
        PYTHONDONTWRITEBYTECODE="1",
    )
    return env


def run_incumbent(story, args):
    """Serve the same story and comments with django-comments-xtd and measure it."""
    python = ensure_xtd_venv()
    for path in WORK.glob("xtd.sqlite3*"):
        path.unlink()
    story_file = WORK / "xtd-story.json"
    story_file.write_text(json.dumps(story))
    env = xtd_env()
    manage = [str(python), "-m", "django"]
    for command in (
        ["migrate", "--run-syncdb", "--verbosity", "0"],
        ["load_story", str(story_file)],
    ):
        subprocess.run(manage + command, env=env, cwd=BENCH, check=True)
    path = f"/stories/{story['slug']}/"
    facts = json.loads(
        subprocess.run(
            manage + ["page_facts", path], env=env, cwd=BENCH, check=True, capture_output=True
        ).stdout
    )
    print(
        f"  xtd story, 200           {facts['queries']:>3} SQL queries, {facts['bytes']} bytes, "
        f"{facts['ms']} ms"
    )
    server = Server(
        name="xtd",
        env=env,
        config=server_config(args),
        wsgi="xtd_site.wsgi:application",
        chdir=BENCH,
        gunicorn=XTD_VENV / "bin" / "gunicorn",
        ready_path=path,
    )
    with server:
        # No wrk warm-up: at a few requests a second its leftover queue would eat the run.
        results = measure(
            server, [("xtd story, 200", path)], args, duration=args.xtd_duration, warmup=0
        )
        results["xtd story, 200"].rss = server.worker_rss_mib()
    return results["xtd story, 200"], facts


def server_config(args):
    return ServerConfig.from_args(args)


def run_script(script, *extra, env):
    """Run a sibling script; return its JSON result, or its failure as text."""
    command = [sys.executable, str(BENCH / script), *extra]
    print(f"\n$ {' '.join(command[1:])}")
    completed = subprocess.run(command, env=env, cwd=ROOT, text=True, capture_output=True)
    sys.stdout.write(completed.stdout)
    sys.stderr.write(completed.stderr)
    result_line = [line for line in completed.stdout.splitlines() if line.startswith("RESULT ")]
    if result_line:
        return json.loads(result_line[-1].removeprefix("RESULT "))
    return {"failed": (completed.stderr or completed.stdout).strip().splitlines()[-1:]}


def ratio(value, ceiling):
    return f"{value / ceiling:.3f}×" if ceiling else "n/a"


def report(info, args, facts, reads, ceiling, incumbent, writes):
    lines = [
        f"Machine: {info['nproc']} CPUs, {info['cpu']}, {info['memory_gib']} GiB RAM, "
        f"Linux {info['kernel']}, Python {info['python']}",
        f"Date: {info['date']}, commit {info['commit']}",
        f"Command: {' '.join(['bench/run.py', *sys.argv[1:]])}",
        f"gunicorn: {args.workers} × {args.worker_class}"
        + (f" ({args.threads} threads)" if args.worker_class == "gthread" else "")
        + f"; wrk -t{args.wrk_threads} -c{args.connections} -d{args.duration}s "
        f"(after {args.warmup}s warm-up)",
        "",
        "| Page | req/s | × ceiling | ceiling req/s | p50 ms | p90 ms | p99 ms "
        "| SQL queries cached / rendered | KiB | in-process ms cached / rendered | errors |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for name, result in reads.items():
        fact = facts.get(name) or {"queries": "—", "bytes": float("nan"), "ms": "—"}
        errors = ", ".join(
            filter(None, [result.non_2xx and f"{result.non_2xx} non-2xx", result.socket_errors])
        )
        lines.append(
            f"| {name} | {result.requests_per_second:.1f} | "
            f"{ratio(result.requests_per_second, result.ceiling or ceiling)} | "
            f"{result.ceiling or ceiling:.1f} | {result.p50_ms:.2f} | "
            f"{result.p90_ms:.2f} | {result.p99_ms:.2f} | {fact['queries']} | "
            f"{fact['bytes'] / 1024:.1f} | {fact['ms']} | {errors or 0} |"
        )
    lines.append("")
    lines.append(
        f"Ceiling: each page's is the trivial view measured just before it, in the median of "
        f"{args.rounds} alternating rounds; the mean of every trivial-view figure is "
        f"{ceiling:.1f} req/s."
    )
    if incumbent is not None:
        lines.append(
            f"Incumbent django-comments-xtd, 200-comment story: "
            f"{incumbent.requests_per_second:.1f} req/s = "
            f"{ratio(incumbent.requests_per_second, ceiling)} ceiling; "
            f"worker RSS {incumbent.rss} MiB"
        )
    lines.append(f"Worker RSS after the read load: {facts.get('rss')} MiB")
    if writes:
        lines += [
            "",
            "| Write run | writes/s | accepted | refused (why) | errors | pages between posts "
            "(p50 ms) | database is locked | audit | worker RSS MiB |",
            "|---|---:|---:|---|---:|---|---:|---|---|",
        ]
    for name, result in writes.items():
        audit = result.get("audit") or {}
        verdict = (
            "FAILED: " + "; ".join(result["failed"])
            if result.get("failed")
            else ("ok" if audit.get("ok") else "LOST OR DRIFTED: " + json.dumps(audit))
        )
        if "integrity_check" in result:
            verdict += f"; integrity_check {result['integrity_check']}"
        reasons = ", ".join(f"{why}: {n}" for why, n in result.get("refusal_reasons", {}).items())
        refused = f"{result.get('refusals', '—')}" + (f" ({reasons})" if reasons else "")
        pages = (
            f"{result['pages_between_posts']} ({result.get('page_p50_ms')})"
            + (f", {result['page_errors']} failed" if result.get("page_errors") else "")
            if "pages_between_posts" in result
            else "—"
        )
        lines.append(
            f"| {name} | {result.get('writes_per_second', '—')} | "
            f"{result.get('writes_accepted', '—')} | {refused} | {result.get('errors', '—')} | "
            f"{pages} | {result.get('database_is_locked', '—')} | {verdict} | "
            f"{result.get('worker_rss_mib', '—')} |"
        )
    return "\n".join(lines) + "\n"


def live_report(live):
    """Summarise bench/live_idle.py's result (its own report has every figure)."""
    if "failed" in live:
        return f"Idle live pages: FAILED: {'; '.join(live['failed'])}\n"
    pages, idle = live["pages"], live["idle"]
    unchanged = live["wrk"]["unchanged poll (304)"]
    return (
        f"Idle live pages: {pages['pages']} pages polling every {pages['interval_s']:.0f} s "
        f"({pages['polls_per_second']} polls/s, {pages['not_modified']} 304, "
        f"{pages['other']} other) cost the server "
        f"{pages['server_cpu_percent_of_one_core']}% of one core "
        f"(idle: {idle['server_cpu_percent_of_one_core']}%), worker RSS {pages['worker_rss_mib']} "
        f"MiB; an unchanged poll runs at {unchanged['x_ceiling']}× the trivial view "
        f"({live['in_process_ms']['unchanged poll (304)']} ms in-process against "
        f"{live['in_process_ms']['trivial view']} ms).\n"
    )


def main(argv=None):
    args = parse_args(argv)
    # Django is configured in this process below, which rewrites the environment.
    outer_env = dict(os.environ)
    sizes = [int(size) for size in args.sizes.split(",")]
    WORK.mkdir(parents=True, exist_ok=True)
    info = machine()
    print("Preparing the database and static files")
    setup_django()
    stories = load_stories(sizes, args.reactions)
    paths = [(f"story, {size} comments", stories[size].get_absolute_url()) for size in sizes]
    # What a browser asks for: every browser and CDN sends this header.
    paths += [(f"{name}, gzip", path, BROWSER_ENCODING) for name, path in paths]
    # Known readers (issue 13): a guest and an account who reacted, liked two comments and
    # hold a reply on the page.
    from bench.readers import known_readers

    for size in sizes:
        for who, cookie in known_readers(stories[size]).items():
            path = stories[size].get_absolute_url()
            paths.append((f"story, {size} comments, {who} reader", path, f"Cookie: {cookie}"))

    facts = {
        name: page_facts(path, headers=headers)
        for name, path, *headers in [("trivial view", TRIVIAL_PATH), *paths]
    }
    for name, fact in facts.items():
        print(
            f"  {name:<22} {fact['queries']:>3} SQL queries, {fact['bytes']} bytes, {fact['ms']} ms"
        )
    if args.profile_requests:
        for name, path in [
            ("trivial", TRIVIAL_PATH),
            ("story-200", paths[min(1, len(paths) - 1)][1]),
        ]:
            print(f"  profiled {name}: {profile(path, args.profile_requests, name)} ms/request")

    from django.db import connections

    connections.close_all()
    print(f"\nRead load: newsroom under gunicorn ({args.worker_class})")
    server = Server(name="read", env=app_env(sqlite_path=SQLITE_PATH), config=server_config(args))
    with server:
        check_reader_states(server, paths)
        first = measure(server, [("trivial view", TRIVIAL_PATH)], args)
        reads = measure_against_ceiling(server, paths, args)
        # Not the ceiling: the trivial view padded to the story page's size, to show what the
        # bytes alone cost under the server.
        reads |= measure_against_ceiling(
            server, [("trivial view, 110 KiB", TRIVIAL_LARGE_PATH)], args
        )
        last = measure(server, [("trivial view (again)", TRIVIAL_PATH)], args)
        facts["rss"] = server.worker_rss_mib()
    # For the incumbent, measured on its own server: every trivial-view figure of the run.
    ceiling = statistics.mean(
        [
            first["trivial view"].requests_per_second,
            last["trivial view (again)"].requests_per_second,
            *(result.ceiling for result in reads.values()),
        ]
    )
    reads = {**first, **reads, **last}

    incumbent = None
    if not args.skip_xtd and 200 in stories:
        print("\nRead load: django-comments-xtd (the incumbent)")
        from bench.seed import export_story

        incumbent, facts["xtd story, 200"] = run_incumbent(export_story(stories[200]), args)
        reads["xtd story, 200"] = incumbent

    writes = {}
    if not args.skip_writes:
        common = [f"--duration={args.write_duration}", f"--clients={args.clients}"]
        server_flags = server_config(args).flags()
        flags = [*common, *server_flags]
        writes["write load, SQLite"] = run_script("write_load.py", *flags, env=outer_env)
        # Browser-like readers without JavaScript: post, follow the redirect to the page drawn
        # for them, post the next form from it (issue 13).
        writes[f"journey: {args.clients} browsers post the form, follow the redirect, SQLite"] = (
            run_script("write_load.py", *flags, "--follow", env=outer_env)
        )
        if outer_env.get("DATABASE_URL"):
            writes["write load, PostgreSQL"] = run_script(
                "write_load.py", *flags, "--postgres", env=outer_env
            )
        # The same writes driven by wrk and Lua: a load generator that eats far less CPU.
        wrk_flags = [f"--duration={args.write_duration}", f"--connections={args.clients}"]
        writes["wrk writes, SQLite"] = run_script(
            "wrk_writes.py", *wrk_flags, *server_flags, env=outer_env
        )
        if outer_env.get("DATABASE_URL"):
            writes["wrk writes, PostgreSQL"] = run_script(
                "wrk_writes.py", *wrk_flags, *server_flags, "--postgres", env=outer_env
            )
        writes["kill test, SQLite"] = run_script("kill_test.py", *flags, env=outer_env)

    live = None
    if args.live:
        flags = [f"--pages={args.live_pages}", *server_config(args).flags()]
        live = run_script("live_idle.py", *flags, env=outer_env)

    text = report(info, args, facts, reads, ceiling, incumbent, writes)
    if live is not None:
        text += "\n" + live_report(live)
    print("\n" + text)
    (WORK / "latest.md").write_text(text)
    save_json(
        "results.json",
        {
            "machine": info,
            "facts": facts,
            "reads": reads,
            "ceiling": ceiling,
            "writes": writes,
            "live": live,
        },
    )
    shutil.copy(WORK / "latest.md", WORK / f"results-{time.strftime('%Y%m%d-%H%M%S')}.md")


if __name__ == "__main__":
    main()
