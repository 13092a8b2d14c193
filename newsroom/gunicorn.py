"""
gunicorn settings for production: `gunicorn -c python:newsroom.gunicorn newsroom.wsgi`.

Sync workers, two per core. A request is Python from end to end, so processes, not threads, are
what use the cores: threads in one worker take turns on the interpreter lock, and a thread that
waits for the lock while holding SQLite's write lock stalls every writer (measured in
bench/RESULTS.md: 4 sync workers wrote 1.6× as fast as 2 workers of 4 threads). Two per core
keeps a core busy while a worker waits on the database. Each connection is answered and closed,
so the kernel spreads requests evenly over the workers; keep-alive workers kept the connections
they first accepted, and one busy worker could serve most of the load while the other idled.
Put a proxy (nginx, a CDN) in front for TLS and slow clients, as gunicorn advises for sync workers.

WEB_CONCURRENCY sets the number of workers; flags on the command line (`--bind 0.0.0.0:8000`) or in
GUNICORN_CMD_ARGS override anything here.
"""

import os

worker_class = "sync"
workers = int(os.environ.get("WEB_CONCURRENCY") or 2 * (os.cpu_count() or 1))
timeout = 30
