"""
Durability: SIGKILL gunicorn in the middle of the write load, restart it, then audit SQLite.

    .venv/bin/python bench/kill_test.py --duration 30 --clients 64

The readers of write_load.py post for --duration seconds; at --kill-at (default half-way) the
master and every worker get SIGKILL at once, as in a crash; the server restarts on the same port
and the readers carry on. Afterwards `PRAGMA integrity_check` must answer "ok" and every write
that got a 2xx or 3xx must be stored (writes cut off by the kill may or may not be).
"""

import argparse
import json
import sqlite3
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import WORK, Server, ServerConfig  # noqa: E402
from bench.write_load import (  # noqa: E402
    add_load_arguments,
    options_with_keys,
    prepare,
    server_env,
    start_readers,
    summarise,
    verify,
)

SQLITE_PATH = WORK / "kill.sqlite3"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.strip().split("\n\n")[0])
    add_load_arguments(parser)
    parser.add_argument("--kill-at", type=float, help="seconds into the load; default half-way")
    options = parser.parse_args(argv)
    # Readers start posting after the form's minimum age; kill half-way through their posting.
    kill_at = (
        options.form_wait
        + 1
        + (options.kill_at if options.kill_at is not None else options.duration / 2)
    )

    article, keys = prepare(sqlite_path=SQLITE_PATH, database_url=None)
    options_with_keys(options, keys)
    config = ServerConfig.from_args(options)
    server = Server(
        name="kill", env=server_env(sqlite_path=SQLITE_PATH, database_url=None), config=config
    )
    print(f"Kill test on SQLite: {options.clients} readers, SIGKILL at {kill_at:g}s")
    server.start()
    try:
        started = time.monotonic()
        readers = start_readers(
            base_url=server.base_url,
            path=options.page or article.get_absolute_url(),
            duration=options.duration,
            options=options,
        )
        # Wait for the kill moment, unless the readers gave up (no endpoints to post to).
        while time.monotonic() - started < kill_at and not readers[0].stop.is_set():
            time.sleep(0.1)
        killed_pids = [server.process.pid, *server.worker_pids()]
        server.kill()
        killed_after = time.monotonic() - started
        server.start()
        restarted_after = time.monotonic() - started
        for reader in readers:
            reader.join()
        ended_at = time.monotonic()
        rss = server.worker_rss_mib()
    finally:
        server.stop()

    with sqlite3.connect(SQLITE_PATH) as connection:
        integrity = connection.execute("PRAGMA integrity_check").fetchone()[0]
    failures = sorted({r.failure for r in readers if r.failure})
    result = {
        "database": "SQLite",
        "killed_pids": killed_pids,
        "killed_after_s": round(killed_after, 1),
        "restarted_after_s": round(restarted_after, 1),
        **summarise(readers, ended_at, server),
        "worker_rss_mib": rss,
        "integrity_check": integrity,
    }
    if failures:
        result["failed"] = failures
        print("FAILED: " + "; ".join(failures))
    else:
        result["audit"] = verify(article, readers)
    print(json.dumps(result, indent=2))
    print("RESULT " + json.dumps(result))
    ok = not failures and integrity == "ok" and result["audit"]["ok"]
    sys.exit(0 if ok else 2 if failures else 1)


if __name__ == "__main__":
    main()
