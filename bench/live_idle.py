"""
Idle live pages: many open story pages poll the live endpoint while nothing changes.

    .venv/bin/python bench/live_idle.py                          # 1,000 pages, 60 s measured
    .venv/bin/python bench/live_idle.py --pages 200 --duration 20  # a quick look
    .venv/bin/python bench/run.py --live                         # the same, after the read run

Each page is an asyncio client doing what static/js/site.js does on an open story page: it asks
`/stories/<slug>/live/?since=...` with `If-None-Match` set to the version the page was given,
every `--interval` seconds (15, jittered ±20%, as the script), over a connection of its own
(gunicorn's sync workers close each one). The pages open over the first interval, as readers
arrive; then the server's CPU time (master and workers, from /proc) is counted over `--duration`
seconds, with its workers' resident memory, against the same server idle with no pages open.

The same run also measures, with wrk, one unchanged poll (304) against the trivial view (the
ceiling: three bytes behind every middleware, bench/benchsite) and a changed poll (200, the answer
kept per version), and times each in-process. Results: stdout, a RESULT line for bench/run.py, and
bench/work/live-latest.md.
"""

import argparse
import asyncio
import html
import json
import os
import random
import re
import resource
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (  # noqa: E402
    WORK,
    Server,
    ServerConfig,
    add_server_arguments,
    app_env,
    machine,
    wrk,
)

SQLITE_PATH = WORK / "live.sqlite3"
TRIVIAL_PATH = "/bench/trivial/"
LIVE_ATTRIBUTES = re.compile(
    r'data-live-url="([^"]+)" data-live-etag="([^"]+)" data-live-since="(\d+)"'
)
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.strip().split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=1000, help="open story pages")
    parser.add_argument("--interval", type=float, default=15, help="seconds between polls")
    parser.add_argument("--duration", type=float, default=60, help="seconds measured")
    parser.add_argument("--idle", type=float, default=10, help="seconds of the idle server")
    parser.add_argument("--comments", type=int, default=200, help="comments on the story")
    parser.add_argument("--wrk-duration", type=int, default=5, help="wrk seconds per URL")
    parser.add_argument("--connections", type=int, default=16, help="wrk open connections")
    parser.add_argument("--repeat", type=int, default=1000, help="in-process requests per URL")
    add_server_arguments(parser)
    return parser.parse_args(argv)


def prepare(comments):
    """Build a fresh SQLite database with one story; configure Django here like the server."""
    for path in WORK.glob(SQLITE_PATH.name + "*"):
        path.unlink()
    os.environ.clear()
    os.environ.update(app_env(sqlite_path=SQLITE_PATH))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connections

    from bench import seed

    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    article = seed.create_story("bench-live", label="live")
    seed.add_comments(article, comments)
    seed.add_reactions(article, 100)
    connections.close_all()
    return article.get_absolute_url()


def live_state(html_text):
    match = LIVE_ATTRIBUTES.search(html_text)
    if match is None:
        raise SystemExit("the story page carries no data-live-* attributes")
    url, etag, since = (html.unescape(value) for value in match.groups())
    return f"{url}?since={since}", etag


def cpu_seconds(server):
    """Return the CPU time (user + system) the gunicorn master and its workers have used."""
    total = 0
    for pid in [server.process.pid, *server.worker_pids()]:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15)
    return total / CLOCK_TICKS


async def one_page(port, path, etag, interval, until, tally):
    """Poll like an open page until `until` (loop time); count what came back."""
    loop = asyncio.get_running_loop()
    await asyncio.sleep(random.uniform(0, interval))  # readers arrive over the first interval
    request = (
        f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nIf-None-Match: {etag}\r\n"
        "Accept: application/json\r\nConnection: close\r\n\r\n"
    ).encode()
    while loop.time() < until:
        started = loop.time()
        try:
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.write(request)
            await writer.drain()
            answer = await reader.read()
            writer.close()
            status = int(answer[9:12]) if answer.startswith(b"HTTP/1.") else 0
        except OSError:
            status = 0
        tally.append((started, status, loop.time() - started))
        await asyncio.sleep(interval * random.uniform(0.8, 1.2))


async def open_pages(port, path, etag, args):
    loop = asyncio.get_running_loop()
    tally = []
    until = loop.time() + args.interval + args.duration
    tasks = [
        asyncio.create_task(one_page(port, path, etag, args.interval, until, tally))
        for _ in range(args.pages)
    ]
    return tally, tasks, loop.time()


def measure_pages(server, path, etag, args):
    """Open the pages; count the server's CPU and memory once they have all arrived."""

    async def run():
        tally, tasks, started = await open_pages(server.port, path, etag, args)
        await asyncio.sleep(args.interval)  # every page is open by now
        cpu_before, wall_before = cpu_seconds(server), time.monotonic()
        await asyncio.sleep(args.duration)
        cpu = cpu_seconds(server) - cpu_before
        wall = time.monotonic() - wall_before
        rss = server.worker_rss_mib()
        await asyncio.gather(*tasks)
        window = [entry for entry in tally if entry[0] >= started + args.interval]
        return cpu, wall, rss, window

    client_before = resource.getrusage(resource.RUSAGE_SELF)
    cpu, wall, rss, window = asyncio.run(run())
    client_after = resource.getrusage(resource.RUSAGE_SELF)
    client_cpu = (client_after.ru_utime - client_before.ru_utime) + (
        client_after.ru_stime - client_before.ru_stime
    )
    statuses = [status for _, status, _ in window]
    latencies = sorted(seconds * 1000 for _, _, seconds in window)
    return {
        "pages": args.pages,
        "interval_s": args.interval,
        "measured_s": round(wall, 1),
        "polls": len(window),
        "polls_per_second": round(len(window) / wall, 1),
        "not_modified": statuses.count(304),
        "other": len(statuses) - statuses.count(304),
        "p50_ms": round(statistics.median(latencies), 2) if latencies else None,
        "p99_ms": round(latencies[int(len(latencies) * 0.99)], 2) if latencies else None,
        "server_cpu_percent_of_one_core": round(100 * cpu / wall, 2),
        "server_cpu_percent_of_machine": round(100 * cpu / wall / (os.cpu_count() or 1), 2),
        "server_cpu_ms_per_poll": round(1000 * cpu / len(window), 3) if window else None,
        "worker_rss_mib": rss,
        "client_cpu_percent_of_one_core": round(100 * client_cpu / (args.interval + wall), 1),
    }


def measure_idle(server, seconds):
    before = cpu_seconds(server)
    time.sleep(seconds)
    return {
        "server_cpu_percent_of_one_core": round(100 * (cpu_seconds(server) - before) / seconds, 2),
        "worker_rss_mib": server.worker_rss_mib(),
    }


def in_process(paths, repeat):
    """Return the mean milliseconds of each request made in this process (Django's test client)."""
    from django.test import Client

    client = Client(HTTP_HOST="127.0.0.1")
    times = {}
    for name, path, headers, status in paths:
        response = client.get(path, headers=headers)
        assert response.status_code == status, (name, response.status_code)
        started = time.perf_counter()
        for _ in range(repeat):
            client.get(path, headers=headers)
        times[name] = round((time.perf_counter() - started) * 1000 / repeat, 3)
    return times


def main(argv=None):
    args = parse_args(argv)
    WORK.mkdir(parents=True, exist_ok=True)
    info = machine()
    print(f"Preparing a story with {args.comments} comments")
    story = prepare(args.comments)
    import urllib.request

    config = ServerConfig.from_args(args)
    server = Server(name="live", env=app_env(sqlite_path=SQLITE_PATH), config=config)
    with server:
        with urllib.request.urlopen(server.base_url + story) as reply:
            poll_path, etag = live_state(reply.read().decode())
        print(f"Idle server, no pages open, {args.idle:.0f} s")
        idle = measure_idle(server, args.idle)
        print(f"  {idle}")
        print(
            f"{args.pages} open pages polling every {args.interval:.0f} s (±20%), "
            f"{args.duration:.0f} s measured after {args.interval:.0f} s of arrivals"
        )
        pages = measure_pages(server, poll_path, etag, args)
        print(f"  {pages}")
        print(f"wrk, {args.wrk_duration} s each, {args.connections} connections")
        urls = [
            ("trivial view", TRIVIAL_PATH, ()),
            ("unchanged poll (304)", poll_path, (f"If-None-Match: {etag}",)),
            ("changed poll (200)", poll_path, ()),
            ("trivial view (again)", TRIVIAL_PATH, ()),
        ]
        loads = {}
        for name, path, headers in urls:
            result = wrk(
                server.base_url + path,
                duration=args.wrk_duration,
                connections=args.connections,
                headers=headers,
            )
            loads[name] = {
                "requests_per_second": result.requests_per_second,
                "p50_ms": result.p50_ms,
                "p99_ms": result.p99_ms,
                "non_2xx_3xx": result.non_2xx,
            }
            print(f"  {name:<22} {result.requests_per_second:>8.1f} req/s  p50 {result.p50_ms} ms")
    ceiling = statistics.mean(
        [
            loads["trivial view"]["requests_per_second"],
            loads["trivial view (again)"]["requests_per_second"],
        ]
    )
    for name in ("unchanged poll (304)", "changed poll (200)"):
        loads[name]["x_ceiling"] = round(loads[name]["requests_per_second"] / ceiling, 3)
    timed = in_process(
        [
            ("trivial view", TRIVIAL_PATH, {}, 200),
            ("unchanged poll (304)", poll_path, {"If-None-Match": etag}, 304),
            ("changed poll (200)", poll_path, {}, 200),
        ],
        args.repeat,
    )
    print(f"In-process ms per request: {timed}")
    result = {"machine": info, "idle": idle, "pages": pages, "wrk": loads, "in_process_ms": timed}
    # The machine is shared: say how busy it was, since every figure above moves with it.
    result["machine"]["load_average"] = [round(load, 1) for load in os.getloadavg()]
    (WORK / "live-latest.md").write_text(report(result, args))
    print("\n" + report(result, args))
    print("RESULT " + json.dumps(result))


def report(result, args):
    info, idle, pages, loads, timed = (
        result[key] for key in ("machine", "idle", "pages", "wrk", "in_process_ms")
    )
    lines = [
        f"Machine: {info['nproc']} CPUs, {info['cpu']}, Python {info['python']}; "
        f"date {info['date']}, commit {info['commit']}; load average at the end "
        f"{info.get('load_average')}",
        f"gunicorn {args.workers} × {args.worker_class}; {pages['pages']} pages polling every "
        f"{pages['interval_s']:.0f} s ±20%, {pages['measured_s']} s measured",
        "",
        "| | server CPU, % of one core | worker RSS MiB | polls/s | 304 | other "
        "| p50 ms | p99 ms |",
        "|---|---:|---|---:|---:|---:|---:|---:|",
        f"| idle, no pages | {idle['server_cpu_percent_of_one_core']} | "
        f"{idle['worker_rss_mib']} | 0 | | | | |",
        f"| {pages['pages']} open pages | {pages['server_cpu_percent_of_one_core']} | "
        f"{pages['worker_rss_mib']} | {pages['polls_per_second']} | {pages['not_modified']} | "
        f"{pages['other']} | {pages['p50_ms']} | {pages['p99_ms']} |",
        "",
        f"Server CPU per unchanged poll under that load: {pages['server_cpu_ms_per_poll']} ms; "
        f"the client's own CPU: {pages['client_cpu_percent_of_one_core']}% of one core.",
        "",
        "| Request | wrk req/s | × trivial view | p50 ms | p99 ms | in-process ms |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for name, load in loads.items():
        lines.append(
            f"| {name} | {load['requests_per_second']} | {load.get('x_ceiling', '')} | "
            f"{load['p50_ms']} | {load['p99_ms']} | {timed.get(name.replace(' (again)', ''), '')} |"
        )
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
