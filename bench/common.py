"""What the benchmark scripts share: paths, the production-like environment, gunicorn, wrk."""

import json
import os
import platform
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from newsroom import gunicorn as production  # noqa: E402  (the settings production runs with)

BENCH = ROOT / "bench"
WORK = BENCH / "work"
BIN = Path(sys.executable).parent
XTD_VENV = BENCH / ".venv-xtd"

# Rates far above what the load can reach, so the write benchmark measures writes, not 429s.
UNLIMITED_RATES = {
    "NEWSROOM_COMMENT_RATE": "1000000/s",
    "NEWSROOM_COMMENT_NETWORK_RATE": "1000000/s",
    "NEWSROOM_REACTION_RATE": "1000000/s",
    "NEWSROOM_REACTION_NETWORK_RATE": "1000000/s",
}


def secret_key():
    """Return this work directory's secret, so signed cookies survive a server restart."""
    WORK.mkdir(parents=True, exist_ok=True)
    path = WORK / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
    return path.read_text().strip()


def app_env(*, sqlite_path=None, database_url=None, extra=None):
    """Return the environment of newsroom in production, serving plain HTTP on loopback."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "NEWSROOM_")) and key != "DATABASE_URL"
    }
    env.update(
        # BENCH_SETTINGS lets a scratch project stand in, e.g. to try the harness itself.
        DJANGO_SETTINGS_MODULE=os.environ.get("BENCH_SETTINGS", "bench.benchsite.settings"),
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY=secret_key(),
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
        # Loopback has no TLS: no redirect to https and no HSTS. Secure cookies stay on; the
        # load scripts keep their own cookie jar, as a TLS-terminating proxy would make moot.
        DJANGO_SECURE_SSL_REDIRECT="0",
        DJANGO_HSTS_SECONDS="0",
        DJANGO_STATIC_ROOT=str(WORK / "static"),
        DJANGO_LOG_LEVEL="WARNING",
        PYTHONDONTWRITEBYTECODE="1",
    )
    if sqlite_path is not None:
        env["DJANGO_SQLITE_PATH"] = str(sqlite_path)
    if database_url:
        env["DATABASE_URL"] = database_url
    # A shared cache is opt-in, as in production: pass DJANGO_CACHE_URL through if set.
    if os.environ.get("DJANGO_CACHE_URL"):
        env["DJANGO_CACHE_URL"] = os.environ["DJANGO_CACHE_URL"]
    env.update(extra or {})
    return env


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class ServerConfig:
    """gunicorn's workers: production's (newsroom/gunicorn.py) unless a run asks otherwise."""

    workers: int = production.workers
    worker_class: str = production.worker_class
    threads: int = 1

    @classmethod
    def from_args(cls, args):
        return cls(args.workers, args.worker_class, args.threads)

    def flags(self):
        """The command-line flags that hand this configuration to another bench script."""
        return [
            f"--workers={self.workers}",
            f"--worker-class={self.worker_class}",
            f"--threads={self.threads}",
        ]


def add_server_arguments(parser):
    defaults = ServerConfig()
    parser.add_argument("--workers", type=int, default=defaults.workers)
    parser.add_argument(
        "--worker-class", default=defaults.worker_class, choices=["sync", "gthread"]
    )
    parser.add_argument("--threads", type=int, default=defaults.threads, help="gthread only")


class Server:
    """One gunicorn master with its workers, in its own process group so it can be killed whole."""

    def __init__(
        self,
        *,
        name,
        env,
        config,
        wsgi="newsroom.wsgi:application",
        chdir=ROOT,
        gunicorn=BIN / "gunicorn",
        ready_path="/health/",
    ):
        self.name = name
        self.env = env
        self.config = config
        self.wsgi = wsgi
        self.chdir = chdir
        self.gunicorn = gunicorn
        self.ready_path = ready_path
        self.port = free_port()
        self.log_path = WORK / f"gunicorn-{name}.log"
        self.process = None

    @property
    def base_url(self):
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout=60):
        command = [
            str(self.gunicorn),
            self.wsgi,
            "--chdir",
            str(self.chdir),
            "--bind",
            f"127.0.0.1:{self.port}",
            "--workers",
            str(self.config.workers),
            "--worker-class",
            self.config.worker_class,
            "--threads",
            str(self.config.threads),
            "--timeout",
            "60",
            # The default control socket is one path per machine; other gunicorns may hold it.
            "--no-control-socket",
        ]
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            command, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn {self.name} exited; see {self.log_path}")
            try:
                with urllib.request.urlopen(self.base_url + self.ready_path, timeout=5) as reply:
                    if reply.status == 200 and len(self.worker_pids()) == self.config.workers:
                        return self
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(
            f"gunicorn {self.name} did not answer in {timeout}s; see {self.log_path}"
        )

    def worker_pids(self):
        if self.process is None:
            return []
        pid = self.process.pid
        try:
            children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        except OSError:
            return []
        return [int(child) for child in children]

    def worker_rss_mib(self):
        """Return each worker's resident memory in MiB, read from /proc."""
        sizes = []
        for pid in self.worker_pids():
            try:
                status = Path(f"/proc/{pid}/status").read_text()
            except OSError:
                continue
            match = re.search(r"^VmRSS:\s+(\d+) kB", status, re.MULTILINE)
            if match:
                sizes.append(round(int(match.group(1)) / 1024, 1))
        return sizes

    def kill(self):
        """SIGKILL the master and every worker at once, like a crash or the OOM killer."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def stop(self):
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.kill()

    def log_count(self, needle):
        try:
            return self.log_path.read_text(errors="replace").count(needle)
        except OSError:
            return 0

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


@dataclass
class WrkResult:
    url: str
    requests_per_second: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    requests: int
    non_2xx: int = 0
    socket_errors: str = ""
    rss: list = field(default_factory=list)
    raw: str = field(default="", repr=False)
    # The trivial view's req/s in the same round, when the page was measured against it.
    ceiling: float | None = None


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _ms(text):
    """Convert wrk's "812.00us" or "1.02s" to milliseconds; NaN when wrk had nothing to report."""
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text or "")
    if not match:
        return float("nan")
    number, unit = match.groups()
    return round(float(number) * _UNITS[unit], 3)


def wrk(url, *, duration, connections, threads=1, timeout=10, headers=()):
    """Drive one URL with wrk for `duration` seconds and return its figures."""
    command = [
        "wrk",
        *(f"--header={header}" for header in headers),
        f"-t{threads}",
        f"-c{connections}",
        f"-d{duration}s",
        f"--timeout={timeout}s",
        "--latency",
        url,
    ]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    percentiles = dict(re.findall(r"^\s+(50|75|90|99)%\s+(\S+)\s*$", output, re.MULTILINE))
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    errors = re.search(r"Socket errors: (.*)$", output, re.MULTILINE)
    return WrkResult(
        url=url,
        requests_per_second=float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        p50_ms=_ms(percentiles.get("50")),
        p90_ms=_ms(percentiles.get("90")),
        p99_ms=_ms(percentiles.get("99")),
        requests=int(re.search(r"(\d+) requests in", output).group(1)),
        non_2xx=int(non_2xx.group(1)) if non_2xx else 0,
        socket_errors=errors.group(1).strip() if errors else "",
        raw=output,
    )


def machine():
    """Describe the machine the figures come from."""
    cpuinfo = Path("/proc/cpuinfo").read_text()
    model = re.search(r"^model name\s*:\s*(.+)$", cpuinfo, re.MULTILINE)
    meminfo = Path("/proc/meminfo").read_text()
    mem_kib = int(re.search(r"^MemTotal:\s+(\d+) kB", meminfo, re.MULTILINE).group(1))
    try:
        commit = subprocess.run(
            ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        commit = "unknown"
    return {
        "nproc": len(os.sched_getaffinity(0)),
        "cpu": model.group(1).strip() if model else platform.processor(),
        "memory_gib": round(mem_kib / 1024 / 1024, 1),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "commit": commit,
        "date": time.strftime("%Y-%m-%d %H:%M %Z"),
    }


def save_json(name, data):
    WORK.mkdir(parents=True, exist_ok=True)
    path = WORK / name
    path.write_text(json.dumps(data, indent=2, default=lambda o: asdict(o)))
    return path
