"""
Cache backends that keep the site up when the store beneath them fails.

`FallbackRedisCache` is Django's Redis cache that, when Redis does not answer, serves from this
process's memory instead of failing the request: story pages render from the database, writes
are accepted, and rate limits count per process until Redis is back. The outage is logged once
per process when it starts and once when it ends. After a failure Redis is not asked again for
`RETRY_SECONDS` (an OPTIONS key, default 5), so a dead or unroutable Redis costs one connect
timeout per worker every few seconds, not one per request.

`SQLiteCache` is the rate-limit store of the default setup (SQLite, no Redis): one SQLite file
that every worker on the machine shares, whose `add` and `incr` are single statements, so counts
from concurrent workers add up exactly (tests/test_ratelimits_shared.py). It makes its own table
on first use; there is nothing to migrate.
"""

import logging
import os
import pickle
import sqlite3
import threading
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT, BaseCache
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache

logger = logging.getLogger(__name__)


def is_shared(cache):
    """Return whether other processes see, now, what this one puts in `cache`."""
    return not isinstance(cache, LocMemCache) and not getattr(cache, "degraded", False)


class FallsBackToMemory:
    """Serve a cache from this process's memory while the store beneath it fails.

    Mixed in before a cache backend class, whose `failures` are the errors that mean the store
    cannot be reached.
    """

    failures = ()

    def __init__(self, server, params):
        options = dict(params.get("OPTIONS") or {})
        self.retry_seconds = float(options.pop("RETRY_SECONDS", 5))
        super().__init__(server, {**params, "OPTIONS": options})
        self.memory = LocMemCache(f"fallback:{id(self)}", {"OPTIONS": {"MAX_ENTRIES": 5000}})
        self.degraded = False
        self._retry_at = 0.0
        self._state_lock = threading.Lock()

    def ping(self):
        """Ask the store itself, whatever the retry interval; return whether it answered."""
        try:
            super().has_key("newsroom:ping")
        except self.failures as error:
            self._failed(error)
            return False
        self._answered()
        return True

    def _call(self, name, *args, **kwargs):
        if self.degraded and time.monotonic() < self._retry_at:
            return getattr(self.memory, name)(*args, **kwargs)
        try:
            result = getattr(super(), name)(*args, **kwargs)
        except self.failures as error:
            self._failed(error)
            return getattr(self.memory, name)(*args, **kwargs)
        if self.degraded:
            self._answered()
        return result

    def _failed(self, error):
        with self._state_lock:
            self._retry_at = time.monotonic() + self.retry_seconds
            if self.degraded:
                return
            self.degraded = True
        logger.error(
            "Cache %s is unreachable (%s: %s); this process counts rate limits and caches in its "
            "own memory until it answers again.",
            type(self).__name__,
            type(error).__name__,
            error,
        )

    def _answered(self):
        with self._state_lock:
            if not self.degraded:
                return
            self.degraded = False
        # What was counted or cached meanwhile is this process's alone; the store has the truth.
        self.memory.clear()
        logger.warning("Cache %s answers again; using it again.", type(self).__name__)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("add", key, value, timeout, version)

    def get(self, key, default=None, version=None):
        return self._call("get", key, default, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("set", key, value, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("touch", key, timeout, version)

    def delete(self, key, version=None):
        return self._call("delete", key, version)

    def get_many(self, keys, version=None):
        return self._call("get_many", keys, version)

    def has_key(self, key, version=None):
        return self._call("has_key", key, version)

    def incr(self, key, delta=1, version=None):
        return self._call("incr", key, delta, version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("set_many", data, timeout, version)

    def delete_many(self, keys, version=None):
        return self._call("delete_many", keys, version)

    def clear(self):
        self.memory.clear()
        return self._call("clear")


def _redis_failures():
    from redis.exceptions import RedisError

    return (RedisError, OSError)


class FallbackRedisCache(FallsBackToMemory, RedisCache):
    failures = _redis_failures()


# Rows live until `expires` (seconds since the epoch; NULL: for ever). Integers are stored as
# integers, so `incr` is one UPDATE; anything else is pickled.
SCHEMA = (
    "CREATE TABLE IF NOT EXISTS cache (key TEXT PRIMARY KEY, value NOT NULL, expires REAL) "
    "WITHOUT ROWID"
)
FOREVER = "(expires IS NULL OR expires > ?)"


class _SQLiteStore(BaseCache):
    """A cache in one SQLite file (LOCATION), shared by every process that opens it."""

    # Expired rows are deleted every this many writes in a process.
    purge_every = 1000

    def __init__(self, location, params):
        super().__init__(params)
        self.path = str(location)
        self._local = threading.local()
        self._writes = 0

    def _db(self):
        # One connection per thread, and a new one in a forked child.
        db = getattr(self._local, "db", None)
        if db is None or self._local.pid != os.getpid():
            db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            db.execute(SCHEMA)
            self._local.db, self._local.pid = db, os.getpid()
        return db

    def _expiry(self, timeout):
        # get_backend_timeout: an absolute time, None for ever, -1 already expired.
        return self.get_backend_timeout(timeout)

    @staticmethod
    def _dump(value):
        return value if type(value) is int else pickle.dumps(value, pickle.HIGHEST_PROTOCOL)

    @staticmethod
    def _load(value):
        return value if type(value) is int else pickle.loads(value)

    def _wrote(self):
        self._writes += 1
        if self._writes % self.purge_every == 0:
            self._db().execute("DELETE FROM cache WHERE expires <= ?", (time.time(),))

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        key = self.make_and_validate_key(key, version=version)
        now = time.time()
        row = (
            self._db()
            .execute(
                "INSERT INTO cache (key, value, expires) VALUES (?, ?, ?) ON CONFLICT (key) DO "
                "UPDATE SET value = excluded.value, expires = excluded.expires "
                "WHERE cache.expires <= ? RETURNING 1",
                (key, self._dump(value), self._expiry(timeout), now),
            )
            .fetchone()
        )
        self._wrote()
        return row is not None

    def get(self, key, default=None, version=None):
        key = self.make_and_validate_key(key, version=version)
        row = (
            self._db()
            .execute(f"SELECT value FROM cache WHERE key = ? AND {FOREVER}", (key, time.time()))
            .fetchone()
        )
        return default if row is None else self._load(row[0])

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        key = self.make_and_validate_key(key, version=version)
        self._db().execute(
            "INSERT OR REPLACE INTO cache (key, value, expires) VALUES (?, ?, ?)",
            (key, self._dump(value), self._expiry(timeout)),
        )
        self._wrote()

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        key = self.make_and_validate_key(key, version=version)
        changed = self._db().execute(
            f"UPDATE cache SET expires = ? WHERE key = ? AND {FOREVER}",
            (self._expiry(timeout), key, time.time()),
        )
        return changed.rowcount == 1

    def delete(self, key, version=None):
        key = self.make_and_validate_key(key, version=version)
        return self._db().execute("DELETE FROM cache WHERE key = ?", (key,)).rowcount == 1

    def has_key(self, key, version=None):
        key = self.make_and_validate_key(key, version=version)
        found = self._db().execute(
            f"SELECT 1 FROM cache WHERE key = ? AND {FOREVER}", (key, time.time())
        )
        return found.fetchone() is not None

    def incr(self, key, delta=1, version=None):
        key = self.make_and_validate_key(key, version=version)
        row = (
            self._db()
            .execute(
                "UPDATE cache SET value = value + ? "
                f"WHERE key = ? AND typeof(value) = 'integer' AND {FOREVER} RETURNING value",
                (delta, key, time.time()),
            )
            .fetchone()
        )
        if row is None:
            raise ValueError(f"Key '{key}' not found.")
        return row[0]

    def clear(self):
        self._db().execute("DELETE FROM cache")


class SQLiteCache(FallsBackToMemory, _SQLiteStore):
    failures = (sqlite3.Error,)
